// Flow Service (§5): connections, source/target connections, flows, runs, connection and flow specs.
import { createHash } from 'node:crypto';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../shared/aep-constants';
import { flowError } from '../core/errors';
import { hexId, newEtag, stripEtag, uuid } from '../core/ids';
import type { Router } from '../core/router';
import type { Reply, RequestContext, TenantStore } from '../core/types';
import { FilterError, filterItems, parseOrderBy, sortItems } from '../logic/filters';
import { applyJsonPatch, asPatch, JsonPatchError, type PatchOperation } from '../logic/jsonpatch';

const BASE = '/data/foundation/flowservice';
/** Our code for validation failures the error catalogue has no code for [U]. */
const BAD_REQUEST = 'FLOW-1400-400';
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Streaming ingestion is summarised in one run per flow per UTC hour [U]. */
export const RUN_WINDOW_MS = 3_600_000;

type Entity = { id: string; [key: string]: unknown };
type Kind = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

// ---------------------------------------------------------------------------------------------------------
// Specs (provider-owned, identical for every tenant). Contents beyond the ids are [U] (§5.9).

const SPEC_COMMON = { createdAt: 0, updatedAt: 0, createdBy: 'adobe', updatedBy: 'adobe', version: '1.0' };

const CONNECTION_SPECS: Entity[] = [
  {
    ...SPEC_COMMON,
    id: CHATLIO_CONNECTION_SPEC_ID,
    name: 'chatlio',
    providerId: STREAMING_PROVIDER_ID,
    type: 'streaming',
    attributes: { category: 'marketing automation', isSource: true, isPreview: true, uiAttributes: {} },
    authSpec: [],
    sourceSpec: { attributes: { uiAttributes: { isBeta: true, category: { key: 'marketingAutomation' } } } },
  },
  {
    ...SPEC_COMMON,
    id: HTTP_API_CONNECTION_SPEC_ID,
    name: 'Streaming Connection',
    providerId: STREAMING_PROVIDER_ID,
    type: 'streaming',
    attributes: { category: 'streaming', isSource: true },
    authSpec: [],
    sourceSpec: { attributes: {} },
  },
  {
    ...SPEC_COMMON,
    id: DATA_LAKE_CONNECTION_SPEC_ID,
    name: 'Data Lake',
    providerId: STREAMING_PROVIDER_ID,
    type: 'datalake',
    attributes: { isDestination: true },
    authSpec: [],
    targetSpec: { attributes: {} },
  },
];

const TARGET_SPEC_IDS = new Set([DATA_LAKE_CONNECTION_SPEC_ID]);

const FLOW_SPECS: Entity[] = [
  {
    ...SPEC_COMMON,
    id: GENERIC_STREAMING_FLOW_SPEC_ID,
    name: 'GenericStreamingAEP',
    providerId: STREAMING_PROVIDER_ID,
    sourceConnectionSpecIds: [CHATLIO_CONNECTION_SPEC_ID, HTTP_API_CONNECTION_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_CONNECTION_SPEC_ID],
    transformationSpecs: [
      { name: 'Mapping', spec: { type: 'object', properties: { mappingId: {}, mappingVersion: {} } } },
    ],
    optionSpec: {
      name: 'OptionSpec',
      spec: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          errorDiagnosticsEnabled: { title: 'Error diagnostics.', type: 'boolean', default: false },
          partialIngestionPercent: { title: 'Partial ingestion threshold.', type: 'number' },
        },
      },
    },
    attributes: { isSourceFlow: true, streaming: true },
  },
];

const STREAMING_FLOW_SPECS = new Set([GENERIC_STREAMING_FLOW_SPEC_ID]);

// ---------------------------------------------------------------------------------------------------------
// Helpers

function notFound(type: string, id: string): never {
  throw flowError(
    404,
    'FLOW-1439-404',
    `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`,
    { id, type },
  );
}

function bad(message: string, code = BAD_REQUEST): never {
  throw flowError(400, code, message);
}

function objectBody(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.json();
  if (!body || typeof body !== 'object' || Array.isArray(body))
    bad('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function ref(v: unknown): { id?: string; version?: string } {
  const o = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return { id: str(o['id']), version: str(o['version']) };
}

function stringArray(body: Record<string, unknown>, field: string): string[] {
  const v = body[field];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(`'${field}' must be an array of ids.`);
  return v as string[];
}

function get(tenant: TenantStore, kind: string, id: string): Entity {
  return tenant.collection<Entity>(kind).get(id) ?? notFound(kind, id);
}

function sandboxId(org: string, sandbox: string): string {
  const h = createHash('sha256').update(`${org}/${sandbox}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function clientOf(ctx: RequestContext): string {
  return ctx.headers['x-api-key'] ?? 'unknown';
}

function commonFields(ctx: RequestContext, body: Record<string, unknown>): Entity {
  const etag = newEtag();
  const at = ctx.now();
  const client = clientOf(ctx);
  return {
    id: uuid(),
    createdAt: at,
    updatedAt: at,
    createdBy: `${client}@AdobeID`,
    updatedBy: `${client}@AdobeID`,
    createdClient: client,
    updatedClient: client,
    sandboxId: sandboxId(ctx.org, ctx.sandbox),
    sandboxName: ctx.sandbox,
    imsOrgId: ctx.org,
    name: body['name'],
    description: body['description'] ?? '',
    version: etag,
    etag,
  };
}

function touch(ctx: RequestContext, e: Entity): Entity {
  const etag = newEtag();
  const client = clientOf(ctx);
  return {
    ...e,
    updatedAt: ctx.now(),
    updatedBy: `${client}@AdobeID`,
    updatedClient: client,
    version: etag,
    etag,
  };
}

/** If-Match (§5.5): compared without quotes/backslashes; `required` for PATCH, optional for actions. */
function checkIfMatch(ctx: RequestContext, entity: Entity, required: boolean): void {
  const supplied = ctx.headers['if-match'];
  if (supplied === undefined || supplied.trim() === '') {
    if (required) bad("header 'If-Match' is missing", 'FLOW-1403-400');
    return;
  }
  const current = String(entity['etag']);
  if (stripEtag(supplied) !== stripEtag(current)) {
    throw flowError(
      412,
      'FLOW-1404-412',
      `Supplied version=["${stripEtag(supplied)}"] does not match the current version on entity=[${current}]`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Validation per kind: returns the kind-specific fields of the stored entity.

function connectionSpecOf(body: Record<string, unknown>): { id: string; version: string } {
  const spec = ref(body['connectionSpec']);
  if (!str(spec.id)) bad("'connectionSpec.id' is required.");
  if (!CONNECTION_SPECS.some((s) => s.id === spec.id))
    bad(`Invalid connection spec id ${spec.id}.`, 'FLOW-1413-400');
  return { id: spec.id as string, version: str(spec.version) ?? '1.0' };
}

function requireName(body: Record<string, unknown>): void {
  if (!str(body['name'])) bad("'name' is required.");
}

function validateConnection(_ctx: RequestContext, body: Record<string, unknown>): Record<string, unknown> {
  requireName(body);
  return {
    connectionSpec: connectionSpecOf(body),
    state: 'enabled',
    ...(body['auth'] !== undefined ? { auth: body['auth'] } : {}),
    ...(body['params'] !== undefined ? { params: body['params'] } : {}),
  };
}

function validateSourceConnection(
  ctx: RequestContext,
  body: Record<string, unknown>,
): Record<string, unknown> {
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
    inheritedAttributes: baseConnectionId ? { baseConnection: { id: baseConnectionId, connectionSpec } } : {},
  };
}

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

interface FlowRefs {
  inheritedAttributes: Record<string, unknown>;
}

/** Referential checks of a flow body (on create, and again after a PATCH). */
function checkFlowRefs(ctx: RequestContext, body: Record<string, unknown>): FlowRefs {
  const flowSpecRef = ref(body['flowSpec']);
  if (!str(flowSpecRef.id)) bad("'flowSpec.id' is required.");
  const flowSpec = FLOW_SPECS.find((s) => s.id === flowSpecRef.id);
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
    const mappingSchema = ref(
      ref((mappingSet['outputSchema'] as Record<string, unknown> | undefined)?.['schemaRef']),
    ).id;
    for (const target of targets) {
      const dataSetId = str((target['params'] as Record<string, unknown> | undefined)?.['dataSetId']);
      const dataSet = dataSetId ? tenant.collection<Entity>('dataSets').get(dataSetId) : undefined;
      const dataSetSchema = ref(dataSet?.['schemaRef']).id;
      if (mappingSchema !== dataSetSchema)
        bad(
          `The mapping schema ${mappingSchema} does not match the schema ${dataSetSchema} of target dataset ${dataSetId}.`,
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

function validateFlow(ctx: RequestContext, body: Record<string, unknown>): Record<string, unknown> {
  if ('state' in body) bad("'state' cannot be set when creating a flow.", 'FLOW-1410-400');
  requireName(body);
  const { inheritedAttributes } = checkFlowRefs(ctx, body);
  const flowSpec = ref(body['flowSpec']);
  const options = { ...(body['options'] as Record<string, unknown> | undefined) };
  if (STREAMING_FLOW_SPECS.has(flowSpec.id ?? ''))
    options['inletUrl'] = `${ctx.origin}/collection/${hexId(32)}`;
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

const VALIDATORS: Record<
  Kind,
  (ctx: RequestContext, body: Record<string, unknown>) => Record<string, unknown>
> = {
  connections: validateConnection,
  sourceConnections: validateSourceConnection,
  targetConnections: validateTargetConnection,
  flows: validateFlow,
};

/** Server-owned fields a PATCH may not touch (FLOW-1455-400, as an unknown path would). */
const READ_ONLY = new Set([
  'id',
  'etag',
  'version',
  'createdAt',
  'createdBy',
  'createdClient',
  'updatedAt',
  'updatedBy',
  'updatedClient',
  'imsOrgId',
  'sandboxId',
  'sandboxName',
  'state',
  'flowSpec',
  'inheritedAttributes',
  'lastOperation',
  'runs',
  'providerRefId',
  'baseConnectionId',
]);

// ---------------------------------------------------------------------------------------------------------
// Listing (§5.4)

interface PageToken {
  o: number;
}

function positiveInt(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) bad(`Invalid ${what} '${raw}'.`);
  return Number(raw);
}

function listReply(ctx: RequestContext, resource: string, all: Entity[]): Reply {
  const q = ctx.query;
  const count = q.get('count')?.toLowerCase() === 'true';
  if (count && q.has('limit')) bad("'count' cannot be combined with 'limit'.", 'FLOW-1401-400');
  let items: Entity[];
  try {
    items = filterItems(all, q.getAll('property'));
    const orderby = q.get('orderby');
    if (orderby) {
      try {
        items = sortItems(items, parseOrderBy(orderby));
      } catch (err) {
        if (err instanceof FilterError) bad(err.message, 'FLOW-1432-400');
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof FilterError) bad(err.message);
    throw err;
  }
  if (count) return { status: 200, body: { count: items.length } };

  const limit = Math.min(
    q.has('limit') ? positiveInt(q.get('limit') ?? '', 'limit') : DEFAULT_LIMIT,
    MAX_LIMIT,
  );
  let offset = 0;
  const token = q.get('continuationToken');
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
      if (!Number.isInteger(parsed.o) || parsed.o < 0) throw new Error('bad offset');
      offset = parsed.o;
    } catch {
      bad('Invalid continuationToken.');
    }
  }
  const page = items.slice(offset, offset + limit);
  const links: Record<string, { href: string }> = {};
  if (offset + limit < items.length) {
    const next = new URLSearchParams();
    for (const [k, v] of q) if (k !== 'continuationToken' && k !== 'limit') next.append(k, v);
    next.set('limit', String(limit));
    next.set('continuationToken', Buffer.from(JSON.stringify({ o: offset + limit })).toString('base64url'));
    links['next'] = { href: `/${resource}?${next.toString()}` };
  }
  return { status: 200, body: { items: page, _links: links } };
}

/** The inletUrl appears only `inletDelayMs` after flow creation (real AEP may lag, [U]). */
function present(ctx: RequestContext, kind: string, e: Entity): Entity {
  const delay = ctx.options.inletDelayMs ?? 0;
  if (kind !== 'flows' || delay <= 0 || ctx.now() - Number(e['createdAt']) >= delay) return e;
  const options = { ...(e['options'] as Record<string, unknown> | undefined) };
  delete options['inletUrl'];
  return { ...e, options };
}

// ---------------------------------------------------------------------------------------------------------
// Runs

/**
 * Adds ingestion counts to the flow's run of the current UTC hour (creating it), so streaming flows expose
 * one run per hour window with cumulative recordSummary; status is 'failed' once any record failed [U].
 */
export function recordRun(
  tenant: TenantStore,
  flowId: string,
  counts: {
    input: number;
    output: number;
    failed: number;
    errors?: Array<{ code: string; message: string }>;
  },
  now: number,
): void {
  const runs = tenant.collection<Entity>('runs');
  const flows = tenant.collection<Entity>('flows');
  const flow = flows.get(flowId);
  const windowStart = Math.floor(now / RUN_WINDOW_MS) * RUN_WINDOW_MS;
  let run = [...runs.values()].find((r) => r['flowId'] === flowId && r['windowStart'] === windowStart);
  if (!run) {
    run = {
      id: uuid(),
      flowId,
      windowStart,
      createdAt: now,
      createdBy: flow?.['createdBy'],
      sandboxId: flow?.['sandboxId'],
      sandboxName: flow?.['sandboxName'],
      imsOrgId: flow?.['imsOrgId'],
      providerRefId: flow?.['providerRefId'],
      metrics: {
        durationSummary: { startedAtUTC: now, completedAtUTC: now },
        sizeSummary: { inputBytes: 0, outputBytes: 0 },
        recordSummary: { inputRecordCount: 0, outputRecordCount: 0, failedRecordCount: 0 },
        fileSummary: { inputFileCount: 0, outputFileCount: 0 },
        statusSummary: { status: 'success', errors: [] },
      },
      activities: [],
    };
  }
  const metrics = run['metrics'] as {
    durationSummary: { startedAtUTC: number; completedAtUTC: number };
    recordSummary: { inputRecordCount: number; outputRecordCount: number; failedRecordCount: number };
    statusSummary: { status: string; errors: Array<{ code: string; message: string }> };
  };
  metrics.durationSummary.completedAtUTC = now;
  metrics.recordSummary.inputRecordCount += counts.input;
  metrics.recordSummary.outputRecordCount += counts.output;
  metrics.recordSummary.failedRecordCount += counts.failed;
  // Keep the run small: the first errors explain a failure as well as all of them.
  metrics.statusSummary.errors = [...metrics.statusSummary.errors, ...(counts.errors ?? [])].slice(0, 100);
  metrics.statusSummary.status = metrics.recordSummary.failedRecordCount > 0 ? 'failed' : 'success';
  run['activities'] = [
    { id: 'promotionActivity', statusSummary: structuredClone(metrics.statusSummary), targetInfo: [] },
  ];
  const etag = newEtag();
  run['etag'] = etag;
  run['updatedAt'] = now;
  runs.set(run.id, run);
  if (flow) {
    flows.set(flowId, {
      ...flow,
      lastRunDetails: {
        id: run.id,
        state: metrics.statusSummary.status,
        startedAtUTC: metrics.durationSummary.startedAtUTC,
        completedAtUTC: now,
      },
    });
  }
  tenant.mutated();
}

// ---------------------------------------------------------------------------------------------------------
// Routes

function registerKind(router: Router, kind: Kind): void {
  const validate = VALIDATORS[kind];
  router.add('POST', `${BASE}/${kind}`, (ctx) => {
    const body = objectBody(ctx);
    const entity = { ...commonFields(ctx, body), ...validate(ctx, body) };
    if (kind === 'flows') entity['runs'] = `/runs?property=flowId==${entity.id}`;
    ctx.tenant.collection<Entity>(kind).set(entity.id, entity);
    ctx.tenant.mutated();
    return { status: 201, body: { id: entity.id, etag: entity['etag'] } };
  });

  router.add('GET', `${BASE}/${kind}`, (ctx) =>
    listReply(
      ctx,
      kind,
      [...ctx.tenant.collection<Entity>(kind).values()].map((e) => present(ctx, kind, e)),
    ),
  );

  router.add('GET', `${BASE}/${kind}/:id`, (ctx) => ({
    status: 200,
    body: { items: [present(ctx, kind, get(ctx.tenant, kind, ctx.params['id'] ?? ''))] },
  }));

  router.add('PATCH', `${BASE}/${kind}/:id`, (ctx) => {
    const current = get(ctx.tenant, kind, ctx.params['id'] ?? '');
    checkIfMatch(ctx, current, true);
    let ops: PatchOperation[];
    let patched: Entity;
    try {
      ops = asPatch(ctx.json());
      for (const { path } of ops) {
        const top = path.split('/')[1] ?? '';
        if (top === 'connectionSpec')
          bad('The connection spec of a connection cannot be updated.', 'FLOW-1414-400');
        if (READ_ONLY.has(top)) bad(`Path ${path} cannot be updated.`, 'FLOW-1455-400');
      }
      patched = applyJsonPatch(current, ops);
    } catch (err) {
      if (!(err instanceof JsonPatchError)) throw err;
      if (err.reason === 'unsupported-op') bad(err.message, 'FLOW-1434-400');
      if (err.reason === 'unknown-path') bad(err.message, 'FLOW-1455-400');
      bad(err.message);
    }
    if (kind === 'flows') patched = { ...patched, ...checkFlowRefs(ctx, patched) };
    if (kind === 'targetConnections') validateTargetConnection(ctx, patched);
    const updated = touch(ctx, patched);
    ctx.tenant.collection<Entity>(kind).set(updated.id, updated);
    ctx.tenant.mutated();
    return { status: 200, body: { id: updated.id, etag: updated['etag'] } };
  });

  router.add('DELETE', `${BASE}/${kind}/:id`, (ctx) => {
    const id = ctx.params['id'] ?? '';
    get(ctx.tenant, kind, id);
    const flows = [...ctx.tenant.collection<Entity>('flows').values()];
    if (kind === 'connections') {
      const users = [...ctx.tenant.collection<Entity>('sourceConnections').values()].filter(
        (s) => s['baseConnectionId'] === id,
      );
      if (users.some((s) => flows.some((f) => (f['sourceConnectionIds'] as string[]).includes(s.id))))
        bad(`Base connection ${id} is used by flows; delete them first.`, 'FLOW-1418-400');
    }
    if (kind === 'sourceConnections' || kind === 'targetConnections') {
      const field = kind === 'sourceConnections' ? 'sourceConnectionIds' : 'targetConnectionIds';
      const active = flows.filter((f) => f['state'] === 'enabled' && (f[field] as string[]).includes(id));
      if (active.length > 0)
        bad(`Found active flows containing id ${id}: ${active.map((f) => f.id).join(', ')}`, 'FLOW-1447-400');
    }
    ctx.tenant.collection(kind).delete(id);
    ctx.tenant.mutated();
    return { status: 204 };
  });
}

function registerSpecs(router: Router, resource: string, specs: Entity[]): void {
  router.add('GET', `${BASE}/${resource}`, (ctx) => listReply(ctx, resource, specs));
  router.add('GET', `${BASE}/${resource}/:id`, (ctx) => {
    const id = ctx.params['id'] ?? '';
    // The OpenAPI allows a comma list of ids on GET by id.
    const found = id.split(',').map((one) => specs.find((s) => s.id === one) ?? notFound(resource, one));
    return { status: 200, body: { items: found } };
  });
}

export function register(router: Router): void {
  for (const kind of ['connections', 'sourceConnections', 'targetConnections', 'flows'] as const)
    registerKind(router, kind);

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

  router.add('GET', `${BASE}/runs`, (ctx) =>
    listReply(ctx, 'runs', [...ctx.tenant.collection<Entity>('runs').values()].map(publicRun)),
  );
  router.add('GET', `${BASE}/runs/:id`, (ctx) => ({
    status: 200,
    body: { items: [publicRun(get(ctx.tenant, 'runs', ctx.params['id'] ?? ''))] },
  }));

  registerSpecs(router, 'connectionSpecs', CONNECTION_SPECS);
  registerSpecs(router, 'flowSpecs', FLOW_SPECS);
}

/** windowStart is our bookkeeping, not an AEP field. */
function publicRun(run: Entity): Entity {
  const { windowStart: _w, ...rest } = run;
  return rest;
}
