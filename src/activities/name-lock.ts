// The worker's half of the one-name lock (src/workflows/name-lock.ts). The lock's id needs the org, which only the
// worker knows; whether a held lock is stale needs its owner's record, read through the worker's own Temporal
// client, injected as deps.records (readNameLock: describe and result by id, strongly consistent, like every other record read).
import { ApplicationFailure } from '@temporalio/activity';
import type { DuplicateOnboardingDetails, NameKey } from '../shared/contracts/name-lock';
import { nameLockWorkflowId } from '../shared/naming';
import { FAILURE_TYPES } from '../shared/onboarding';
import type { ActivityDeps } from './deps';

export type * from '../shared/contracts/name-lock';

/** The name lock's workflow id for a key, in the worker's org (prepareOnboarding hands it to lean runs). */
export function lockIdFor(deps: Pick<ActivityDeps, 'aep'>, key: NameKey): string {
  return nameLockWorkflowId({ orgId: deps.aep.config.orgId, ...key });
}

export function createNameLockActivities(deps: Pick<ActivityDeps, 'aep' | 'records'>) {
  return {
    async nameLockId(input: NameKey): Promise<{ lockId: string }> {
      return { lockId: lockIdFor(deps, input) };
    },

    /**
     * A claim found the lock running. `held-by-us`: its owner is this same workflow id (an earlier run of it, which
     * ended without releasing); `freed`: it ended meanwhile, or it was stale and this lock run was terminated, so
     * the caller claims again. A holder (running, or completed and not torn down) makes this a DuplicateOnboarding,
     * before any AEP create.
     */
    async inspectNameLock(
      input: NameKey & { lockId: string; workflowId: string },
    ): Promise<{ verdict: 'held-by-us' | 'freed' }> {
      const lock = await deps.records.readNameLock(input.lockId);
      if (!lock) return { verdict: 'freed' };
      if (lock.owner?.workflowId === input.workflowId) return { verdict: 'held-by-us' };
      const { holder } = lock;
      if (holder) {
        const details: DuplicateOnboardingDetails = {
          workflowId: holder.workflowId,
          runId: holder.runId,
          lifecycle: holder.lifecycle,
        };
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.duplicateOnboarding,
          nonRetryable: true,
          message:
            `Another onboarding holds the ${input.source} name "${input.name}" in sandbox ${input.sandbox}: ` +
            `workflow ${holder.workflowId} (run ${holder.runId}), ${holder.lifecycle}. ` +
            (holder.status === 'RUNNING'
              ? `Follow it with 'aep-onboard watch ${holder.workflowId}' or cancel it.`
              : `Tear it down first, or choose another name.`),
          details: [details],
        });
      }
      // Only this run of the lock: a newer one, claimed by a racing onboarding meanwhile, must survive.
      await deps.records.terminateStaleNameLock(
        { lockId: input.lockId, runId: lock.runId },
        `stale: ${lock.owner?.workflowId ?? 'an unknown owner'} no longer holds the name`,
      );
      return { verdict: 'freed' };
    },
  };
}
