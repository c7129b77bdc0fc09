// Flow Service base connections (§5). An HTTP API (streaming) connection gets its inlet on create, in
// `auth.params.inletUrl` / `inletId` as the tutorial's GET shows (…/create/streaming/http.md).
import { HTTP_API_CONNECTION_SPEC_ID } from '../../../shared/aep-constants';
import { hexId } from '../../core/ids';
import type { KindRules } from './crud';
import { bad, requireName, type Entity } from './helpers';
import { connectionSpecOf } from './specs';

/** The tutorial's two forms: `dataType` "raw" (mapped by the flow) or "xdm"; `authenticationRequired` optional. */
function streamingAuth(origin: string, auth: unknown): Record<string, unknown> {
  const a = (auth ?? {}) as { specName?: unknown; params?: Record<string, unknown> };
  const params = a.params;
  if (!params || typeof params !== 'object') bad("'auth.params' is required for a streaming connection.");
  if (params['dataType'] !== 'raw' && params['dataType'] !== 'xdm')
    bad("'auth.params.dataType' must be 'raw' or 'xdm'.");
  if (params['authenticationRequired'] !== undefined && typeof params['authenticationRequired'] !== 'boolean')
    bad("'auth.params.authenticationRequired' must be a boolean.");
  const inletId = hexId(32);
  return {
    specName: typeof a.specName === 'string' ? a.specName : 'Streaming Connection',
    params: { ...params, inletId, inletUrl: `${origin}/collection/${inletId}` },
  };
}

export const connectionRules: KindRules = {
  validate(ctx, body) {
    requireName(body);
    const connectionSpec = connectionSpecOf(ctx.tenant, body);
    const auth =
      connectionSpec.id === HTTP_API_CONNECTION_SPEC_ID
        ? streamingAuth(ctx.origin, body['auth'])
        : body['auth'];
    return {
      connectionSpec,
      state: 'enabled',
      ...(auth !== undefined ? { auth } : {}),
      ...(body['params'] !== undefined ? { params: body['params'] } : {}),
    };
  },
  checkDelete(ctx, id) {
    const flows = [...ctx.tenant.collection<Entity>('flows').values()];
    const users = [...ctx.tenant.collection<Entity>('sourceConnections').values()].filter(
      (s) => s['baseConnectionId'] === id,
    );
    if (users.some((s) => flows.some((f) => (f['sourceConnectionIds'] as string[]).includes(s.id))))
      bad(`Base connection ${id} is used by flows; delete them first.`, 'FLOW-1418-400');
  },
};
