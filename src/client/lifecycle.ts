// Day-two operations from outside the worker: what the CLI uses to run the lifecycle workflows addressed by the
// onboarding's workflow id. Reading an onboarding's record is src/records (re-exported here for the CLI).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { assertDerivedIdFree, describeOrUndefined, isTornDown } from '../records';
import type {
  AdoptInput,
  BaseConnectionInput,
  BaseConnectionResult,
  PlanResult,
  RunsResult,
  TeardownInput,
  TeardownResult,
  UpdateInput,
  UpdateResult,
  VerifyInput,
  VerifyResult,
} from '../shared/contracts';
import {
  DEFAULT_TASK_QUEUE,
  fnv1a,
  LIFECYCLE_WORKFLOW_TYPES,
  lifecycleWorkflowId,
  onboardingWorkflowId,
} from '../shared/naming';
import type { OnboardingResult } from '../shared/onboarding';
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from '../shared/search-attributes';
import { DuplicateOnboardingError, validateForStart } from './onboarding';

export {
  listOnboardings,
  readOnboardingRecord,
  type LifecycleStatus,
  type OnboardingListing,
  type OnboardingRecord,
} from '../records';
export {
  LIFECYCLE_WORKFLOW_TYPES,
  lifecycleWorkflowId,
  RECORD_TYPES,
  type LifecycleOp,
} from '../shared/naming';

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
  input: VerifyInput,
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
