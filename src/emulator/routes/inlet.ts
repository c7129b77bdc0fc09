// Streaming inlet (DCS, reference §7): `POST /collection/{inletId}` with raw Chatlio JSON and the flow id in the
// `x-adobe-flow-id` query parameter or header. No gateway: Chatlio cannot send a token, so the inlet is
// unauthenticated and finds its tenant through the flow that owns the inlet URL.
//
// Emulator choices [U]:
// - Checks, in order: unknown inlet -> 404 inlet problem; missing flow id or a flow id that is not the inlet's
//   -> 400; an authenticated HTTP API inlet without a bearer token -> 401; disabled flow -> 400; body > 1 MB -> 413; unparsable JSON or a non-object -> 400 "Invalid XDM
//   Message Format". Content-Type is not checked (webhook senders vary).
// - Like AEP, the 200 does not reveal whether the record was valid. The record is mapped and validated before the
//   answer; it lands in the dataset `landingDelayMs` later and is counted (the flow's run, Observability Insights)
//   `aggregationDelayMs` after that (./ingestion.ts). Both default to 0: a GET right after the 200 sees the outcome.
// - `?syncValidation=true` answers 400 with the validation errors instead; the record is counted as failed in
//   the run either way.
// - Run error codes: STREAMING-1001-400 record invalid (mapping or XDM validation), STREAMING-1002-500 the
//   flow's mapping set, target connection, dataset or schema no longer exists.
import { randomInt } from 'node:crypto';
import { inletError } from '../core/errors';
import type { Router } from '../core/router';
import type { RequestContext, TenantStore } from '../core/types';
import { applyMappings } from '../logic/mapping';
import { coerceToSchema, resolveSchema, validateRecord } from '../logic/xdm';
import { DATASETS, type DataSet } from './catalog';
import { findMappingSet } from './dataprep';
import { enqueueIngestion, settleIngestion } from './ingestion';

const MAX_RECORD_BYTES = 1024 * 1024;
const AUTHORIZATION_PROBLEM = 'https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization';

interface Flow {
  id: string;
  state?: string;
  sourceConnectionIds?: string[];
  options?: { inletUrl?: string };
  targetConnectionIds?: string[];
  transformations?: Array<{ name?: string; params?: { mappingId?: string; mappingVersion?: unknown } }>;
}

function inletIdOf(flow: Flow): string | undefined {
  return flow.options?.inletUrl?.split('?')[0]?.split('/').pop();
}

/** All flows (across every org and sandbox) that stream into this inlet. */
function flowsOfInlet(ctx: RequestContext, inletId: string): Array<{ tenant: TenantStore; flow: Flow }> {
  const out: Array<{ tenant: TenantStore; flow: Flow }> = [];
  for (const { store } of ctx.state.tenants())
    for (const flow of store.collection<Flow>('flows').values())
      if (inletIdOf(flow) === inletId) out.push({ tenant: store, flow });
  return out;
}

type Outcome =
  | { ok: true; dataSetId: string; record: Record<string, unknown> }
  | { ok: false; code: string; errors: string[]; dataSetId?: string };

function configError(message: string): Outcome {
  return { ok: false, code: 'STREAMING-1002-500', errors: [message] };
}

/** Mapping + XDM validation of one raw record against the flow's target dataset. */
function ingest(tenant: TenantStore, flow: Flow, source: unknown, now: number): Outcome {
  const targetId = flow.targetConnectionIds?.[0];
  const target = targetId
    ? tenant.collection<{ id: string; params?: { dataSetId?: string } }>('targetConnections').get(targetId)
    : undefined;
  const dataSetId = target?.params?.dataSetId;
  if (!dataSetId) return configError(`Flow ${flow.id} has no target connection with a dataset.`);
  const dataSet = tenant.collection<DataSet>(DATASETS).get(dataSetId);
  if (!dataSet) return configError(`Target dataset ${dataSetId} no longer exists.`);
  const schema = resolveSchema(tenant, dataSet.schemaRef.id);
  if (!schema) return configError(`Schema ${dataSet.schemaRef.id} of dataset ${dataSetId} no longer exists.`);

  let record = source as Record<string, unknown>;
  const mapping = flow.transformations?.find((t) => t.params?.mappingId)?.params;
  if (mapping?.mappingId) {
    const version = mapping.mappingVersion === undefined ? undefined : Number(mapping.mappingVersion);
    const set = findMappingSet(tenant, mapping.mappingId, version);
    if (!set)
      return configError(`Mapping set ${mapping.mappingId} (version ${version ?? 'latest'}) not found.`);
    const applied = applyMappings(set.mappings, source, { now: () => now });
    if (applied.errors.length)
      return { ok: false, code: 'STREAMING-1001-400', errors: applied.errors, dataSetId };
    record = coerceToSchema(schema, applied.record) as Record<string, unknown>;
  }
  const errors = validateRecord(schema, record);
  return errors.length
    ? { ok: false, code: 'STREAMING-1001-400', errors, dataSetId }
    : { ok: true, dataSetId, record };
}

/**
 * HTTP API: an inlet whose base connection has `authenticationRequired: true` takes only posts with a bearer token
 * (the tutorial's appendix: 401 "Ims service token is empty"). Any non-empty bearer token passes [U]: the emulator
 * does not check it against IMS here.
 */
function requiresToken(tenant: TenantStore, flow: Flow): boolean {
  const source = tenant
    .collection<{ id: string; baseConnectionId?: string }>('sourceConnections')
    .get(flow.sourceConnectionIds?.[0] ?? '');
  const base = source?.baseConnectionId
    ? tenant
        .collection<{ id: string; auth?: { params?: { authenticationRequired?: unknown } } }>('connections')
        .get(source.baseConnectionId)
    : undefined;
  return base?.auth?.params?.authenticationRequired === true;
}

function collect(ctx: RequestContext) {
  const inletId = ctx.params.inletId ?? '';
  const flows = flowsOfInlet(ctx, inletId);
  if (flows.length === 0)
    throw inletError(404, 'Inlet not found', `inletId: [${inletId}] does not exist or has been deleted.`);
  const flowId = ctx.query.get('x-adobe-flow-id') ?? ctx.headers['x-adobe-flow-id'];
  if (!flowId)
    throw inletError(
      400,
      'Missing flow id',
      `inletId: [${inletId}] raw data needs the x-adobe-flow-id parameter.`,
    );
  const match = flows.find((f) => f.flow.id === flowId);
  if (!match)
    throw inletError(
      400,
      'Invalid flow id',
      `inletId: [${inletId}] flow [${flowId}] does not belong to this inlet.`,
    );
  if (requiresToken(match.tenant, match.flow) && !/^Bearer \S+/i.test(ctx.headers['authorization'] ?? ''))
    throw inletError(401, 'Authorization', `[${inletId}] Ims service token is empty`, AUTHORIZATION_PROBLEM);
  if (match.flow.state === 'disabled')
    throw inletError(400, 'Flow disabled', `inletId: [${inletId}] flow [${flowId}] is disabled.`);
  if (ctx.rawBody.length > MAX_RECORD_BYTES)
    throw inletError(413, 'Payload Too Large', `inletId: [${inletId}] record exceeds the 1 MB limit.`);
  let source: unknown;
  try {
    source = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    source = undefined;
  }
  if (typeof source !== 'object' || source === null || Array.isArray(source))
    throw inletError(
      400,
      'Invalid XDM Message Format',
      `inletId: [${inletId}] imsOrgId: [] Message is invalid: the body is not a JSON object.`,
    );
  ctx.checkBody();

  const now = ctx.now();
  const outcome = ingest(match.tenant, match.flow, source, now);
  enqueueIngestion(
    match.tenant,
    {
      flowId: match.flow.id,
      inletId,
      ...(outcome.ok
        ? { dataSetId: outcome.dataSetId, record: outcome.record }
        : {
            dataSetId: outcome.dataSetId,
            error: { code: outcome.code, message: outcome.errors.join('; ') },
          }),
    },
    now,
    ctx.options,
  );
  settleIngestion(ctx.state, now);
  if (!outcome.ok && ctx.query.get('syncValidation') === 'true')
    throw inletError(
      400,
      'Invalid XDM Message Format',
      `inletId: [${inletId}] flowId: [${flowId}] Message is invalid: ${outcome.errors.join('; ')}`,
    );
  return {
    status: 200,
    // StreamingIngestionResponse in streaming-ingestion.yaml: `inletID` (string), `receivedTimeMs` (integer).
    body: {
      inletID: inletId,
      xactionId: `${now}:${randomInt(1000, 10000)}:${randomInt(100, 1000)}`,
      receivedTimeMs: now,
    },
  };
}

export function register(r: Router): void {
  r.add('POST', '/collection/:inletId', collect, { gateway: 'none' });
}
