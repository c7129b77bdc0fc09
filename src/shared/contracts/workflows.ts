// Inputs and results of the day-two workflows, as the client starts them and the CLI prints them. The onboarding
// workflow's own contract is src/shared/onboarding.ts; user-written inputs (update, adopt) are checked with the zod
// schemas of src/shared/lifecycle-input.ts, of which only the types are imported here.
import type { LoadedOnboarding, FlowRuns } from './lifecycle';
import type { ResourceStep } from './resources';

export type { AdoptInput, UpdateInput } from '../lifecycle-input';
export type { PlanResourcesInput as PlanInput, PlanResult } from './lifecycle';

export interface TeardownInput {
  /** The onboarding's (or adopt run's) workflow id. */
  workflowId: string;
}

export interface TeardownOutcome {
  step: ResourceStep;
  id?: string;
  /** `kept`: not ours to delete (reused, or adopted without being managed); `left`: still there, see reason. */
  outcome: 'deleted' | 'already-gone' | 'kept' | 'left';
  reason?: string;
}

export interface TeardownResult {
  workflowId: string;
  onboardingRunId: string;
  kind: LoadedOnboarding['kind'];
  name: string;
  source: string;
  sandbox: string;
  status: 'torn-down' | 'teardown-incomplete';
  outcomes: TeardownOutcome[];
  left: TeardownOutcome[];
}

export interface UpdateResult {
  workflowId: string;
  flowId: string;
  sandbox: string;
  /** JSON pointers of the flow that changed, plus `mappingSet` when it got a new version and `state`. */
  changed: string[];
  mappingVersion: number;
  state?: 'enabled' | 'disabled';
  etag?: string;
  /** 412s met (another writer changed the flow between read and PATCH) before the update landed. */
  preconditionFailures: number;
  /** The flow name and description this update set (the drift check's desired state folds them in). */
  flowName?: string;
  description?: string;
}

export interface RunsInput {
  workflowId: string;
}
export interface RunsResult extends FlowRuns {
  workflowId: string;
  name: string;
  sandbox: string;
}

export interface VerifyInput {
  workflowId: string;
  /** How long to wait for AEP to count the samples; default DEFAULT_VERIFY_TIMEOUT_MS (./lifecycle), 15 min. */
  timeoutMs?: number;
  /** Post with `syncValidation=true` (the inlet names an invalid sample's errors at once; dev only in AEP). */
  syncValidation?: boolean;
}
export interface VerifyResult {
  workflowId: string;
  flowId: string;
  datasetId: string;
  landed: string[];
}

export interface BaseConnectionInput {
  sandbox: string;
  connectionId: string;
  op: 'update' | 'delete';
  /** update only; credentials are never passed through a workflow (they would sit in its history). */
  name?: string;
  description?: string;
}

export type BaseConnectionResult =
  | { op: 'update'; connectionId: string; etag: string; changed: string[]; preconditionFailures: number }
  | { op: 'delete'; connectionId: string; existed: boolean };
