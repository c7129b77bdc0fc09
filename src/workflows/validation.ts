// Input checks run as a workflow's first local activity (src/activities/validation.ts); their failure becomes the
// workflow's own, as if the workflow had checked the input itself: same type, message and details.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { inputTooDeep, MAX_INPUT_DEPTH, tooDeepProblem } from '../shared/depth';
import { invalidInputMessage, VALIDATION_FAILURE_TYPES } from '../shared/onboarding';
import { FAILURE_TYPES } from '../shared/failures';

const TYPES = new Set<string>(Object.values(VALIDATION_FAILURE_TYPES));

export function asInputFailure(err: unknown): unknown {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type && TYPES.has(cause.type)) {
    return ApplicationFailure.create({
      type: cause.type,
      nonRetryable: true,
      message: cause.message,
      details: cause.details ? [...cause.details] : undefined,
    });
  }
  return err;
}

/** Per workflow kind: the failure type and what the message calls its input. */
const GUARDED = {
  onboarding: [VALIDATION_FAILURE_TYPES.onboarding, 'onboarding input'],
  update: [VALIDATION_FAILURE_TYPES.update, 'update input'],
  adopt: [VALIDATION_FAILURE_TYPES.adopt, 'adopt input'],
  /** The other lifecycle operations (teardown, runs, verify, base connections), which have no input check. */
  operation: [FAILURE_TYPES.invalidLifecycleInput, 'input'],
} as const;

/**
 * A workflow's first statement: an input nested too deep fails the run at once, as an invalid input. Left to the
 * input check, it would never get there: scheduling the check's local activity serialises the input, JSON.stringify
 * overflows the stack, and a workflow task that throws a non-Temporal error is retried forever (the run hangs
 * Running). JSON.parse, which decoded it, has no such limit, so such inputs do arrive (gRPC, another SDK).
 */
export function refuseTooDeep(raw: unknown, kind: keyof typeof GUARDED): void {
  if (!inputTooDeep(raw, MAX_INPUT_DEPTH)) return;
  const [type, what] = GUARDED[kind];
  const problems = [tooDeepProblem()];
  throw ApplicationFailure.create({
    type,
    nonRetryable: true,
    message: invalidInputMessage(what, problems),
    details: [{ problems }],
  });
}
