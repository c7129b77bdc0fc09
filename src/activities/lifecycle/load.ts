// loadOnboarding: the record of a completed onboarding (or adopt run), which every day-two workflow starts from.
import { ApplicationFailure } from '@temporalio/activity';
import type { LoadedOnboarding } from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';

export function createLoadActivities(deps: Pick<ActivityDeps, 'records'>) {
  return {
    /** The record of a completed onboarding (or adopt run), read through the injected records (deps.records). */
    async loadOnboarding(input: { workflowId: string }): Promise<LoadedOnboarding> {
      const record = await deps.records.read(input.workflowId);
      if (!record) {
        throw ApplicationFailure.nonRetryable(
          `No onboarding with workflow id ${input.workflowId}`,
          LIFECYCLE_FAILURES.notFound,
        );
      }
      if (!record.result) {
        throw ApplicationFailure.nonRetryable(
          `Onboarding ${input.workflowId} is ${record.lifecycle}, not completed: ` +
            (record.status === 'RUNNING'
              ? 'wait for it to end, or cancel it (a cancelled onboarding deletes what it created).'
              : 'it holds no resources (a failed or cancelled onboarding deleted what it created).'),
          LIFECYCLE_FAILURES.notCompleted,
        );
      }
      return {
        workflowId: record.workflowId,
        runId: record.runId,
        kind: record.kind,
        lifecycle: record.lifecycle,
        result: record.result,
      };
    },
  };
}
