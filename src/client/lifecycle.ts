// Day-two operations from outside the worker: what the CLI (and the worker's own activities, through their client)
// use to read an onboarding's record and to run the lifecycle workflows addressed by the onboarding's workflow id.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { OnboardingResult } from '../shared/onboarding';
import {
  DEFAULT_TASK_QUEUE,
  fnv1a,
  normaliseName,
  ONBOARDING_WORKFLOW_TYPE,
  onboardingWorkflowId,
} from '../shared/naming';
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from '../shared/search-attributes';
import type {
  AdoptInput,
  BaseConnectionInput,
  BaseConnectionResult,
  RunsResult,
  TeardownInput,
  TeardownResult,
  UpdateInput,
  UpdateResult,
  VerifyResult,
} from '../workflows/lifecycle';
import type { PlanResult } from '../activities/lifecycle';
import { DuplicateOnboardingError, validateForStart } from './onboarding';

export const LIFECYCLE_WORKFLOW_TYPES = {
  adopt: 'adoptStreamingSource',
  teardown: 'teardownOnboarding',
  update: 'updateOnboarding',
  verify: 'verifyOnboarding',
  runs: 'onboardingRuns',
  plan: 'planOnboarding',
  baseConnection: 'baseConnectionOperation',
} as const;

/** Workflow types whose result is an OnboardingResult: an onboarding record. */
export const RECORD_TYPES = [ONBOARDING_WORKFLOW_TYPE, LIFECYCLE_WORKFLOW_TYPES.adopt] as const;

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

export type LifecycleOp = 'teardown' | 'update' | 'verify' | 'runs' | 'plan';

/** `onboard-…--teardown`: one id per operation and onboarding, so the conflict policy decides what may overlap. */
export function lifecycleWorkflowId(onboardingId: string, op: LifecycleOp): string {
  return `${onboardingId}--${op}`;
}

export interface OnboardingRecord {
  workflowId: string;
  runId: string;
  kind: 'onboarding' | 'adopted';
  /** Temporal's status of the onboarding (or adopt) run. */
  status: WorkflowExecutionStatusName;
  lifecycle: LifecycleStatus;
  startTime: Date;
  closeTime?: Date;
  /** Present once the run completed. */
  result?: OnboardingResult;
  /** The teardown that applies to this run (started after it closed), if any. */
  teardown?: { runId: string; status: WorkflowExecutionStatusName; result?: TeardownResult };
}

const CLOSED_STATUS: Partial<Record<WorkflowExecutionStatusName, LifecycleStatus>> = {
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
};

export async function describeOrUndefined(client: Client, workflowId: string) {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
}

/**
 * Where an onboarding stands, from Temporal alone (strongly consistent: describe and result by id, no visibility
 * query). A teardown applies to the run it followed: one that started before the run closed belongs to an earlier
 * run of the same id.
 */
export async function readOnboardingRecord(
  client: Client,
  workflowId: string,
): Promise<OnboardingRecord | undefined> {
  const desc = await describeOrUndefined(client, workflowId);
  if (!desc || !(RECORD_TYPES as readonly string[]).includes(desc.type)) return undefined;
  const kind = desc.type === ONBOARDING_WORKFLOW_TYPE ? 'onboarding' : 'adopted';
  const status = desc.status.name;
  const record: OnboardingRecord = {
    workflowId,
    runId: desc.runId,
    kind,
    status,
    startTime: desc.startTime,
    closeTime: desc.closeTime,
    lifecycle:
      status === 'RUNNING'
        ? ((desc.typedSearchAttributes.get(AepOnboardingStatus) as LifecycleStatus | undefined) ?? 'running')
        : status === 'COMPLETED'
          ? kind === 'adopted'
            ? 'adopted'
            : 'completed'
          : ((desc.typedSearchAttributes.get(AepOnboardingStatus) as LifecycleStatus | undefined) ??
            CLOSED_STATUS[status] ??
            'failed'),
  };
  if (status !== 'COMPLETED') return record;
  record.result = (await client.workflow.getHandle(workflowId, desc.runId).result()) as OnboardingResult;

  const teardownId = lifecycleWorkflowId(workflowId, 'teardown');
  const td = await describeOrUndefined(client, teardownId);
  if (td && desc.closeTime && td.startTime >= desc.closeTime) {
    const tdStatus = td.status.name;
    const result =
      tdStatus === 'COMPLETED'
        ? ((await client.workflow.getHandle(teardownId, td.runId).result()) as TeardownResult)
        : undefined;
    record.teardown = { runId: td.runId, status: tdStatus, result };
    record.lifecycle =
      tdStatus === 'RUNNING'
        ? 'tearing-down'
        : result && !result.left.length
          ? 'torn-down'
          : 'teardown-incomplete';
  }
  return record;
}

/**
 * The name an onboarding (or adopt) run under `workflowId` carries: its AepOnboardingName search attribute (set at
 * start by the CLI, and by the run itself once its input is checked), else its record's name; undefined when no
 * such run exists or it never got as far as a name.
 */
export async function storedOnboardingName(client: Client, workflowId: string): Promise<string | undefined> {
  const desc = await describeOrUndefined(client, workflowId);
  if (!desc || !(RECORD_TYPES as readonly string[]).includes(desc.type)) return undefined;
  const attribute = desc.typedSearchAttributes.get(AepOnboardingName);
  if (attribute !== undefined) return normaliseName(attribute);
  if (desc.status.name !== 'COMPLETED') return undefined;
  const result = (await client.workflow.getHandle(workflowId, desc.runId).result()) as OnboardingResult;
  return normaliseName(result.name);
}

/**
 * Whether the run under a workflow id derived from `name` is that name's. The id keeps only a slug and 48 bits of
 * the name's hash, so the stored name decides: a run there with another name is not this onboarding.
 */
export async function holdsName(client: Client, workflowId: string, name: string): Promise<boolean> {
  return (await storedOnboardingName(client, workflowId)) === normaliseName(name);
}

/** Refuses a derived workflow id that another name's onboarding holds (a name-hash collision): never act on it. */
export async function assertDerivedIdFree(client: Client, workflowId: string, name: string): Promise<void> {
  const stored = await storedOnboardingName(client, workflowId);
  if (stored !== undefined && stored !== normaliseName(name)) {
    throw new Error(
      `Workflow id ${workflowId} belongs to the onboarding "${stored}", not "${normaliseName(name)}"; ` +
        `start this one under another workflow id.`,
    );
  }
}

/** A completed onboarding whose resources a teardown removed: its name may be used again. */
export async function isTornDown(client: Client, workflowId: string): Promise<boolean> {
  return (await readOnboardingRecord(client, workflowId))?.lifecycle === 'torn-down';
}

export interface LifecycleRunOptions {
  taskQueue?: string;
  /** Called once the workflow is started (or joined), before waiting for its result. */
  onStarted?: (workflowId: string, runId: string) => void;
}

const SEARCH_TAGS = (r: { source: string; sandbox: string; name: string }) => [
  { key: AepSource, value: r.source },
  { key: AepSandbox, value: r.sandbox },
  { key: AepOnboardingName, value: r.name },
];

async function runLifecycle<T>(
  client: Client,
  type: string,
  workflowId: string,
  args: unknown[],
  conflict: 'FAIL' | 'USE_EXISTING',
  opts: LifecycleRunOptions,
  summary: string,
): Promise<T> {
  const handle = await client.workflow.start(type, {
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId,
    args,
    workflowIdConflictPolicy: conflict,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: summary,
  });
  opts.onStarted?.(handle.workflowId, handle.firstExecutionRunId);
  return (await handle.result()) as T;
}

/** Deletes what the onboarding created, in dependency order. Two teardowns of one onboarding share one run. */
export function teardownOnboarding(
  client: Client,
  input: TeardownInput,
  opts: LifecycleRunOptions = {},
): Promise<TeardownResult> {
  return runLifecycle(
    client,
    LIFECYCLE_WORKFLOW_TYPES.teardown,
    lifecycleWorkflowId(input.workflowId, 'teardown'),
    [input],
    'USE_EXISTING',
    opts,
    `Tear down onboarding ${input.workflowId}`,
  );
}

/** One update at a time per onboarding: a second one while the first runs is refused (Temporal id conflict). */
export async function updateOnboarding(
  client: Client,
  input: UpdateInput,
  opts: LifecycleRunOptions = {},
): Promise<UpdateResult> {
  const workflowId = lifecycleWorkflowId(input.workflowId, 'update');
  try {
    return await runLifecycle(
      client,
      LIFECYCLE_WORKFLOW_TYPES.update,
      workflowId,
      [input],
      'FAIL',
      opts,
      `Update onboarding ${input.workflowId}`,
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Error(
        `Another update of ${input.workflowId} is running (workflow ${workflowId}); try again when it ends.`,
      );
    }
    throw err;
  }
}

export function verifyOnboarding(
  client: Client,
  input: { workflowId: string; timeoutMs?: number },
  opts: LifecycleRunOptions = {},
): Promise<VerifyResult> {
  return runLifecycle(
    client,
    LIFECYCLE_WORKFLOW_TYPES.verify,
    lifecycleWorkflowId(input.workflowId, 'verify'),
    [input],
    'USE_EXISTING',
    opts,
    `Verify onboarding ${input.workflowId}`,
  );
}

export function onboardingRuns(
  client: Client,
  input: { workflowId: string },
  opts: LifecycleRunOptions = {},
): Promise<RunsResult> {
  return runLifecycle(
    client,
    LIFECYCLE_WORKFLOW_TYPES.runs,
    lifecycleWorkflowId(input.workflowId, 'runs'),
    [input],
    'USE_EXISTING',
    opts,
    `Runs of onboarding ${input.workflowId}`,
  );
}

export interface PlanOptions extends LifecycleRunOptions {
  orgId: string;
  defaultSandbox: string;
  knownSources?: string[];
}

/** Validates the input as `start` would, then asks the worker what it would create, reuse or conflict with. */
export function planOnboarding(client: Client, raw: unknown, opts: PlanOptions): Promise<PlanResult> {
  const input = validateForStart(raw, opts.knownSources);
  const sandbox = input.sandbox ?? opts.defaultSandbox;
  const workflowId = onboardingWorkflowId({
    orgId: opts.orgId,
    sandbox,
    source: input.source,
    name: input.name,
  });
  // Same input, same plan run: the id carries a hash of the input.
  const planId = `${lifecycleWorkflowId(workflowId, 'plan')}-${fnv1a(JSON.stringify(input))}`;
  return runLifecycle(
    client,
    LIFECYCLE_WORKFLOW_TYPES.plan,
    planId,
    [{ workflowId, sandbox, input }],
    'USE_EXISTING',
    opts,
    `Plan onboarding "${input.name}" in sandbox ${sandbox}`,
  );
}

export interface AdoptOptions extends LifecycleRunOptions {
  orgId: string;
}

/**
 * Records a hand-made flow as an onboarding named `name`: the adopt run's id is the onboarding id that name would
 * get, so every command finds it by name. The name is refused while another live onboarding holds it.
 */
export async function adoptFlow(
  client: Client,
  input: Omit<AdoptInput, 'workflowId'>,
  opts: AdoptOptions,
): Promise<{ workflowId: string; result: OnboardingResult }> {
  const workflowId = onboardingWorkflowId({
    orgId: opts.orgId,
    sandbox: input.sandbox,
    source: input.source,
    name: input.name,
  });
  await assertDerivedIdFree(client, workflowId, input.name);
  try {
    const handle = await client.workflow.start(LIFECYCLE_WORKFLOW_TYPES.adopt, {
      taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowId,
      args: [{ ...input, workflowId } satisfies AdoptInput],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: (await isTornDown(client, workflowId))
        ? 'ALLOW_DUPLICATE'
        : 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [...SEARCH_TAGS(input), { key: AepOnboardingStatus, value: 'adopting' }],
      staticSummary: `Adopt flow ${input.flowId} as ${input.source} onboarding "${input.name}" (sandbox ${input.sandbox})`,
    });
    opts.onStarted?.(workflowId, handle.firstExecutionRunId);
    return { workflowId, result: (await handle.result()) as OnboardingResult };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const desc = await describeOrUndefined(client, workflowId);
      throw new DuplicateOnboardingError(workflowId, desc?.runId, desc?.status.name);
    }
    throw err;
  }
}

/** Update (name/description, If-Match) or delete (refused while flows use it) a base connection. */
export async function baseConnectionOperation(
  client: Client,
  input: BaseConnectionInput,
  opts: LifecycleRunOptions = {},
): Promise<BaseConnectionResult> {
  const workflowId = `connection-${input.sandbox}-${input.connectionId}`;
  try {
    return await runLifecycle(
      client,
      LIFECYCLE_WORKFLOW_TYPES.baseConnection,
      workflowId,
      [input],
      'FAIL',
      opts,
      `${input.op === 'delete' ? 'Delete' : 'Update'} base connection ${input.connectionId}`,
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Error(
        `Another operation on base connection ${input.connectionId} is running (workflow ${workflowId}).`,
      );
    }
    throw err;
  }
}

export interface OnboardingListing {
  workflowId: string;
  runId: string;
  name?: string;
  source?: string;
  sandbox?: string;
  kind: 'onboarding' | 'adopted';
  /** The onboarding's own status, or its teardown's when one followed it. */
  lifecycle: string;
  status: WorkflowExecutionStatusName;
  startTime: string;
}

/**
 * Every onboarding (latest run per workflow id) with its status, through search attributes: one visibility
 * query over onboarding, adopt and teardown runs; a teardown that started after the latest run overrides its status.
 */
export async function listOnboardings(
  client: Client,
  filter: { source?: string; sandbox?: string } = {},
): Promise<OnboardingListing[]> {
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const types = [...RECORD_TYPES, LIFECYCLE_WORKFLOW_TYPES.teardown].map(quote).join(', ');
  const clauses = [`WorkflowType IN (${types})`];
  if (filter.source) clauses.push(`${AepSource.name} = ${quote(filter.source)}`);
  if (filter.sandbox) clauses.push(`${AepSandbox.name} = ${quote(filter.sandbox)}`);
  const records = new Map<string, OnboardingListing>();
  const teardowns = new Map<string, { startTime: Date; lifecycle?: string }>();
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    const sa = wf.typedSearchAttributes;
    const lifecycle = sa.get(AepOnboardingStatus);
    if (wf.type === LIFECYCLE_WORKFLOW_TYPES.teardown) {
      const id = wf.workflowId.replace(/--teardown$/, '');
      const seen = teardowns.get(id);
      // A teardown that ended without recording its outcome (terminated, timed out) did not finish.
      const ended =
        wf.status.name !== 'RUNNING' && lifecycle === 'tearing-down' ? 'teardown-incomplete' : lifecycle;
      if (!seen || seen.startTime < wf.startTime)
        teardowns.set(id, { startTime: wf.startTime, lifecycle: ended });
      continue;
    }
    const seen = records.get(wf.workflowId);
    if (seen && seen.startTime >= wf.startTime.toISOString()) continue;
    const kind = wf.type === ONBOARDING_WORKFLOW_TYPE ? 'onboarding' : 'adopted';
    records.set(wf.workflowId, {
      workflowId: wf.workflowId,
      runId: wf.runId,
      name: sa.get(AepOnboardingName),
      source: sa.get(AepSource),
      sandbox: sa.get(AepSandbox),
      kind,
      lifecycle:
        wf.status.name === 'COMPLETED'
          ? kind === 'adopted'
            ? 'adopted'
            : 'completed'
          : (lifecycle ?? CLOSED_STATUS[wf.status.name] ?? wf.status.name.toLowerCase()),
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
    });
  }
  for (const [id, td] of teardowns) {
    const r = records.get(id);
    if (r && td.startTime.toISOString() >= r.startTime && r.status === 'COMPLETED' && td.lifecycle) {
      r.lifecycle = td.lifecycle;
    }
  }
  return [...records.values()].sort((a, b) => b.startTime.localeCompare(a.startTime));
}
