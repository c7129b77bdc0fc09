// One name, one onboarding: a second onboarding of the same org, sandbox, source and normalised name is refused at
// start, whatever its workflow id (the CLI derives one from the name, but the Web UI and `temporal workflow start`
// take any). The name is held by a lock workflow whose id is derived from the name alone (nameLockWorkflowId), so
// the refusal rests on workflow-id uniqueness, which the server enforces atomically: of two claims at the same
// moment exactly one starts the lock. A visibility query was the alternative; it is eventually consistent (two
// starts a few hundred ms apart both see nothing) and so cannot refuse a race, only report one afterwards.
//
// The onboarding starts the lock as an abandoned child holding {workflowId, runId}; it outlives its owner and ends
// on the owner's `release` signal: after a failed or cancelled run has compensated, after a teardown that left
// nothing. A release that is lost (a terminated run, a worker gone) leaves a stale lock, which the next claim
// recognises from the owner's record and replaces (inspectNameLock in src/activities/name-lock.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { NameKey, NameLockOwner } from '../shared/contracts/name-lock';
import { NAME_LOCK_OWNER_MEMO } from '../shared/naming';
import { FAILURE_TYPES } from '../shared/failures';

export const NAME_LOCK_WORKFLOW_TYPE = 'onboardingNameLock';
export const releaseNameSignal = defineSignal<[{ workflowId: string }]>('release');

/** Holds one name until its owner releases it. Does nothing else, so its history stays a few events long. */
export async function onboardingNameLock(owner: NameLockOwner): Promise<void> {
  let released = false;
  setHandler(
    releaseNameSignal,
    (by) => {
      // Only the owner's workflow id frees the name (any of its runs: a later run may have taken the lock over).
      if (by.workflowId === owner.workflowId) released = true;
    },
    { description: 'The owner no longer holds the name (failed, cancelled or torn down)' },
  );
  await condition(() => released);
}

const lockId = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
});
const inspect = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 10 },
  summary: 'Another run holds the name: read its owner, refuse or take over',
});

/** Rounds of claim/inspect before giving up: each round lost means another claim won a race for a stale lock. */
const CLAIM_ROUNDS = 5;

export interface NameClaim {
  lockId: string;
  /** Frees the name; never fails the caller (a lost release only leaves a stale lock, reclaimed later). */
  release(): Promise<void>;
}

/**
 * Claims the name for this workflow before anything is created, or fails the run with a non-retryable
 * DuplicateOnboarding naming the onboarding that holds it.
 */
export async function claimOnboardingName(
  { source, sandbox, name }: NameKey,
  /** The lock id prepareOnboarding worked out, for runs that take it from there (the caller's patch decides). */
  known?: string,
): Promise<NameClaim> {
  const key = { source, sandbox, name };
  const { workflowId, runId } = workflowInfo();
  const id = known ?? (await lockId.nameLockId(key)).lockId;
  const owner: NameLockOwner = { workflowId, runId };
  /** The lock, when this run started it: its completion is an event of this run's history (see release). */
  let child: ChildWorkflowHandle<typeof onboardingNameLock> | undefined;
  for (let round = 1; ; round++) {
    try {
      // Not cancellable, and abandoned: cancelling or closing the onboarding must not end the lock.
      child = await CancellationScope.nonCancellable(() =>
        startChild(onboardingNameLock, {
          workflowId: id,
          args: [owner],
          memo: { [NAME_LOCK_OWNER_MEMO]: owner },
          parentClosePolicy: ParentClosePolicy.ABANDON,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          staticSummary: `Holds the ${key.source} onboarding name "${key.name}" (sandbox ${key.sandbox}) for ${workflowId}`,
        }),
      );
      break;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      if (round >= CLAIM_ROUNDS) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.nameLockContention,
          nonRetryable: true,
          message: `Could not claim the name "${key.name}": other onboardings kept claiming it (lock ${id})`,
        });
      }
    }
    const { verdict } = await inspect
      .inspectNameLock({ ...key, lockId: id, workflowId })
      .catch((err: unknown) => {
        // The refusal is the run's own failure, not an activity's: the caller sees DuplicateOnboarding at once.
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw err.cause;
        throw err;
      });
    if (verdict === 'held-by-us') break;
  }
  return {
    lockId: id,
    release: async () => {
      await signalRelease(id, workflowId);
      // A child's completion is recorded in its parent's history even when abandoned. Wait for it: a run that
      // closed while it landed would see its close refused (UnhandledCommand) and its workflow task retried.
      if (child) await CancellationScope.nonCancellable(() => child.result().catch(() => undefined));
    },
  };
}

/** Frees a name held by `owner` (a teardown's onboarding), looking up the lock's id as a claim does. */
export async function releaseOnboardingName(key: NameKey & { owner: string }): Promise<void> {
  const { source, sandbox, name, owner } = key;
  const { lockId: id } = await CancellationScope.nonCancellable(() =>
    lockId.nameLockId({ source, sandbox, name }),
  );
  await signalRelease(id, owner);
}

async function signalRelease(id: string, owner: string): Promise<void> {
  // Runs also after a cancellation (the onboarding's catch block): a cancelled scope would drop the signal.
  await CancellationScope.nonCancellable(async () => {
    try {
      await getExternalWorkflowHandle(id).signal(releaseNameSignal, { workflowId: owner });
    } catch (err) {
      if (isCancellation(err)) throw err;
      // No lock running (an onboarding from before the lock, or released already): nothing holds the name.
      log.info('name lock not released', { lockId: id, error: String(err) });
    }
  });
}
