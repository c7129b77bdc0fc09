// Turns whatever a command met into a message a person can act on, and an exit code a script can branch on.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { AepFailureDetails } from '../activities/failures';
import { LIFECYCLE_FAILURES } from '../activities/lifecycle';
import {
  describeRunFailure,
  DuplicateOnboardingError,
  InvalidInputError,
  onboardingFailureDetails,
} from '../client/onboarding';
import { FAILURE_TYPES } from '../shared/onboarding';
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

const ACCESS_TYPES = new Set(['AepPermissionError', 'AepAuthenticationError', 'ImsError']);

/** Product-profile permissions by API (Adobe Admin Console > Experience Platform > permissions). */
const PERMISSIONS: Array<[RegExp, string]> = [
  [/\/flowservice\//, "'View Sources' and 'Manage Sources'"],
  [/\/conversion\//, "'Manage Sources' (Data Prep mapping sets belong to sources)"],
  [/\/schemaregistry\//, "'View Schemas' and 'Manage Schemas'"],
  [/\/catalog\//, "'View Datasets' and 'Manage Datasets'"],
];

function isAccessFailure(f: ApplicationFailure): boolean {
  const d = f.details?.[0] as AepFailureDetails | undefined;
  return ACCESS_TYPES.has(f.type ?? '') || /^FLOW-210[01]-404$/.test(d?.code ?? '');
}

/** What to fix when AEP refused the credential: which permission, or which sandbox, or which setting. */
export function accessHint(f: ApplicationFailure, sandbox: string | undefined): string {
  const d = (f.details?.[0] ?? {}) as AepFailureDetails;
  const where = sandbox ? `sandbox "${sandbox}"` : 'the sandbox (AEP_SANDBOX / --sandbox)';
  const call = d.method && d.path ? `${d.method} ${d.path}` : 'the call';
  if (/^FLOW-210[01]/.test(d.code ?? '')) {
    return `AEP does not know ${where} in this org, or the credential's product profile does not include it: check the name, or add the sandbox to the product profile in Adobe Admin Console.`;
  }
  if (f.type === 'ImsError' || f.type === 'AepAuthenticationError') {
    return 'IMS refused the credential: check AEP_CLIENT_ID, AEP_CLIENT_SECRET and AEP_SCOPES against the Developer Console project (OAuth Server-to-Server).';
  }
  switch (d.code) {
    case '403025':
      return 'The credential is not entitled to this org (AEP_ORG_ID): add the Experience Platform API to a product profile of that org in the Developer Console.';
    case '403027':
      return 'The credential has no Experience Platform product profile in this org: add one to the Developer Console project.';
    case '403000':
    case '403003':
      return "The API key (AEP_CLIENT_ID) is missing or not the credential's client id.";
  }
  const permission =
    PERMISSIONS.find(([re]) => re.test(d.path ?? ''))?.[1] ?? 'the permission this API needs';
  return `AEP refused ${call} (HTTP ${d.status ?? 403}${d.code ? ` ${d.code}` : ''}): give the credential's product profile ${permission} for ${where} in Adobe Admin Console.`;
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
};

/** Explains an error of any command; `sandbox` (when known) makes AEP access hints precise. */
export function explain(err: unknown, sandbox?: string): Explained {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode, details: err.extra };
  if (err instanceof TemporalConfigError) return { message: err.message, exitCode: EXIT.usage };
  if (err instanceof InvalidInputError)
    return { message: err.message, exitCode: EXIT.usage, details: { problems: err.problems } };
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
