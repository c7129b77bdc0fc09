// Input checks run as a workflow's first local activity (src/activities/validation.ts); their failure becomes the
// workflow's own, as if the workflow had checked the input itself: same type, message and details.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { VALIDATION_FAILURE_TYPES } from '../shared/onboarding';

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
