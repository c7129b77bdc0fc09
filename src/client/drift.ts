// Drift from outside the worker: the per-sandbox schedule (created or updated idempotently), a one-off check, the
// latest scheduled check's result (what `list` and `status` show), and reconcile.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import {
  DEFAULT_DRIFT_EVERY_MS,
  driftIntervalProblem,
  driftScheduleId,
  type DriftCheckInput,
  type DriftCheckResult,
  type ReconcileResult,
} from '../shared/contracts/drift';
import { parseDuration } from '../shared/duration';
import { DEFAULT_TASK_QUEUE, LIFECYCLE_WORKFLOW_TYPES, lifecycleWorkflowId } from '../shared/naming';

export { parseDuration };

export interface DriftScheduleOptions {
  orgId: string;
  sandbox: string;
  everyMs?: number;
  silenceMs?: number;
  taskQueue?: string;
}

export { driftIntervalProblem };

function scheduleAction(o: DriftScheduleOptions): ScheduleOptionsAction {
  const input: DriftCheckInput = {
    orgId: o.orgId,
    sandbox: o.sandbox,
    notify: true,
    ...(o.silenceMs !== undefined ? { silenceMs: o.silenceMs } : {}),
  };
  return {
    type: 'startWorkflow',
    workflowType: LIFECYCLE_WORKFLOW_TYPES.drift,
    workflowId: driftScheduleId(o.orgId, o.sandbox),
    taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [input],
    staticSummary: `Drift and health check of sandbox ${o.sandbox}`,
  };
}

/**
 * Creates the sandbox's drift schedule, or updates its interval and action when it exists: running it twice with
 * the same options changes nothing. Overlaps are skipped (a slow check is never run twice at once); a missed run
 * (worker down) is caught up once.
 */
export async function ensureDriftSchedule(
  client: Client,
  o: DriftScheduleOptions,
): Promise<{ scheduleId: string; created: boolean; everyMs: number }> {
  const everyMs = o.everyMs ?? DEFAULT_DRIFT_EVERY_MS;
  const problem = driftIntervalProblem(everyMs);
  if (problem) throw new Error(`Drift schedule: ${problem}`);
  const scheduleId = driftScheduleId(o.orgId, o.sandbox);
  const spec = { intervals: [{ every: everyMs }] };
  const action = scheduleAction(o);
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(everyMs, 60_000) },
    });
    return { scheduleId, created: true, everyMs };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action }));
  return { scheduleId, created: false, everyMs };
}

/** A check now, of the sandbox (or one onboarding): the hook is left to the schedule, which keeps the last state. */
export async function runDriftCheck(
  client: Client,
  input: DriftCheckInput,
  opts: { taskQueue?: string } = {},
): Promise<DriftCheckResult> {
  const id = `${driftScheduleId(input.orgId, input.sandbox)}--now-${Date.now().toString(36)}`;
  const handle = await client.workflow.start(LIFECYCLE_WORKFLOW_TYPES.drift, {
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: id,
    args: [{ ...input, notify: false }],
    staticSummary: `Drift check of ${input.workflowId ?? `sandbox ${input.sandbox}`}`,
  });
  return (await handle.result()) as DriftCheckResult;
}

/**
 * The result of the sandbox's latest completed scheduled check, strongly consistent (the schedule's recent actions,
 * then describe by id); undefined when there is no schedule or no completed check yet.
 */
export async function latestDriftCheck(
  client: Client,
  orgId: string,
  sandbox: string,
): Promise<DriftCheckResult | undefined> {
  let recent;
  try {
    recent = (await client.schedule.getHandle(driftScheduleId(orgId, sandbox)).describe()).info.recentActions;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  for (const a of [...recent].reverse()) {
    const { workflowId, firstExecutionRunId } = a.action.workflow;
    const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
    const desc = await handle.describe().catch(() => undefined);
    if (desc?.status.name === 'COMPLETED') return (await handle.result()) as DriftCheckResult;
  }
  return undefined;
}

/** One reconcile at a time per onboarding. */
export async function reconcileOnboarding(
  client: Client,
  input: { workflowId: string },
  opts: { taskQueue?: string; onStarted?: (workflowId: string) => void } = {},
): Promise<ReconcileResult> {
  const workflowId = lifecycleWorkflowId(input.workflowId, 'reconcile');
  try {
    const handle = await client.workflow.start(LIFECYCLE_WORKFLOW_TYPES.reconcile, {
      taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `Reconcile onboarding ${input.workflowId}`,
    });
    opts.onStarted?.(workflowId);
    return (await handle.result()) as ReconcileResult;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new Error(`Another reconcile of ${input.workflowId} is running (workflow ${workflowId}).`);
    throw err;
  }
}
