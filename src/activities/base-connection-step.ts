// The HTTP API source's base connection (`POST /connections`, …/create/streaming/http.md): created before the source
// connection that points at it, found first by name and the run's marker like every create (./ownership.ts), and
// the home of the source's inlet URL (`auth.params.inletUrl`, the tutorial's "Get streaming endpoint URL").
import { streamingBaseConnectionBody, type AepClient, type Flow, type FlowService } from '../aep';
import { HTTP_API_FLOW_SPEC_ID } from '../shared/aep-constants';
import { ensure, pickOne } from './ownership';
import { removeOwned, type ResourceKind } from './resources';
import type * as T from './types';

/** `auth.params.inletUrl` of a base connection, read tolerantly (auth is free-form per connection spec). */
export function inletUrlOfConnection(connection: { auth?: unknown }): string | undefined {
  const params = (connection.auth as { params?: { inletUrl?: unknown } } | null | undefined)?.params;
  return typeof params?.inletUrl === 'string' && params.inletUrl ? params.inletUrl : undefined;
}

/**
 * Whether the flow's inlet takes only posts with a bearer token: an HTTP API flow whose base connection was created
 * with `authenticationRequired: true`. Other flows cost no extra read.
 */
export async function inletNeedsToken(fs: FlowService, flow: Flow): Promise<boolean> {
  const sourceId = flow.sourceConnectionIds[0];
  if (flow.flowSpec.id !== HTTP_API_FLOW_SPEC_ID || !sourceId) return false;
  const baseId = (await fs.get('sourceConnections', sourceId)).baseConnectionId;
  if (!baseId) return false;
  const auth = (await fs.get('connections', baseId)).auth as
    { params?: { authenticationRequired?: unknown } } | null | undefined;
  return auth?.params?.authenticationRequired === true;
}

export function createBaseConnectionStepActivities(aep: AepClient, kind: ResourceKind, settleMs: number) {
  return {
    async ensureBaseConnection(input: T.EnsureBaseConnectionInput): Promise<T.IdEtagOutput> {
      const fs = aep.withSandbox(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const found = pickOne(await kind.ours(input.sandbox, input.name, input.marker), (r) => r.id);
          return found && { id: found.id, etag: found.etag ?? '' };
        },
        create: async () => fs.create('connections', streamingBaseConnectionBody(input)),
        settleMs,
      });
    },
    /** 404: already gone (done). Refused while a flow uses it: the flow and source connection are undone first. */
    async removeBaseConnection(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kind, input);
    },
  };
}
