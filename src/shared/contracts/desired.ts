// Inputs and outputs of plan -f / apply: the plan of a desired-state file against live AEP, the apply workflow's
// input, its approval Update and its report. JSON, types only: the workflow, the client and the CLI import them.
import type { DesiredEntry, DesiredState } from '../desired-state';
import type { OnboardingIds } from '../onboarding';
import type { UpdateInput } from '../lifecycle-input';
import type { FieldChange } from './owned-state';

/** `keep`: under our management, not in the file, and no --prune: shown, never deleted. */
export type DesiredAction = 'create' | 'change' | 'noop' | 'conflict' | 'delete' | 'keep';

export interface DesiredPlanEntry {
  action: DesiredAction;
  /** The onboarding's workflow id (the one `aep-onboard start` derives). */
  workflowId: string;
  sandbox: string;
  source: string;
  name: string;
  /** Its position in the file; absent for an onboarding that is not in it. */
  index?: number;
  /** change: the owned fields whose live value is not the file's. conflict: those too, when they are why. */
  changes?: FieldChange[];
  /** conflict, keep, delete: why, in a person's words. */
  reasons?: string[];
  /** create: the input the onboarding starts with (sandbox resolved); its id was torn down before (may reuse). */
  start?: { input: DesiredEntry; afterTornDown: boolean };
  /** change (and a create with `enabled: false`): the update workflow's input. */
  update?: UpdateInput;
  /** What the record holds of an existing onboarding. */
  ids?: OnboardingIds;
  webhookUrl?: string;
}

export interface DesiredPlanSummary {
  create: number;
  change: number;
  delete: number;
  noop: number;
  conflict: number;
  keep: number;
}

export interface DesiredPlan {
  /** Over the desired state and every live value the plan was computed from (etags, versions, ids, records). */
  hash: string;
  prune: boolean;
  entries: DesiredPlanEntry[];
  summary: DesiredPlanSummary;
  /** The hash is the `knownHash` asked with: entries left out (the caller has them). */
  unchanged?: boolean;
}

export interface PlanDesiredInput {
  state: DesiredState;
  prune?: boolean;
  /** The hash of the plan the caller holds: when the new one has it too, its entries are left out. */
  knownHash?: string;
}

/** The planDesiredState workflow's input (`aep-onboard plan -f`). */
export interface PlanFileInput {
  /** The file's document as parsed (YAML or JSON), checked by the workflow's first activity. */
  file: unknown;
  prune?: boolean;
}

export interface ApplyInput extends PlanFileInput {
  /** Apply without waiting for the `approve` Update. */
  autoApprove?: boolean;
  /** Children at a time (default 4). */
  concurrency?: number;
  /** While waiting for approval the plan is computed again this often, so a live change makes it stale (60 s). */
  replanEveryMs?: number;
}

export interface ApproveInput {
  /** The hash of the plan the approver saw. */
  planHash: string;
}
export interface ApproveResult {
  planHash: string;
  summary: DesiredPlanSummary;
}

export type ApplyOutcome = 'created' | 'updated' | 'deleted' | 'unchanged' | 'kept' | 'skipped' | 'failed';

export interface ApplyEntryReport {
  action: DesiredAction;
  outcome: ApplyOutcome;
  workflowId: string;
  sandbox: string;
  source: string;
  name: string;
  ids?: OnboardingIds;
  webhookUrl?: string;
  /** update: what changed (JSON pointers, mappingSet, state). */
  changed?: string[];
  error?: string;
}

export type ApplyPhase = 'planning' | 'awaiting-approval' | 'applying' | 'done' | 'rejected';

export interface ApplyProgress {
  phase: ApplyPhase;
  plan?: DesiredPlan;
  reports: ApplyEntryReport[];
}

export interface ApplyResult {
  status: 'applied' | 'nothing-to-do' | 'rejected' | 'partly-failed';
  planHash: string;
  summary: DesiredPlanSummary;
  reports: ApplyEntryReport[];
}
