// Data Prep mapping sets (reference §4), under /data/foundation/conversion and its documented-typo alias
// /data/foundation/mappingSets (§0.1).
//
// Emulator choices [U]: errors use the §0.4 shape with DATAPREP- codes — DATAPREP-1002-400 malformed mapping
// set or query, DATAPREP-1003-400 unknown output schema, DATAPREP-1004-400 destinations missing from the schema,
// DATAPREP-1010-404 unknown mapping set or version. DELETE answers 204 and removes every version; it is not
// refused while a flow references the set. Responses echo `sourceType` as Data Prep does: `text/x.schema-path` for
// ATTRIBUTE, `text/x.aep-xl` for EXPRESSION, STATIC as such (README "Mapping `sourceType` echo"); all of them are
// accepted back on PUT.
import { dataPrepError } from '../core/errors';
import { hexId } from '../core/ids';
import type { Router } from '../core/router';
import type { RequestContext, TenantStore } from '../core/types';
import {
  applyMappings,
  normaliseMappingSet,
  type Mapping,
  type NormalisedMappingSet,
  type SchemaRef,
} from '../logic/mapping';
import { coerceToSchema, pathExists, resolveSchema, type ResolvedSchema, type XdmNode } from '../logic/xdm';

const PREFIXES = ['/data/foundation/conversion/mappingSets', '/data/foundation/mappingSets'];
export const MAPPING_SETS = 'mappingSets';
/** Every version ever stored, keyed `{id}@{version}`; MAPPING_SETS holds the current one. */
const MAPPING_SET_VERSIONS = 'mappingSetVersions';

interface StoredMapping extends Mapping {
  id: string;
}

export interface StoredMappingSet {
  id: string;
  version: number;
  name?: string;
  description?: string;
  outputSchema: { schemaRef: SchemaRef };
  mappings: StoredMapping[];
  createdDate: number;
  modifiedDate: number;
  createdBy: string;
  modifiedBy: string;
}

function bad(message: string) {
  return dataPrepError(400, 'DATAPREP-1002-400', message);
}

function notFound(message: string) {
  return dataPrepError(404, 'DATAPREP-1010-404', message);
}

/** Normalises any request form and checks it against the tenant's schema; answers the resolved schema too. */
function validated(
  tenant: TenantStore,
  body: unknown,
): { set: NormalisedMappingSet; schema: ResolvedSchema } {
  const n = normaliseMappingSet(body);
  if (!n.ok) throw bad(`Invalid mapping set: ${n.errors.join('; ')}`);
  const schema = resolveSchema(tenant, n.value.outputSchema.schemaRef.id);
  if (!schema)
    throw dataPrepError(
      400,
      'DATAPREP-1003-400',
      `Output schema ${n.value.outputSchema.schemaRef.id} does not exist in this sandbox.`,
    );
  const missing = n.value.mappings.map((m) => m.destination).filter((d) => !pathExists(schema, d));
  if (missing.length)
    throw dataPrepError(
      400,
      'DATAPREP-1004-400',
      `Destination path(s) not found in schema ${schema.$id}: ${[...new Set(missing)].join(', ')}`,
    );
  // The schema is stored under its $id even when the client referenced it by meta:altId.
  n.value.outputSchema.schemaRef.id = schema.$id;
  return { set: n.value, schema };
}

function store(tenant: TenantStore, set: StoredMappingSet): void {
  tenant.collection<StoredMappingSet>(MAPPING_SETS).set(set.id, set);
  tenant
    .collection<StoredMappingSet & { setId: string }>(MAPPING_SET_VERSIONS)
    .set(`${set.id}@${set.version}`, {
      ...structuredClone(set),
      id: `${set.id}@${set.version}`,
      setId: set.id,
    });
  tenant.mutated();
}

/** A mapping set at a given version (current one when omitted); used by the inlet and by GET ?version=. */
export function findMappingSet(
  tenant: TenantStore,
  id: string,
  version?: number,
): StoredMappingSet | undefined {
  const current = tenant.collection<StoredMappingSet>(MAPPING_SETS).get(id);
  if (!current || version === undefined || version === current.version) return current;
  const old = tenant.collection<StoredMappingSet>(MAPPING_SET_VERSIONS).get(`${id}@${version}`);
  return old && { ...old, id };
}

function actor(ctx: RequestContext): string {
  return `${ctx.options.clientId}@AdobeID`;
}

/** The content types Data Prep answers instead of the enum it accepts; STATIC has no documented echo. */
const ECHOED_SOURCE_TYPE: Record<Mapping['sourceType'], string> = {
  ATTRIBUTE: 'text/x.schema-path',
  EXPRESSION: 'text/x.aep-xl',
  STATIC: 'STATIC',
};

function fullMapping(set: StoredMappingSet, m: StoredMapping): Record<string, unknown> {
  return {
    id: m.id,
    version: set.version,
    createdDate: set.createdDate,
    modifiedDate: set.modifiedDate,
    createdBy: set.createdBy,
    modifiedBy: set.modifiedBy,
    sourceType: ECHOED_SOURCE_TYPE[m.sourceType],
    source: m.source,
    destination: m.destination,
    name: m.name ?? m.destination,
    // data-prep.yaml types description as a string: absent rather than null when the mapping has none.
    ...(m.description !== undefined ? { description: m.description } : {}),
    identity: m.identity ?? false,
    primaryIdentity: m.primaryIdentity ?? false,
    matchScore: 0.0,
    functionVersion: 1,
    sourceAttribute: m.source,
    destinationXdmPath: m.destination,
  };
}

function fullBody(ctx: RequestContext, set: StoredMappingSet): Record<string, unknown> {
  const ref = set.outputSchema.schemaRef;
  const xdmVersion = /version=([\d.]+)/.exec(ref.contentType)?.[1] ?? '1.0';
  // SchemaRepresentation.version is an int32 in data-prep.yaml (its example: `"version": 0`); xdmVersion stays the
  // string the example shows ("1.0"). README "Data Prep mapping set answers".
  const version = Math.trunc(Number(xdmVersion)) || 0;
  const outputSchema: Record<string, unknown> = { id: ref.id, version, schemaRef: ref };
  if (ctx.query.get('expandSchema') === 'true') {
    const resolved = resolveSchema(ctx.tenant, ref.id);
    if (resolved) outputSchema.jsonSchema = resolved;
  }
  return {
    id: set.id,
    version: set.version,
    createdDate: set.createdDate,
    modifiedDate: set.modifiedDate,
    createdBy: set.createdBy,
    modifiedBy: set.modifiedBy,
    ...(set.name !== undefined ? { name: set.name } : {}),
    ...(set.description !== undefined ? { description: set.description } : {}),
    // No input schema: the spec's inputSchema is an object (SchemaRepresentation), so it is left out, not null.
    outputSchema,
    mappings: set.mappings.map((m) => fullMapping(set, m)),
    strictMapping: false,
    allowNullValues: false,
    xdmVersion,
    schemaRef: ref,
    xdmSchema: ref.id,
    status: 'PUBLISHED',
    supportVersion: '1.1',
  };
}

function summary(set: StoredMappingSet) {
  return {
    id: set.id,
    version: set.version,
    createdDate: set.createdDate,
    modifiedDate: set.modifiedDate,
    createdBy: set.createdBy,
    modifiedBy: set.modifiedBy,
  };
}

function withIds(mappings: Mapping[]): StoredMapping[] {
  return mappings.map((m) => ({ ...m, id: hexId(16) }));
}

function createSet(ctx: RequestContext) {
  const { set } = validated(ctx.tenant, ctx.json());
  const now = ctx.now();
  const stored: StoredMappingSet = {
    ...set,
    id: hexId(16),
    version: 0,
    mappings: withIds(set.mappings),
    createdDate: now,
    modifiedDate: now,
    createdBy: actor(ctx),
    modifiedBy: actor(ctx),
  };
  store(ctx.tenant, stored);
  return { status: 200, body: summary(stored) };
}

function versionParam(ctx: RequestContext): number | undefined {
  const raw = ctx.query.get('version');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0)
    throw bad(`"version" must be a non-negative integer.`);
  return n;
}

function requireSet(ctx: RequestContext, version?: number): StoredMappingSet {
  const id = ctx.params.id ?? '';
  const set = findMappingSet(ctx.tenant, id, version);
  if (!set)
    throw notFound(
      version === undefined
        ? `Mapping set ${id} not found.`
        : `Mapping set ${id} version ${version} not found.`,
    );
  return set;
}

function getSet(ctx: RequestContext) {
  return { status: 200, body: fullBody(ctx, requireSet(ctx, versionParam(ctx))) };
}

function intParam(ctx: RequestContext, name: string, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null) throw bad(`Query parameter "${name}" is required.`);
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw bad(`"${name}" must be an integer between ${min} and ${max}.`);
  return n;
}

function listSets(ctx: RequestContext) {
  // data-prep.yaml marks limit and start as required (no default applies): a list without them is refused.
  const limit = intParam(ctx, 'limit', 1, 1000);
  const start = intParam(ctx, 'start', 0, Number.MAX_SAFE_INTEGER);
  const name = ctx.query.get('name');
  let sets = [...ctx.tenant.collection<StoredMappingSet>(MAPPING_SETS).values()];
  if (name !== null) sets = sets.filter((s) => s.name === name);
  const orderBy = ctx.query.get('orderBy') ?? ctx.query.get('orderby');
  if (orderBy !== null) {
    const m = /^([-+ ]?)(createdDate|updatedDate)$/.exec(orderBy);
    if (!m) throw bad('"orderBy" must be createdDate or updatedDate, optionally prefixed with + or -.');
    const key = m[2] === 'createdDate' ? 'createdDate' : 'modifiedDate';
    const sign = m[1] === '-' ? -1 : 1;
    sets.sort((a, b) => sign * (a[key] - b[key]));
  }
  const page = sets.slice(start, start + limit);
  return {
    status: 200,
    body: { data: page.map((s) => fullBody(ctx, s)), _page: { count: sets.length, limit } },
  };
}

function updateSet(ctx: RequestContext) {
  const existing = requireSet(ctx);
  const { set } = validated(ctx.tenant, ctx.json());
  const updated: StoredMappingSet = {
    ...set,
    id: existing.id,
    version: existing.version + 1,
    mappings: withIds(set.mappings),
    createdDate: existing.createdDate,
    modifiedDate: ctx.now(),
    createdBy: existing.createdBy,
    modifiedBy: actor(ctx),
  };
  store(ctx.tenant, updated);
  return { status: 200, body: fullBody(ctx, updated) };
}

function deleteSet(ctx: RequestContext) {
  const set = requireSet(ctx);
  ctx.tenant.collection(MAPPING_SETS).delete(set.id);
  const versions = ctx.tenant.collection<{ id: string; setId: string }>(MAPPING_SET_VERSIONS);
  for (const v of [...versions.values()]) if (v.setId === set.id) versions.delete(v.id);
  ctx.tenant.mutated();
  return { status: 204 };
}

function listMappings(ctx: RequestContext) {
  const set = requireSet(ctx, versionParam(ctx));
  return { status: 200, body: set.mappings.map((m) => fullMapping(set, m)) };
}

function getMapping(ctx: RequestContext) {
  const set = requireSet(ctx, versionParam(ctx));
  const m = set.mappings.find((x) => x.id === ctx.params.mappingId);
  if (!m) throw notFound(`Mapping ${ctx.params.mappingId} not found in mapping set ${set.id}.`);
  return { status: 200, body: fullMapping(set, m) };
}

const INLINE_REF = { id: 'inline', contentType: 'application/vnd.adobe.xed-full+json;version=1' };

/**
 * `outputSchema.jsonSchema` / `inputSchema.jsonSchema` (data-prep.yaml SchemaRepresentation) given inline [U]: the
 * output one stands for a schema not created yet (judged like a resolved xed-full schema) when no `schemaRef` names
 * one; the input one makes ATTRIBUTE sources be checked against the sample's shape (README, "Data Prep validate").
 */
function inlineSchemas(body: Record<string, unknown>): { output?: XdmNode; input?: XdmNode } {
  const json = (v: unknown): XdmNode | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const s = (v as { jsonSchema?: unknown; schemaRef?: unknown }).jsonSchema;
    return typeof s === 'object' && s !== null && !Array.isArray(s) ? s : undefined;
  };
  const out = body.outputSchema as { schemaRef?: unknown } | undefined;
  const output = out?.schemaRef === undefined ? json(out) : undefined;
  const input = json(body.inputSchema);
  return { ...(output ? { output } : {}), ...(input ? { input } : {}) };
}

/** Per-mapping verdicts: the schema reference must be valid, then each mapping is judged on its own. */
function validateSet(ctx: RequestContext) {
  const body = ctx.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('The mapping set must be an object.');
  const { output, input } = inlineSchemas(body as Record<string, unknown>);
  const head = normaliseMappingSet(
    output ? { outputSchema: { schemaRef: INLINE_REF }, mappings: [] } : { ...body, mappings: [] },
  );
  if (!head.ok) throw bad(`Invalid mapping set: ${head.errors.join('; ')}`);
  const schemaRef = head.value.outputSchema.schemaRef;
  const schema = output ?? resolveSchema(ctx.tenant, schemaRef.id);
  if (!schema) throw dataPrepError(400, 'DATAPREP-1003-400', `Output schema ${schemaRef.id} does not exist.`);
  const schemaName = output ? 'the inline output schema' : `schema ${schemaRef.id}`;
  const raw = (body as { mappings?: unknown }).mappings;
  const validationResponse = (Array.isArray(raw) ? raw : []).map((item: unknown) => {
    const one = normaliseMappingSet({ outputSchema: { schemaRef }, mappings: [item] });
    const m = one.ok ? one.value.mappings[0] : undefined;
    const errors = !one.ok
      ? one.errors.map((message) => ({ code: 'DATAPREP-1002-400', message }))
      : [
          ...(m && !pathExists(schema, m.destination)
            ? [
                {
                  code: 'DATAPREP-1004-400',
                  message: `Destination path ${m.destination} not found in ${schemaName}.`,
                },
              ]
            : []),
          ...(m && input && m.sourceType === 'ATTRIBUTE' && !pathExists(input, m.source)
            ? [
                {
                  code: 'DATAPREP-1005-400',
                  message: `Source path ${m.source} not found in the input schema.`,
                },
              ]
            : []),
        ];
    // ValidationResponse.status is SUCCESS | FAILED in data-prep.yaml; errors: null on success as the docs show.
    return errors.length ? { status: 'FAILED', errors } : { status: 'SUCCESS', errors: null };
  });
  return { status: 200, body: { validationResponse } };
}

function previewSet(ctx: RequestContext) {
  const body = ctx.json<{ data?: unknown; mappingSet?: unknown }>();
  if (typeof body !== 'object' || body === null || !Array.isArray(body.data))
    throw bad('The preview body must be {"data": [...], "mappingSet": {...}}.');
  const { set, schema } = validated(ctx.tenant, body.mappingSet);
  const out = body.data.map((row) => {
    const { record, errors } = applyMappings(set.mappings, row, { now: () => ctx.now() });
    return { data: coerceToSchema(schema, record), errors: errors.length ? errors : null };
  });
  return { status: 200, body: out };
}

export function register(r: Router): void {
  for (const base of PREFIXES) {
    r.add('POST', base, createSet);
    r.add('GET', base, listSets);
    r.add('POST', `${base}/validate`, validateSet);
    r.add('POST', `${base}/preview`, previewSet);
    r.add('GET', `${base}/:id`, getSet);
    r.add('PUT', `${base}/:id`, updateSet);
    r.add('DELETE', `${base}/:id`, deleteSet);
    r.add('GET', `${base}/:id/mappings`, listMappings);
    r.add('GET', `${base}/:id/mappings/:mappingId`, getMapping);
  }
}
