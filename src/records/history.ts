// What happened to an onboarding after its run: the completed update and reconcile runs under its lifecycle ids.
// The desired state of an onboarding is its record folded with these (drift), and a reconcile's new ids replace
// the record's (every day-two workflow, teardown included, then acts on the resources that exist now).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ReconcileResult } from '../shared/contracts/drift';
import type { UpdateResult } from '../shared/contracts/workflows';
import { lifecycleWorkflowId, type LifecycleOp } from '../shared/naming';
import type { OnboardingResult } from '../shared/onboarding';

/** A visibility-query string literal. */
const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The results of the completed runs of `${id}--${op}` that started at or after `since`, oldest first. The latest
 * run is read by describe (strongly consistent: the one just completed always counts); earlier ones through
 * visibility.
 */
export async function completedRuns<T>(
  client: Client,
  onboardingId: string,
  op: LifecycleOp,
  since: Date,
  opts: { latestOnly?: boolean } = {},
): Promise<T[]> {
  const workflowId = lifecycleWorkflowId(onboardingId, op);
  const runs = new Map<string, Date>();
  const latest = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
  // Never run: nothing to list (the common case costs one describe, no visibility query).
  if (!latest) return [];
  if (latest.status.name === 'COMPLETED') runs.set(latest.runId, latest.startTime);
  const done = opts.latestOnly && runs.size > 0;
  if (!done)
    for await (const wf of client.workflow.list({
      query: `WorkflowId = ${quote(workflowId)} AND ExecutionStatus = 'Completed'`,
    }))
      runs.set(wf.runId, wf.startTime);
  const kept = [...runs].filter(([, start]) => start >= since).sort((a, b) => +a[1] - +b[1]);
  return Promise.all(
    kept.map(([runId]) => client.workflow.getHandle(workflowId, runId).result() as Promise<T>),
  );
}

/** The completed updates of an onboarding after its run closed, oldest first. */
export function completedUpdates(client: Client, onboardingId: string, since: Date): Promise<UpdateResult[]> {
  return completedRuns<UpdateResult>(client, onboardingId, 'update', since);
}

/**
 * The record as it stands after the reconciles that followed it: the newest reconcile's ids (it started from the
 * record as folded so far, so it carries every earlier one's) replace those it re-created.
 */
export async function withReconciles(
  client: Client,
  result: OnboardingResult,
  since: Date,
): Promise<OnboardingResult> {
  const last = (
    await completedRuns<ReconcileResult>(client, result.workflowId, 'reconcile', since, { latestOnly: true })
  ).at(-1);
  return last ? foldReconcile(result, last) : result;
}

/** Pure: the record with a reconcile's ids, mapping version and webhook URL. */
export function foldReconcile(result: OnboardingResult, r: ReconcileResult): OnboardingResult {
  return {
    ...result,
    ids: { ...result.ids, ...r.ids },
    mappingVersion: r.mappingVersion,
    webhookUrl: r.webhookUrl,
  };
}
