// Flow Service base connections (§5).
import type { KindRules } from './crud';
import { bad, requireName, type Entity } from './helpers';
import { connectionSpecOf } from './specs';

export const connectionRules: KindRules = {
  validate(_ctx, body) {
    requireName(body);
    return {
      connectionSpec: connectionSpecOf(body),
      state: 'enabled',
      ...(body['auth'] !== undefined ? { auth: body['auth'] } : {}),
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
