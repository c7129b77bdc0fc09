// Flow Service flows (§5): create with its referential checks, the inlet URL of a streaming flow, and the
// enable/disable action.
import { hexId, uuid } from '../../core/ids';
import type { Router } from '../../core/router';
import type { RequestContext } from '../../core/types';
import type { KindRules } from './crud';
import {
  bad,
  BASE,
  checkIfMatch,
  get,
  ref,
  requireName,
  str,
  stringArray,
  touch,
  type Entity,
  type Kind,
} from './helpers';
import { specsOf, STREAMING_FLOW_SPECS } from './specs';
import { findResource, SCHEMAS } from '../../logic/xdm';

/** The major version a schema reference's `contentType` (`…+json;version=N[.M]`) names; undefined if none. */
function contentTypeMajor(schemaRef: unknown): string | undefined {
  const ct =
    schemaRef && typeof schemaRef === 'object'
      ? (schemaRef as Record<string, unknown>)['contentType']
      : undefined;
  return typeof ct === 'string' ? /;\s*version\s*=\s*"?(\d+)/i.exec(ct)?.[1] : undefined;
}

interface FlowRefs {
  inheritedAttributes: Record<string, unknown>;
}

/** Referential checks of a flow body (on create, and again after a PATCH). */
function checkFlowRefs(ctx: RequestContext, body: Record<string, unknown>): FlowRefs {
  const flowSpecRef = ref(body['flowSpec']);
  if (!str(flowSpecRef.id)) bad("'flowSpec.id' is required.");
  const flowSpec = specsOf(ctx.tenant, 'flowSpecs').find((s) => s.id === flowSpecRef.id);
  if (!flowSpec) bad(`Invalid flow spec id ${flowSpecRef.id}.`, 'FLOW-1413-400');
  const tenant = ctx.tenant;
  const lookup = (kind: Kind, field: string, allowed: unknown): Entity[] =>
    stringArray(body, field).map((id) => {
      const e = tenant.collection<Entity>(kind).get(id);
      if (!e) bad(`${kind === 'sourceConnections' ? 'Source' : 'Target'} connection ${id} not found.`);
      const specId = ref(e['connectionSpec']).id;
      if (!(allowed as string[]).includes(specId ?? ''))
        bad(
          `Connection spec ${specId} of ${id} is not supported by flow spec ${flowSpec.id}.`,
          'FLOW-1413-400',
        );
      return e;
    });
  const sources = lookup('sourceConnections', 'sourceConnectionIds', flowSpec['sourceConnectionSpecIds']);
  const targets = lookup('targetConnections', 'targetConnectionIds', flowSpec['targetConnectionSpecIds']);

  const transformations = body['transformations'] ?? [];
  if (!Array.isArray(transformations)) bad("'transformations' must be an array.");
  for (const t of transformations as Array<{ name?: unknown; params?: Record<string, unknown> }>) {
    const mappingId = str(t?.params?.['mappingId']);
    if (!mappingId) continue;
    const mappingSet = tenant.collection<Entity>('mappingSets').get(mappingId);
    if (!mappingSet) bad(`Mapping set ${mappingId} not found.`);
    const wanted = t.params?.['mappingVersion'];
    const latest = typeof mappingSet['version'] === 'number' ? mappingSet['version'] : 0;
    if (
      wanted !== undefined &&
      !(Number.isInteger(Number(wanted)) && Number(wanted) >= 0 && Number(wanted) <= latest)
    )
      bad(`Invalid mappingVersion ${JSON.stringify(wanted)} for mapping set ${mappingId}.`, 'FLOW-1412-400');
    const mappingRef = (mappingSet['outputSchema'] as Record<string, unknown> | undefined)?.['schemaRef'];
    const mappingSchema = ref(mappingRef).id;
    const mappingMajor = contentTypeMajor(mappingRef);
    for (const target of targets) {
      const dataSetId = str((target['params'] as Record<string, unknown> | undefined)?.['dataSetId']);
      const dataSet = dataSetId ? tenant.collection<Entity>('dataSets').get(dataSetId) : undefined;
      const dataSetSchema = ref(dataSet?.['schemaRef']).id;
      if (mappingSchema !== dataSetSchema)
        bad(
          `The mapping schema ${mappingSchema} does not match the schema ${dataSetSchema} of target dataset ${dataSetId}.`,
          'FLOW-1425-400',
        );
      // Same id and version (docs/aep-api.md §5.6): the version as Schema Registry holds the schema now, its major
      // being what a content type names (`;version={major}`); the dataset's own reference when the schema is not here.
      const stored = dataSetSchema ? findResource(tenant, SCHEMAS, dataSetSchema) : undefined;
      const dataSetMajor = stored
        ? String(stored.version).split('.')[0]
        : contentTypeMajor(dataSet?.['schemaRef']);
      if (mappingMajor !== undefined && dataSetMajor !== undefined && mappingMajor !== dataSetMajor)
        bad(
          `The mapping schema ${mappingSchema} version ${mappingMajor} does not match version ${dataSetMajor} of the schema of target dataset ${dataSetId}.`,
          'FLOW-1425-400',
        );
    }
  }
  const summary = (e: Entity): Record<string, unknown> => ({ id: e.id, connectionSpec: e['connectionSpec'] });
  return {
    inheritedAttributes: {
      properties: { isSourceFlow: true },
      sourceConnections: sources.map(summary),
      targetConnections: targets.map(summary),
    },
  };
}

/**
 * HTTP API: the flow streams into its source connection's base connection inlet (`auth.params.inletUrl`), so the
 * inlet finds the flow by it [U]: AEP documents the inlet on the connection, not on such a flow.
 */
function baseInletUrl(ctx: RequestContext, body: Record<string, unknown>): string | undefined {
  const sourceId = stringArray(body, 'sourceConnectionIds')[0];
  const source = sourceId ? ctx.tenant.collection<Entity>('sourceConnections').get(sourceId) : undefined;
  const baseId = source?.['baseConnectionId'];
  const base =
    typeof baseId === 'string' ? ctx.tenant.collection<Entity>('connections').get(baseId) : undefined;
  const url = (base?.['auth'] as { params?: { inletUrl?: unknown } } | undefined)?.params?.inletUrl;
  return typeof url === 'string' ? url : undefined;
}

function validateFlow(ctx: RequestContext, body: Record<string, unknown>): Record<string, unknown> {
  if ('state' in body) bad("'state' cannot be set when creating a flow.", 'FLOW-1410-400');
  requireName(body);
  const { inheritedAttributes } = checkFlowRefs(ctx, body);
  const flowSpec = ref(body['flowSpec']);
  const options = { ...(body['options'] as Record<string, unknown> | undefined) };
  if (STREAMING_FLOW_SPECS.has(flowSpec.id ?? ''))
    options['inletUrl'] = baseInletUrl(ctx, body) ?? `${ctx.origin}/collection/${hexId(32)}`;
  const at = ctx.now();
  return {
    flowSpec: { id: flowSpec.id, version: str(flowSpec.version) ?? '1.0' },
    state: 'enabled',
    sourceConnectionIds: stringArray(body, 'sourceConnectionIds'),
    targetConnectionIds: stringArray(body, 'targetConnectionIds'),
    transformations: body['transformations'] ?? [],
    ...(body['scheduleParams'] !== undefined ? { scheduleParams: body['scheduleParams'] } : {}),
    options,
    inheritedAttributes,
    providerRefId: uuid(),
    lastOperation: { started: at, updated: at, operation: 'enable' },
  };
}

/** The inletUrl appears only `inletDelayMs` after flow creation (real AEP may lag, [U]). */
function present(ctx: RequestContext, e: Entity): Entity {
  const delay = ctx.options.inletDelayMs ?? 0;
  if (delay <= 0 || ctx.now() - Number(e['createdAt']) >= delay) return e;
  const options = { ...(e['options'] as Record<string, unknown> | undefined) };
  delete options['inletUrl'];
  return { ...e, options };
}

export const flowRules: KindRules = {
  validate: validateFlow,
  created(entity) {
    entity['runs'] = `/runs?property=flowId==${entity.id}`;
  },
  patched: (ctx, patched) => ({ ...patched, ...checkFlowRefs(ctx, patched) }),
  present,
};

export function registerFlowActions(router: Router): void {
  router.add('POST', `${BASE}/flows/:id/action`, (ctx) => {
    const flows = ctx.tenant.collection<Entity>('flows');
    const flow = get(ctx.tenant, 'flows', ctx.params['id'] ?? '');
    const op = (ctx.query.get('op') ?? '').toLowerCase();
    if (op !== 'enable' && op !== 'disable') bad(`Unsupported action op '${ctx.query.get('op') ?? ''}'.`);
    checkIfMatch(ctx, flow, false);
    const at = ctx.now();
    const updated = touch(ctx, {
      ...flow,
      state: op === 'enable' ? 'enabled' : 'disabled',
      lastOperation: { started: at, updated: at, operation: op },
    });
    flows.set(updated.id, updated);
    ctx.tenant.mutated();
    return { status: 200, body: { id: updated.id, etag: updated['etag'] } };
  });
}
