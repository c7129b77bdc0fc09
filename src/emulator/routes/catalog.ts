// Catalog Service datasets (reference §3).
//
// Emulator choices [U] (Catalog publishes no error body): the §0.4 shape with CAT- codes — CAT-1002-400 bad
// body or query (incl. `limit` outside 1..100), CAT-1003-400 unknown schemaRef.id, CAT-1010-404 unknown dataset.
// Dataset names are not unique (undocumented). Deleting a dataset also drops its ingested rows; it is not
// refused while a target connection points at it (AEP documents no such rule).
import { catalogError } from '../core/errors';
import { hexId } from '../core/ids';
import type { Router } from '../core/router';
import type { RequestContext } from '../core/types';
import { FilterError, matches, parseProperty, sortItems, valuesAt } from '../logic/filters';
import { JsonPatchError, applyJsonPatch } from '../logic/jsonpatch';
import { SCHEMAS, findResource } from '../logic/xdm';

const BASE = '/data/foundation/catalog';
const DEFAULT_CONTENT_TYPE = 'application/vnd.adobe.xed+json;version=1';
/** Query keys with a meaning of their own; every other key is a simple field filter (`name=a,b`). */
const RESERVED = new Set([
  'limit',
  'start',
  'orderBy',
  'orderby',
  'properties',
  'property',
  'requestDataSource',
]);

export interface DataSet {
  id: string;
  name?: string;
  description?: string;
  schemaRef: { id: string; contentType: string };
  fileDescription?: Record<string, unknown>;
  tags?: Record<string, string[]>;
  created: number;
  updated: number;
  createdClient: string;
  updatedUser: string;
  imsOrg: string;
  sandboxName: string;
  version: string;
  [key: string]: unknown;
}

export const DATASETS = 'dataSets';

function bad(message: string) {
  return catalogError(400, 'CAT-1002-400', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the client-settable fields; returns them. */
function readFields(ctx: RequestContext, body: Record<string, unknown>): Partial<DataSet> {
  const out: Partial<DataSet> = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '')
      throw bad('"name" must be a non-empty string.');
    out.name = body.name;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw bad('"description" must be a string.');
    out.description = body.description;
  }
  if (body.schemaRef !== undefined) {
    const ref = body.schemaRef;
    if (!isRecord(ref) || typeof ref.id !== 'string') throw bad('"schemaRef.id" is required.');
    const schema = findResource(ctx.tenant, SCHEMAS, ref.id);
    if (!schema)
      throw catalogError(
        400,
        'CAT-1003-400',
        `schemaRef.id ${ref.id} does not match any schema of the tenant.`,
      );
    out.schemaRef = {
      id: schema.$id,
      contentType: typeof ref.contentType === 'string' ? ref.contentType : DEFAULT_CONTENT_TYPE,
    };
  }
  if (body.fileDescription !== undefined) {
    if (!isRecord(body.fileDescription)) throw bad('"fileDescription" must be an object.');
    out.fileDescription = body.fileDescription;
  }
  if (body.tags !== undefined) {
    const tags = body.tags;
    if (
      !isRecord(tags) ||
      !Object.values(tags).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'))
    )
      throw bad('"tags" must map tag names to arrays of strings.');
    out.tags = tags as Record<string, string[]>;
  }
  return out;
}

/**
 * The tags Catalog adds to every dataset it creates, beside the client's own: the Query Service table name and the
 * storage format (catalog/api/create-dataset.md, "Look up a dataset" response). README "Catalog dataset answers".
 */
function platformTags(name: string): Record<string, string[]> {
  const table =
    name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'dataset';
  return { 'adobe/pqs/table': [table], 'adobe/siphon/table/format': ['parquet'] };
}

/** `classification`, as Catalog answers it: the schema's behavior and who manages the dataset. */
function classification(ctx: RequestContext, schemaId: string): { dataBehavior: string; managedBy: string } {
  const schema = findResource(ctx.tenant, SCHEMAS, schemaId);
  const cls = schema?.['meta:class'];
  const timeSeries = typeof cls === 'string' && cls.endsWith('/experienceevent');
  return { dataBehavior: timeSeries ? 'time-series' : 'record', managedBy: 'CUSTOMER' };
}

function createDataSet(ctx: RequestContext) {
  const body = ctx.json();
  if (!isRecord(body)) throw bad('The request body must be a JSON object.');
  if (body.schemaRef === undefined) throw bad('"schemaRef" is required for a dataset.');
  const fields = readFields(ctx, body);
  const id = hexId(12);
  const now = ctx.now();
  const dataSet: DataSet = {
    ...fields,
    schemaRef: fields.schemaRef!,
    tags: { ...platformTags(fields.name ?? id), ...fields.tags },
    classification: classification(ctx, fields.schemaRef!.id),
    id,
    created: now,
    updated: now,
    createdClient: ctx.options.clientId,
    createdUser: `${ctx.options.clientId}@AdobeID`,
    updatedUser: `${ctx.options.clientId}@AdobeID`,
    imsOrg: ctx.org,
    sandboxName: ctx.sandbox,
    version: '1.0.0',
    viewId: hexId(12),
    files: `@/dataSetFiles?dataSetId=${id}`,
  };
  ctx.tenant.collection<DataSet>(DATASETS).set(id, dataSet);
  ctx.tenant.mutated();
  return {
    status: 201,
    body: [`@/dataSets/${id}`],
    headers: { location: `${ctx.origin}${BASE}/dataSets/${id}` },
  };
}

/** `properties=a,b` keeps only those top-level fields. */
function project(ctx: RequestContext, d: DataSet): Record<string, unknown> {
  const { id: _id, ...rest } = d;
  const wanted = ctx.query.get('properties');
  if (!wanted) return rest;
  const keys = new Set(wanted.split(',').map((k) => k.trim()));
  return Object.fromEntries(Object.entries(rest).filter(([k]) => keys.has(k)));
}

function notFound(id: string) {
  return catalogError(404, 'CAT-1010-404', `Dataset ${id} was not found.`);
}

function getDataSet(ctx: RequestContext) {
  const id = ctx.params.id ?? '';
  const d = ctx.tenant.collection<DataSet>(DATASETS).get(id);
  if (!d) throw notFound(id);
  return { status: 200, body: { [id]: project(ctx, d) } };
}

/**
 * A Catalog name pattern (filter-data.md, "Using the `property` parameter"): `*` matches any run of characters,
 * empty included, and `**` is one literal `*`; read left to right, so `***` is a literal `*` then a wildcard.
 */
function wildcard(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch !== '*') re += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    else if (pattern[i + 1] === '*') {
      re += '\\*';
      i++;
    } else re += '.*';
  }
  return new RegExp(`^${re}$`, 's');
}

function valueMatches(v: unknown, pattern: string): boolean {
  if (pattern.includes('*')) return typeof v === 'string' && wildcard(pattern).test(v);
  return String(v) === pattern;
}

/** Simple filter `field=a,b` (any-of) or `field=!a` (none-of); `*` is a wildcard, `**` a literal `*`. */
function simpleFilter(field: string, raw: string): (d: DataSet) => boolean {
  const negate = raw.startsWith('!');
  const patterns = (negate ? raw.slice(1) : raw).split(',');
  const path = field.split('.');
  return (d) => {
    const hit = valuesAt(d, path).some((v) => patterns.some((p) => valueMatches(v, p)));
    return negate ? !hit : hit;
  };
}

/**
 * `property=` expression. After `==` / `!=` a comma list is any-of / none-of (the shared grammar); on `name`, the one
 * property Catalog documents it for, `*` is a wildcard and `**` a literal `*`. Other properties compare literally.
 */
function propertyFilter(expr: string): (d: DataSet) => boolean {
  const f = parseProperty(expr);
  const isName = f.path.length === 1 && f.path[0] === 'name';
  if (isName && (f.op === '==' || f.op === '!=') && f.values.some((v) => v.includes('*'))) {
    return (d) => {
      const hit = valuesAt(d, f.path).some((v) => f.values.some((p) => valueMatches(v, p)));
      return f.op === '==' ? hit : !hit;
    };
  }
  return (d) => matches(d, f);
}

function intParam(ctx: RequestContext, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw bad(`"${name}" must be an integer between ${min} and ${max}, got '${raw}'.`);
  return n;
}

/** `orderBy=desc:created,asc:name` (also `-created` / `name`). */
function order(items: DataSet[], raw: string | null): DataSet[] {
  if (!raw) return items;
  const keys = raw.split(',').map((k) => {
    const m = /^\s*(?:(asc|desc):|([-+ ]))?\s*([A-Za-z0-9_.]+)\s*$/i.exec(k);
    if (!m?.[3]) throw bad(`invalid orderBy '${raw}'`);
    return { path: m[3].split('.'), descending: m[1]?.toLowerCase() === 'desc' || m[2] === '-' };
  });
  // Stable sorts applied from the last key to the first give a lexicographic order.
  return keys.reduceRight((acc, k) => sortItems(acc, k), items);
}

function listDataSets(ctx: RequestContext) {
  const limit = intParam(ctx, 'limit', 20, 1, 100);
  const start = intParam(ctx, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
  const predicates: Array<(d: DataSet) => boolean> = [];
  try {
    for (const [key, value] of ctx.query) if (!RESERVED.has(key)) predicates.push(simpleFilter(key, value));
    for (const expr of ctx.query.getAll('property')) predicates.push(propertyFilter(expr));
  } catch (e) {
    if (e instanceof FilterError) throw bad(e.message);
    throw e;
  }
  const all = [...ctx.tenant.collection<DataSet>(DATASETS).values()].filter((d) =>
    predicates.every((p) => p(d)),
  );
  const page = order(all, ctx.query.get('orderBy') ?? ctx.query.get('orderby')).slice(start, start + limit);
  return { status: 200, body: Object.fromEntries(page.map((d) => [d.id, project(ctx, d)])) };
}

function patchDataSet(ctx: RequestContext) {
  const id = ctx.params.id ?? '';
  const existing = ctx.tenant.collection<DataSet>(DATASETS).get(id);
  if (!existing) throw notFound(id);
  const body = ctx.json();
  let fields: Partial<DataSet>;
  if (Array.isArray(body)) {
    let patched: Record<string, unknown>;
    try {
      patched = applyJsonPatch<Record<string, unknown>>({ ...existing }, body);
    } catch (e) {
      if (e instanceof JsonPatchError) throw bad(e.message);
      throw e;
    }
    fields = readFields(ctx, patched);
  } else if (isRecord(body)) {
    fields = readFields(ctx, body);
  } else throw bad('The request body must be a JSON object or a JSON Patch array.');
  const updated: DataSet = { ...existing, ...fields, id, updated: ctx.now() };
  ctx.tenant.collection<DataSet>(DATASETS).set(id, updated);
  ctx.tenant.mutated();
  return { status: 200, body: [`@/dataSets/${id}`] };
}

function deleteDataSet(ctx: RequestContext) {
  const id = ctx.params.id ?? '';
  const sets = ctx.tenant.collection<DataSet>(DATASETS);
  if (!sets.delete(id)) return { status: 200, body: [] };
  ctx.tenant.records(id).length = 0;
  ctx.tenant.mutated();
  return { status: 200, body: [`@/dataSets/${id}`] };
}

export function register(r: Router): void {
  r.add('POST', `${BASE}/dataSets`, createDataSet);
  r.add('GET', `${BASE}/dataSets`, listDataSets);
  r.add('GET', `${BASE}/dataSets/:id`, getDataSet);
  r.add('PATCH', `${BASE}/dataSets/:id`, patchDataSet);
  r.add('DELETE', `${BASE}/dataSets/:id`, deleteDataSet);
}
