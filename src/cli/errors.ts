// Turns whatever a command met into a message a person can act on, and an exit code a script can branch on.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { AepFailureDetails } from '../activities/failures';
import { accessHint as sharedAccessHint, isAccessRefusal, type RefusedCall } from '../aep/access-hint';
import {
  describeRunFailure,
  DuplicateOnboardingError,
  InvalidInputError,
  MissingSearchAttributesError,
  onboardingFailureDetails,
} from '../client/onboarding';
import { FAILURE_TYPES, LIFECYCLE_FAILURES } from '../shared/onboarding';
import { TemporalConfigError } from '../temporal/connect-config';
import { CliError, EXIT } from './context';

export interface Explained {
  message: string;
  exitCode: number;
  /** The innermost ApplicationFailure's type and details, for --json. */
  type?: string;
  details?: unknown;
}

/** Outermost first: WorkflowFailedError -> ApplicationFailure -> ActivityFailure -> ApplicationFailure ... */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, i = 0; e instanceof Error && i < 8; e = (e as { cause?: unknown }).cause, i++)
    out.push(e);
  return out;
}

const refusedCall = (f: ApplicationFailure): RefusedCall => ({
  ...((f.details?.[0] ?? {}) as AepFailureDetails),
  type: f.type ?? undefined,
});

const isAccessFailure = (f: ApplicationFailure): boolean => isAccessRefusal(refusedCall(f));

/** What to fix when AEP refused the credential: which permission, or which sandbox, or which setting. */
export function accessHint(f: ApplicationFailure, sandbox: string | undefined): string {
  return sharedAccessHint(refusedCall(f), sandbox);
}

const EXIT_BY_TYPE: Record<string, number> = {
  [LIFECYCLE_FAILURES.updateConflict]: EXIT.conflict,
  [LIFECYCLE_FAILURES.baseConnectionInUse]: EXIT.conflict,
  [LIFECYCLE_FAILURES.verificationFailed]: EXIT.notVerified,
  [LIFECYCLE_FAILURES.notFound]: EXIT.notFound,
  [FAILURE_TYPES.invalidInput]: EXIT.usage,
  [FAILURE_TYPES.duplicateOnboarding]: EXIT.duplicate,
  InvalidUpdateInput: EXIT.usage,
  InvalidAdoptInput: EXIT.usage,
  // A lifecycle operation's own input check (src/workflows/validation.ts, baseConnectionOperation).
  InvalidInput: EXIT.usage,
  [FAILURE_TYPES.invalidDesiredState]: EXIT.usage,
  [FAILURE_TYPES.stalePlan]: EXIT.conflict,
};

/** Explains an error of any command; `sandbox` (when known) makes AEP access hints precise. */
export function explain(err: unknown, sandbox?: string): Explained {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode, details: err.extra };
  if (err instanceof TemporalConfigError) return { message: err.message, exitCode: EXIT.usage };
  if (err instanceof InvalidInputError)
    return { message: err.message, exitCode: EXIT.usage, details: { problems: err.problems } };
  // A setup step missing on the Temporal side: the message names the attributes and both fixes.
  if (err instanceof MissingSearchAttributesError) return { message: err.message, exitCode: EXIT.usage };
  if (err instanceof DuplicateOnboardingError) {
    return {
      message: err.message,
      exitCode: EXIT.duplicate,
      details: { workflowId: err.workflowId, runId: err.runId },
    };
  }
  const links = chain(err);
  const failures = links.filter((e): e is ApplicationFailure => e instanceof ApplicationFailure);
  const innermost = failures.at(-1);
  const access = failures.find(isAccessFailure);
  const onboarding = onboardingFailureDetails(err);
  const base =
    onboarding || links.some((e) => e instanceof CancelledFailure)
      ? describeRunFailure(err)
      : innermost?.message || (err instanceof Error ? err.message : String(err));
  if (access) {
    return {
      message: `${base}\n${accessHint(access, sandbox)}`,
      exitCode: EXIT.aepAccess,
      type: access.type ?? undefined,
      details: onboarding ?? access.details?.[0],
    };
  }
  if (err instanceof WorkflowFailedError && links.some((e) => e instanceof CancelledFailure)) {
    return { message: base, exitCode: EXIT.cancelled, details: onboarding };
  }
  // The most specific known failure type decides the exit code (an onboarding wraps its cause in OnboardingFailed).
  const known = [...failures].reverse().find((f) => f.type && EXIT_BY_TYPE[f.type] !== undefined);
  const shown = known ?? innermost;
  return {
    message: known && !onboarding ? known.message : base,
    exitCode: known ? EXIT_BY_TYPE[known.type!]! : EXIT.runFailed,
    type: shown?.type ?? undefined,
    details: onboarding ?? shown?.details?.[0],
  };
}
