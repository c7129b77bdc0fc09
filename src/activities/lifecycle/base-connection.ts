// Base connections ("accounts") of authenticated sources: rename or re-describe one, or delete it.
import { ApplicationFailure } from '@temporalio/activity';
import { AepNotFoundError, AepValidationError } from '../../aep';
import type {
  DeleteBaseConnectionInput,
  DeleteBaseConnectionOutput,
  PatchBaseConnectionInput,
  PatchOutput,
} from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';
import { patchThreeWay } from './json-patch';

export function createBaseConnectionActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** Base connections ("accounts") of authenticated sources: name and description only, never credentials. */
    async patchBaseConnection(input: PatchBaseConnectionInput): Promise<PatchOutput> {
      const fs = api(input.sandbox).flowService;
      const out = await patchThreeWay({
        what: `base connection ${input.connectionId}`,
        read: () => fs.get('connections', input.connectionId),
        patch: (ops, etag) => fs.patch('connections', input.connectionId, ops, etag),
        want: () => ({
          ...(input.name !== undefined ? { '/name': input.name } : {}),
          ...(input.description !== undefined ? { '/description': input.description } : {}),
        }),
      });
      return { ...out, id: input.connectionId };
    },

    /** Refused while flows use it (FLOW-1418-400): the failure names those flows. 404 = already gone. */
    async deleteBaseConnection(input: DeleteBaseConnectionInput): Promise<DeleteBaseConnectionOutput> {
      const fs = api(input.sandbox).flowService;
      try {
        await fs.delete('connections', input.connectionId);
        return { id: input.connectionId, existed: true };
      } catch (err) {
        if (err instanceof AepNotFoundError) return { id: input.connectionId, existed: false };
        if (err instanceof AepValidationError && err.code?.startsWith('FLOW-1418')) {
          const sources = await fs.listAll('sourceConnections', {
            property: [`baseConnectionId==${input.connectionId}`],
          });
          const flows = sources.length
            ? await fs.listAll('flows', {
                property: [`sourceConnectionIds[]==${sources.map((s) => s.id).join(',')}`],
              })
            : [];
          throw ApplicationFailure.create({
            type: LIFECYCLE_FAILURES.baseConnectionInUse,
            nonRetryable: true,
            message:
              `Base connection ${input.connectionId} is used by ${flows.length || 'some'} flow(s)` +
              `${flows.length ? `: ${flows.map((f) => f.id).join(', ')}` : ''}. Delete those flows first.`,
            details: [{ connectionId: input.connectionId, flows: flows.map((f) => f.id) }],
          });
        }
        throw err;
      }
    },
  };
}
