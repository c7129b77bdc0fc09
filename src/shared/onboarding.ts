// Types that cross the workflow boundary: the result, the progress query, and the failure details.
import type { StepName } from './naming';

/** The steps in the order a person reads them (the tutorial's order; some run in parallel). */
export const STEP_ORDER: readonly StepName[] = [
  'specs',
  'tenant',
  'baseConnection',
  'sourceConnection',
  'fieldGroup',
  'schema',
  'dataset',
  'mappings',
  'mappingSet',
  'targetConnection',
  'flow',
  'inletUrl',
  'verify',
];

export type StepState = 'pending' | 'running' | 'done' | 'reused' | 'skipped' | 'failed' | 'cancelled';

export interface StepProgress {
  state: StepState;
  /** Id of the resource this step created or reused. */
  id?: string;
  error?: string;
}

export interface CompensationOutcome {
  /** `sweep`: the look-up for duplicates carrying the run's marker, after the undos. */
  step: StepName | 'sweep';
  /** `undone`: deleted (or already gone); `left`: could not be deleted, still in AEP. */
  outcome: 'undone' | 'left';
  id?: string;
  /** Whether the resource existed when the undo ran (false = the create never landed, or already deleted). */
  existed?: boolean;
  /** An extra resource of the run (a create that landed twice or late), found and deleted by the sweep. */
  duplicate?: boolean;
  error?: string;
}

export type OnboardingPhase =
  'validating' | 'provisioning' | 'verifying' | 'compensating' | 'completed' | 'compensated' | 'cancelled';

export interface OnboardingProgress {
  phase: OnboardingPhase;
  source?: string;
  sandbox?: string;
  steps: Partial<Record<StepName, StepProgress>>;
  ids: Partial<OnboardingIds>;
  compensation: CompensationOutcome[];
  webhookUrl?: string;
}

export interface OnboardingIds {
  tenantId: string;
  fieldGroupId: string;
  schemaId: string;
  /** meta:altId of the schema. */
  schemaAltId: string;
  datasetId: string;
  /** HTTP API only: the base connection the source connection points at (its inlet). */
  baseConnectionId?: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  mappingSetId: string;
  flowId: string;
}

export interface OnboardingResult {
  workflowId: string;
  source: string;
  name: string;
  sandbox: string;
  ids: OnboardingIds;
  /** Which resources were reused (passed in by the user) rather than created. */
  reused: { schema: boolean; dataset: boolean };
  etags: { sourceConnection: string; targetConnection: string; flow: string };
  mappingVersion: number;
  inletUrl: string;
  /** `{inletUrl}?x-adobe-flow-id={flowId}`: paste it into Chatlio's webhook settings. */
  webhookUrl: string;
  verified?: { samples: string[] };
  /** Extra resources this run created (a create that landed twice), deleted by the sweep after the saga. */
  duplicatesRemoved?: Array<{ step: string; id: string }>;
}

/** `details[0]` of the ApplicationFailure an onboarding fails with. */
export interface OnboardingFailureDetails {
  failedStep?: StepName;
  reason: string;
  undone: CompensationOutcome[];
  left: CompensationOutcome[];
}

import { FAILURE_TYPES } from './failures';
export { FAILURE_TYPES };

/** The message of every input failure, whether the worker's check or the workflow's own guard raised it. */
export function invalidInputMessage(what: string, problems: readonly string[]): string {
  return `Invalid ${what} (${problems.length} problem(s)):\n- ${problems.join('\n- ')}`;
}

/** Failures of the day-two workflows and activities; the CLI explains each (src/cli/errors.ts). */
/** The day-two failures, as the lifecycle code names them: entries of the one table. */
export const LIFECYCLE_FAILURES = {
  notFound: FAILURE_TYPES.onboardingNotFound,
  notCompleted: FAILURE_TYPES.onboardingNotCompleted,
  tornDown: FAILURE_TYPES.onboardingTornDown,
  updateConflict: FAILURE_TYPES.updateConflict,
  updateRaced: FAILURE_TYPES.updateRaced,
  verificationFailed: FAILURE_TYPES.verificationFailed,
  notAdoptable: FAILURE_TYPES.notAdoptable,
  baseConnectionInUse: FAILURE_TYPES.baseConnectionInUse,
} as const;

/** Failures of the input checks, which a workflow re-raises as its own (src/workflows/validation.ts). */
export const VALIDATION_FAILURE_TYPES = {
  onboarding: FAILURE_TYPES.invalidInput,
  unknownSource: FAILURE_TYPES.unknownSource,
  update: FAILURE_TYPES.invalidUpdateInput,
  adopt: FAILURE_TYPES.invalidAdoptInput,
  desired: FAILURE_TYPES.invalidDesiredState,
} as const;
