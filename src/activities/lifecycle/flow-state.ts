// setFlowState: enable or disable a flow (the flow action, If-Match).
import { ApplicationFailure } from '@temporalio/activity';
import { AepPreconditionFailedError } from '../../aep';
import type { SetFlowStateInput, SetFlowStateOutput } from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';
import { MAX_PRECONDITION_RETRIES } from './json-patch';

export function createFlowStateActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** `POST /flows/{id}/action?op=`, with the etag read just before; a 412 re-reads and tries again. */
    async setFlowState(input: SetFlowStateInput): Promise<SetFlowStateOutput> {
      const fs = api(input.sandbox).flowService;
      for (let failures = 0; failures <= MAX_PRECONDITION_RETRIES; failures++) {
        const flow = await fs.get('flows', input.flowId);
        if (flow.state === input.state) return { etag: flow.etag, state: input.state, changed: false };
        try {
          const res = await fs.flowAction(
            input.flowId,
            input.state === 'enabled' ? 'enable' : 'disable',
            flow.etag,
          );
          return { etag: res.etag, state: input.state, changed: true };
        } catch (err) {
          if (!(err instanceof AepPreconditionFailedError)) throw err;
        }
      }
      throw ApplicationFailure.retryable(
        `Flow ${input.flowId} kept changing`,
        LIFECYCLE_FAILURES.updateRaced,
      );
    },
  };
}
