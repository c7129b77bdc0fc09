// The HTTP API source's base connection (`POST /connections`, …/create/streaming/http.md): created before the source
// connection that points at it, found first by name and the run's marker like every create (./ownership.ts), and
// the home of the source's inlet URL (`auth.params.inletUrl`, the tutorial's "Get streaming endpoint URL").
import { streamingBaseConnectionBody, type AepClient } from '../aep';
import { ensure, pickOne } from './ownership';
import { removeOwned, type ResourceKind } from './resources';
import type * as T from './types';

/** `auth.params.inletUrl` of a base connection, read tolerantly (auth is free-form per connection spec). */
export function inletUrlOfConnection(connection: { auth?: unknown }): string | undefined {
  const params = (connection.auth as { params?: { inletUrl?: unknown } } | null | undefined)?.params;
  return typeof params?.inletUrl === 'string' && params.inletUrl ? params.inletUrl : undefined;
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
