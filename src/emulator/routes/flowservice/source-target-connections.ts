// Flow Service source and target connections (§5).
import { STREAMING_PROVIDER_ID } from '../../../shared/aep-constants';
import type { RequestContext } from '../../core/types';
import type { KindRules } from './crud';
import { bad, requireName, str, type Entity } from './helpers';
import { connectionSpecOf, TARGET_SPEC_IDS } from './specs';

/** A source or target connection an enabled flow still uses cannot be deleted. */
function checkNoActiveFlow(
  ctx: RequestContext,
  id: string,
  field: 'sourceConnectionIds' | 'targetConnectionIds',
): void {
  const flows = [...ctx.tenant.collection<Entity>('flows').values()];
  const active = flows.filter((f) => f['state'] === 'enabled' && (f[field] as string[]).includes(id));
  if (active.length > 0)
    bad(`Found active flows containing id ${id}: ${active.map((f) => f.id).join(', ')}`, 'FLOW-1447-400');
}

export const sourceConnectionRules: KindRules = {
  validate(ctx, body) {
    requireName(body);
    const connectionSpec = connectionSpecOf(body);
    if (TARGET_SPEC_IDS.has(connectionSpec.id))
      bad(`Connection spec ${connectionSpec.id} is not a source spec.`, 'FLOW-1413-400');
    if (!body['data'] || typeof body['data'] !== 'object') bad("'data' is required.");
    const baseConnectionId = str(body['baseConnectionId']);
    if (baseConnectionId && !ctx.tenant.collection('connections').has(baseConnectionId))
      bad(`Base connection ${baseConnectionId} not found.`);
    return {
      ...(baseConnectionId ? { baseConnectionId } : {}),
      connectionSpec,
      state: 'enabled',
      data: body['data'],
      params: body['params'] ?? {},
      providerRefId: str(body['providerId']) ?? STREAMING_PROVIDER_ID,
      inheritedAttributes: baseConnectionId
        ? { baseConnection: { id: baseConnectionId, connectionSpec } }
        : {},
    };
  },
  checkDelete: (ctx, id) => checkNoActiveFlow(ctx, id, 'sourceConnectionIds'),
};

function validateTargetConnection(
  ctx: RequestContext,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const connectionSpec = connectionSpecOf(body);
  if (!TARGET_SPEC_IDS.has(connectionSpec.id))
    bad(`Connection spec ${connectionSpec.id} is not a target spec.`, 'FLOW-1413-400');
  if (!body['data'] || typeof body['data'] !== 'object') bad("'data' is required.");
  const params = (body['params'] ?? {}) as Record<string, unknown>;
  const dataSetId = str(params['dataSetId']);
  if (!dataSetId) bad("'params.dataSetId' is required for the data lake connection spec.");
  if (!ctx.tenant.collection('dataSets').has(dataSetId)) bad(`Dataset ${dataSetId} not found.`);
  return { connectionSpec, state: 'enabled', data: body['data'], params };
}

export const targetConnectionRules: KindRules = {
  validate: validateTargetConnection,
  patched(ctx, patched) {
    validateTargetConnection(ctx, patched);
    return patched;
  },
  checkDelete: (ctx, id) => checkNoActiveFlow(ctx, id, 'targetConnectionIds'),
};
