// The name lock (src/workflows/name-lock.ts) seen from outside a workflow: who holds a name, read by describe and
// result by id (strongly consistent). The worker's claim (src/activities/name-lock.ts) and the CLI's name
// resolution (src/cli/context.ts) both decide by this one rule.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { NameLockOwner } from '../shared/contracts/name-lock';
import { NAME_LOCK_OWNER_MEMO, nameLockWorkflowId } from '../shared/naming';
import { describeOrUndefined, holdsName, readOnboardingRecord, type OnboardingRecord } from './records';

export interface NameLockState {
  /** The lock's run: a stale one is terminated by this run id, never a newer claim's. */
  runId: string;
  owner?: NameLockOwner;
  /** The onboarding that holds the name through this lock; absent when the lock is stale. */
  holder?: OnboardingRecord;
}

/**
 * A name's running lock (src/workflows/name-lock.ts) and who holds the name through it. The owner's latest run
 * decides (a later run of the owner's id takes the lock over): it holds the name while it runs, or once completed
 * until a teardown removed everything; closed without completing, or torn down, the lock is stale.
 */
export async function readNameLock(client: Client, lockId: string): Promise<NameLockState | undefined> {
  const desc = await describeOrUndefined(client, lockId);
  if (desc?.status.name !== 'RUNNING') return undefined;
  const owner = desc.memo?.[NAME_LOCK_OWNER_MEMO] as NameLockState['owner'];
  const record = owner ? await readOnboardingRecord(client, owner.workflowId) : undefined;
  const holds =
    record?.status === 'RUNNING' || (record?.status === 'COMPLETED' && record.lifecycle !== 'torn-down');
  return { runId: desc.runId, owner, holder: holds ? record : undefined };
}

/** The workflow id of the onboarding that holds a name, if one does (strongly consistent: describe by id). */
export async function nameHolder(
  client: Client,
  key: { orgId: string; sandbox: string; source: string; name: string },
): Promise<string | undefined> {
  const holder = (await readNameLock(client, nameLockWorkflowId(key)))?.holder;
  return holder && (await holdsName(client, holder.workflowId, key.name)) ? holder.workflowId : undefined;
}

/**
 * Ends this one run of a stale lock (its owner no longer holds the name); a newer run, claimed by a racing
 * onboarding meanwhile, survives. Already ended counts as done.
 */
export async function terminateStaleNameLock(
  client: Client,
  lock: { lockId: string; runId: string },
  reason: string,
): Promise<void> {
  await client.workflow
    .getHandle(lock.lockId, lock.runId)
    .terminate(reason)
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
}
