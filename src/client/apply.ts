// plan -f and apply from outside the worker: the planDesiredState and applyDesiredState workflows, the apply's plan
// (its query), and its approval (the `approve` Update, with the hash of the plan shown).
import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { applyDesiredState } from '../workflows';
import { approveUpdate, getApplyProgressQuery, rejectUpdate } from '../workflows/apply';
import type {
  ApplyInput,
  ApplyProgress,
  ApproveResult,
  DesiredPlan,
  PlanFileInput,
} from '../shared/contracts/desired';
import { DEFAULT_TASK_QUEUE, DESIRED_WORKFLOW_TYPES, desiredWorkflowId } from '../shared/naming';
import { canonicalJson } from '../shared/owned-state';

export type ApplyHandle = WorkflowHandle<typeof applyDesiredState>;

export interface DesiredRunOptions {
  orgId: string;
  taskQueue?: string;
  /** Default: derived from the org and the file's content (and --prune), so one file has one apply at a time. */
  workflowId?: string;
}

/** The file's content hash: the same document (any key order, YAML or JSON) gives the same id. */
export function fileHash(file: unknown, prune: boolean): string {
  return createHash('sha256').update(canonicalJson({ file, prune })).digest('hex').slice(0, 16);
}

/**
 * Where and under which id a plan or an apply of `input` runs: one per org and file content (and --prune), joined
 * rather than started twice while one is open, started afresh once it has closed.
 */
function runOptions<I extends { file: unknown; prune?: boolean }>(
  kind: 'plan' | 'apply',
  input: I,
  opts: DesiredRunOptions,
) {
  return {
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId:
      opts.workflowId ??
      desiredWorkflowId(kind, { orgId: opts.orgId, fileHash: fileHash(input.file, Boolean(input.prune)) }),
    args: [input] as [I],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
  };
}

/** Runs the plan of a file on the worker (which holds the AEP credentials); reads only. */
export async function planDesiredFile(
  client: Client,
  input: PlanFileInput,
  opts: DesiredRunOptions,
): Promise<DesiredPlan> {
  const handle = await client.workflow.start(DESIRED_WORKFLOW_TYPES.plan, {
    ...runOptions('plan', input, opts),
    staticSummary: 'Plan a desired-state file (aep-onboard plan -f)',
  });
  return (await handle.result()) as DesiredPlan;
}

/** Starts (or, for the same file while one waits, joins) the apply. */
export async function startApply(
  client: Client,
  input: ApplyInput,
  opts: DesiredRunOptions,
): Promise<ApplyHandle> {
  return client.workflow.start<typeof applyDesiredState>(DESIRED_WORKFLOW_TYPES.apply, {
    ...runOptions('apply', input, opts),
    staticSummary: `Apply a desired-state file${input.prune ? ' (--prune)' : ''}${input.autoApprove ? ' (auto-approved)' : ''}`,
    staticDetails:
      'Plans, shows the plan here and in its query, waits for the `approve` Update naming the plan hash ' +
      '(Send an Update: name `approve`, input `{"planHash": "…"}`), then applies.',
  });
}

/**
 * The apply's progress once its plan is known: awaiting approval, or already past it (nothing to do, auto-approved,
 * done). Polls the query while the first plan is computed; undefined if the run ended without answering.
 */
export async function waitForPlan(handle: ApplyHandle, intervalMs = 200): Promise<ApplyProgress | undefined> {
  let ended = false;
  const done = handle.result().then(
    () => (ended = true),
    () => (ended = true),
  );
  while (!ended) {
    const p = await handle.query(getApplyProgressQuery).catch(() => undefined);
    if (p?.plan && p.phase !== 'planning') return p;
    await Promise.race([done, new Promise((r) => setTimeout(r, intervalMs))]);
  }
  return handle.query(getApplyProgressQuery).catch(() => undefined);
}

export class StalePlanError extends Error {}

/** Approves the plan with `planHash`; a stale hash (the validator's refusal, or the handler's re-plan) is thrown as such. */
export async function approveApply(handle: ApplyHandle, planHash: string): Promise<ApproveResult> {
  try {
    return await handle.executeUpdate(approveUpdate, { args: [{ planHash }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && /stale/i.test(err.cause?.message ?? err.message))
      throw new StalePlanError(err.cause?.message ?? err.message);
    throw err;
  }
}

export function rejectApply(handle: ApplyHandle, reason: string): Promise<void> {
  return handle.executeUpdate(rejectUpdate, { args: [{ reason }] });
}
