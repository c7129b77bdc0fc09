// Inputs and outputs of the day-two activities (load, plan, adopt, update, verify, runs, base connections). They
// cross the workflow boundary as JSON; workflows, the client and the CLI import them as types.
import type { z } from 'zod';
import type { FlowOptionsSchema, ValidOnboardingInput } from '../input';
import type { OnboardingIds, OnboardingResult } from '../onboarding';
import type { Mapping } from '../preset-schema';
import type { ResourceStep } from './resources';

// The verify timeout's default and bounds have a home of their own (input.ts, which this file reads, checks them).
export {
  DEFAULT_VERIFY_TIMEOUT_MS,
  MAX_VERIFY_TIMEOUT_MS,
  MIN_VERIFY_TIMEOUT_MS,
  VERIFY_POLL,
  verifyTimeoutProblem,
} from '../verify-timeout';

/** Where an onboarding stands: its run's own status, or its teardown's once one followed it. */
export type LifecycleStatus =
  | 'running'
  | 'compensating'
  | 'completed'
  | 'adopted'
  | 'failed'
  | 'compensated'
  | 'cancelled'
  | 'terminated'
  | 'timed-out'
  | 'tearing-down'
  | 'torn-down'
  | 'teardown-incomplete';

/** The statuses of an onboarding whose resources are gone or going: day-two operations other than teardown refuse it. */
export const TORN_DOWN_STATUSES: readonly LifecycleStatus[] = [
  'tearing-down',
  'torn-down',
  'teardown-incomplete',
];

export interface LoadedOnboarding {
  workflowId: string;
  runId: string;
  /** `adopted`: recorded by an adopt run, not created by an onboarding. */
  kind: 'onboarding' | 'adopted';
  lifecycle: LifecycleStatus;
  result: OnboardingResult;
}

export type PlanAction = 'create' | 'reuse' | 'conflict' | 'skip';
export interface PlanItem {
  step: ResourceStep | 'onboarding';
  action: PlanAction;
  name?: string;
  id?: string;
  reason?: string;
}
export interface PlanResourcesInput {
  /** The workflow id the onboarding would run under: every name derives from it. */
  workflowId: string;
  sandbox: string;
  input: ValidOnboardingInput;
}
export interface PlanResult {
  workflowId: string;
  sandbox: string;
  source: string;
  name: string;
  tenantId: string;
  items: PlanItem[];
  create: PlanItem[];
  reuse: PlanItem[];
  conflict: PlanItem[];
  skip: PlanItem[];
}

export interface ReadAdoptableInput {
  sandbox: string;
  flowId: string;
  /** The source the caller expects (it is part of the onboarding's workflow id). */
  source: string;
}
export interface AdoptableFlow {
  source: string;
  flowName: string;
  ids: Omit<OnboardingIds, 'fieldGroupId'>;
  etags: OnboardingResult['etags'];
  mappingVersion: number;
  inletUrl: string;
}

export interface UpdateMappingsInput {
  sandbox: string;
  mappingSetId: string;
  /** Added, or replacing the mapping with the same destination; `_{TENANT}` is resolved here. */
  overrides: Mapping[];
  /** Destinations whose mappings are removed. */
  drop: string[];
}
export interface UpdateMappingsOutput {
  version: number;
  changed: boolean;
  mappings: number;
}

export type FlowOptions = z.infer<typeof FlowOptionsSchema>;
export interface PatchFlowInput {
  sandbox: string;
  flowId: string;
  name?: string;
  description?: string;
  options?: FlowOptions;
  /** Points the flow's mapping transformation at this version of its mapping set. */
  mappingVersion?: number;
}
export interface FieldConflict {
  path: string;
  /** The value when this update read the entity. */
  base: unknown;
  ours: unknown;
  theirs: unknown;
}
export interface PatchOutput {
  id: string;
  etag: string;
  /** JSON pointers this update changed (empty: everything already had the wanted value). */
  changed: string[];
  /** How many 412s it met before landing. */
  preconditionFailures: number;
}

export interface SetFlowStateInput {
  sandbox: string;
  flowId: string;
  state: 'enabled' | 'disabled';
}
export interface SetFlowStateOutput {
  etag: string;
  state: 'enabled' | 'disabled';
  changed: boolean;
}

export interface RunSummary {
  id: string;
  status: string;
  failed: boolean;
  startedAt?: number;
  completedAt?: number;
  inputRecords: number;
  outputRecords: number;
  failedRecords: number;
  errors: Array<{ code?: string; message?: string }>;
}
export interface FlowRuns {
  flowId: string;
  /** Newest first. */
  runs: RunSummary[];
  totals: { inputRecords: number; outputRecords: number; failedRecords: number };
  failedRuns: number;
}

/** @deprecated verifyWebhook's input: the one-activity verification, kept for runs that scheduled it (verify-legacy.ts). */
export interface VerifyWebhookInput {
  sandbox: string;
  flowId: string;
  webhookUrl: string;
  datasetId: string;
  samples: Record<string, Record<string, unknown>>;
  timeoutMs?: number;
}
/** @deprecated See VerifyWebhookInput. */
export interface VerifyWebhookOutput {
  landed: string[];
}

export interface PostSamplesInput {
  sandbox: string;
  flowId: string;
  webhookUrl: string;
  datasetId: string;
  /** One body per webhook type, posted as the source would post it. */
  samples: Record<string, Record<string, unknown>>;
  /** Posts with `syncValidation=true`: the inlet refuses an invalid record at once, naming its errors. */
  syncValidation?: boolean;
}
/** What AEP has counted for the flow and its dataset, read before the samples were posted and at each check. */
export interface VerifyCounts {
  /** The flow's runs: records written, records failed, errors listed. */
  runsOutput: number;
  runsFailed: number;
  runsErrors: number;
  /** Observability Insights on the dataset (0 when the API is not available to the credential). */
  datasetSuccess: number;
  datasetRejected: number;
}
export interface PostSamplesOutput {
  baseline: VerifyCounts;
  /** The samples the inlet accepted (200). */
  accepted: string[];
  /** The samples the inlet refused (4xx), with its reason. */
  refused: SampleFailure[];
}
export interface CheckSamplesInput {
  sandbox: string;
  flowId: string;
  datasetId: string;
  baseline: VerifyCounts;
}
export interface CheckSamplesOutput {
  counts: VerifyCounts;
  /** Counted since the baseline: landed (the more of the run metrics and the dataset metrics), and failed. */
  landed: number;
  failed: number;
  /** The run errors listed since the baseline. */
  errors: Array<{ code?: string; message?: string }>;
}
export interface SampleFailure {
  sample: string;
  reason: string;
}
/** `details[0]` of a VerificationFailed failure. */
export interface VerificationFailureDetails {
  flowId: string;
  datasetId: string;
  /** The samples known to have landed (all accepted ones, when every one was counted as landed). */
  landed: string[];
  failed: SampleFailure[];
  /** The deadline passed before AEP counted every accepted sample. */
  timedOut?: boolean;
  /** Workflow time from the post to the verdict. */
  waitedMs?: number;
  /** How many checks read the metrics. */
  checks?: number;
}

export interface PatchBaseConnectionInput {
  sandbox: string;
  connectionId: string;
  name?: string;
  description?: string;
}
export interface DeleteBaseConnectionInput {
  sandbox: string;
  connectionId: string;
}
export interface DeleteBaseConnectionOutput {
  id: string;
  existed: boolean;
}
