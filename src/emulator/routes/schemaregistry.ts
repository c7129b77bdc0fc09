// Schema Registry (reference §2): tenant field groups (alias mixins) and schemas, plus GET /stats. The reads
// (GET, listings) are in schemaregistry-read.ts.
//
// Emulator choices [U]: body problems answer XDM-1001-400; a referenced resource that does not exist, or a
// field group or schema still in use (by a schema, resp. a dataset) refuses deletion with XDM-1033-400 "Resource
// in use" — that is what makes the worker's compensation order (schema before field group, dataset before
// schema) observable. 404 codes per type: XDM-1011-404 field groups, XDM-1012-404 schemas. Titles are unique
// per tenant across both types, compared exactly. Versions start at "1.0"; PUT/PATCH bump the minor.
import { xdmError } from '../core/errors';
import { hexId } from '../core/ids';
import type { Router } from '../core/router';
import type { EmulatorOptions, RequestContext, TenantStore } from '../core/types';
import { JsonPatchError, applyJsonPatch } from '../logic/jsonpatch';
import {
  FIELD_GROUPS,
  SCHEMAS,
  XDM_CLASSES,
  fieldGroupTypeErrors,
  fieldsOutsideTenant,
  findResource,
  resolveComposition,
  type XdmResource,
} from '../logic/xdm';
import {
  badRequest,
  BASE,
  FIELD_GROUP_KIND,
  isRecord,
  notFound,
  publicView,
  SCHEMA_KIND,
  type Kind,
} from './schemaregistry-common';
import { get, list } from './schemaregistry-read';

/** The tenant id of an org: the configured one for the main org, a stable derivation for extra orgs. */
export function tenantIdOf(org: string, options: EmulatorOptions): string {
  if (org === options.orgId) return options.tenantId;
  return org
    .replace(/@AdobeOrg$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function allResources(tenant: TenantStore): XdmResource[] {
  return [
    ...tenant.collection<XdmResource>(FIELD_GROUPS).values(),
    ...tenant.collection<XdmResource>(SCHEMAS).values(),
  ];
}

function checkTitle(tenant: TenantStore, title: string, self?: string): void {
  const clash = allResources(tenant).find((r) => r.title === title && r.$id !== self);
  if (clash)
    throw xdmError(
      400,
      'XDM-1521-400',
      'Title not unique',
      `Object titles must be unique. An object ${clash.$id} already exists with the same title`,
    );
}

/** Strips the server-managed fields a client may send back (e.g. a PUT of what it read). */
function clientFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body))
    if (!k.startsWith('meta:') && !['$id', 'id', 'version', 'imsOrg'].includes(k)) out[k] = v;
  for (const k of ['meta:intendedToExtend', 'meta:extensible', 'meta:abstract'])
    if (body[k] !== undefined) out[k] = body[k];
  return out;
}

/** Validates a field-group or schema body; returns the server-derived fields it implies. */
function validateBody(
  ctx: RequestContext,
  kind: Kind,
  body: Record<string, unknown>,
  self?: string,
): Record<string, unknown> {
  // What schema-registry.yaml requires: type and title on both; meta:intendedToExtend on a field group
  // (createFieldGroup), description and allOf on a schema (createSchema). `definitions` is optional there.
  if (typeof body.title !== 'string' || body.title.trim() === '') throw badRequest('"title" is required.');
  if (body.type !== 'object') throw badRequest('"type" is required and must be "object".');
  checkTitle(ctx.tenant, body.title, self);
  if (kind === FIELD_GROUP_KIND) {
    const extend = body['meta:intendedToExtend'];
    if (!Array.isArray(extend) || extend.some((c) => typeof c !== 'string'))
      throw badRequest('"meta:intendedToExtend" is required: the class ids the field group may extend.');
    if (body.definitions !== undefined && !isRecord(body.definitions))
      throw badRequest('"definitions" must be an object.');
    const typeErrors = fieldGroupTypeErrors(body);
    if (typeErrors.length) throw badRequest(`Invalid field definitions: ${typeErrors.join('; ')}`);
    const tenantId = tenantIdOf(ctx.org, ctx.options);
    const outside = fieldsOutsideTenant(body, tenantId);
    if (outside.length)
      throw xdmError(
        400,
        'XDM-1021-400',
        'Invalid field group',
        `Custom fields must be defined under the tenant namespace _${tenantId}; found top-level field(s): ${outside.join(', ')}.`,
      );
    return {};
  }
  if (typeof body.description !== 'string') throw badRequest('"description" is required on a schema.');
  if (!Array.isArray(body.allOf)) throw badRequest('"allOf" is required on a schema.');
  const composition = resolveComposition(ctx.tenant, body.allOf);
  if (!composition.ok) throw badRequest(composition.errors.join('; '));
  return {
    'meta:class': composition.classId,
    'meta:extends': [composition.classId, ...composition.fieldGroupIds],
  };
}

function create(kind: Kind) {
  return (ctx: RequestContext) => {
    const body = ctx.json();
    if (!isRecord(body)) throw badRequest('The request body must be a JSON object.');
    const derived = validateBody(ctx, kind, body);
    const tenantId = tenantIdOf(ctx.org, ctx.options);
    const hash = hexId(24);
    const now = ctx.now();
    const altId = `_${tenantId}.${kind.resourceType}.${hash}`;
    const resource: XdmResource = {
      ...clientFields(body),
      type: 'object',
      title: body.title as string,
      ...derived,
      id: altId,
      $id: `https://ns.adobe.com/${tenantId}/${kind.resourceType}/${hash}`,
      'meta:altId': altId,
      'meta:resourceType': kind.resourceType,
      version: '1.0',
      'meta:containerId': 'tenant',
      imsOrg: ctx.org,
      'meta:tenantNamespace': `_${tenantId}`,
      'meta:registryMetadata': {
        'repo:createdDate': now,
        'repo:lastModifiedDate': now,
        'xdm:createdClientId': ctx.options.clientId,
        'xdm:lastModifiedClientId': ctx.options.clientId,
        eTag: hexId(32),
      },
    };
    ctx.tenant.collection<XdmResource>(kind.collection).set(altId, resource);
    ctx.tenant.mutated();
    return { status: 201, body: publicView(resource) };
  };
}

function bumpVersion(v: unknown): string {
  const [major, minor] = (typeof v === 'string' ? v : '1.0').split('.');
  return `${Number(major) || 1}.${(Number(minor) || 0) + 1}`;
}

/** PUT (full body) and PATCH (JSON Patch on the stored document) share validation and bookkeeping. */
function update(kind: Kind, mode: 'put' | 'patch') {
  return (ctx: RequestContext) => {
    const existing = findResource(ctx.tenant, kind.collection, ctx.params.id ?? '');
    if (!existing) throw notFound(kind, ctx.params.id ?? '');
    let body: unknown = ctx.json();
    if (mode === 'patch') {
      try {
        body = applyJsonPatch(publicView(existing), body);
      } catch (e) {
        if (e instanceof JsonPatchError) throw badRequest(e.message);
        throw e;
      }
    }
    if (!isRecord(body)) throw badRequest('The request body must be a JSON object.');
    const derived = validateBody(ctx, kind, body, existing.$id);
    const meta = existing['meta:registryMetadata'] as Record<string, unknown>;
    const updated: XdmResource = {
      ...clientFields(body),
      type: 'object',
      title: body.title as string,
      ...derived,
      id: existing.id,
      $id: existing.$id,
      'meta:altId': existing['meta:altId'],
      'meta:resourceType': kind.resourceType,
      version: bumpVersion(existing.version),
      'meta:containerId': 'tenant',
      imsOrg: existing.imsOrg,
      'meta:tenantNamespace': existing['meta:tenantNamespace'],
      'meta:registryMetadata': {
        ...meta,
        'repo:lastModifiedDate': ctx.now(),
        'xdm:lastModifiedClientId': ctx.options.clientId,
        eTag: hexId(32),
      },
    };
    ctx.tenant.collection<XdmResource>(kind.collection).set(existing.id, updated);
    ctx.tenant.mutated();
    return { status: 200, body: publicView(updated) };
  };
}

function refersTo(ref: unknown, r: XdmResource): boolean {
  return ref === r.$id || ref === r['meta:altId'];
}

function remove(kind: Kind) {
  return (ctx: RequestContext) => {
    const id = ctx.params.id ?? '';
    const r = findResource(ctx.tenant, kind.collection, id);
    if (!r) throw notFound(kind, id);
    const users =
      kind === FIELD_GROUP_KIND
        ? [...ctx.tenant.collection<XdmResource>(SCHEMAS).values()]
            .filter((s) => Array.isArray(s.allOf) && s.allOf.some((e) => isRecord(e) && refersTo(e.$ref, r)))
            .map((s) => `schema ${s.$id}`)
        : [...ctx.tenant.collection<{ id: string; schemaRef?: { id?: string } }>('dataSets').values()]
            .filter((d) => refersTo(d.schemaRef?.id, r))
            .map((d) => `dataset ${d.id}`);
    if (users.length)
      throw xdmError(
        400,
        'XDM-1033-400',
        'Resource in use',
        `The ${kind.label} ${r.$id} cannot be deleted: it is used by ${users.join(', ')}. Delete those first.`,
      );
    ctx.tenant.collection(kind.collection).delete(r.id);
    ctx.tenant.mutated();
    return { status: 204 };
  };
}

function stats(ctx: RequestContext) {
  const tenant = ctx.tenant;
  const schemas = [...tenant.collection<XdmResource>(SCHEMAS).values()];
  const summary = (r: XdmResource) => ({
    $id: r.$id,
    title: r.title,
    'meta:altId': r['meta:altId'],
    'meta:resourceType': r['meta:resourceType'],
    version: r.version,
  });
  const byDate = (key: string) => (a: XdmResource, b: XdmResource) =>
    Number((b['meta:registryMetadata'] as Record<string, unknown>)[key]) -
    Number((a['meta:registryMetadata'] as Record<string, unknown>)[key]);
  // schema-registry.yaml `statsResponse.classUsage`: an array of classUsageItem {$id, title, numberOfSchemas, schemas}.
  const byClass = new Map<string, XdmResource[]>();
  for (const s of schemas) {
    const classId = String(s['meta:class']);
    byClass.set(classId, [...(byClass.get(classId) ?? []), s]);
  }
  const classUsage = [...byClass].map(([classId, used]) => ({
    $id: classId,
    title: XDM_CLASSES[classId]?.title ?? classId,
    numberOfSchemas: used.length,
    schemas: used.map((s) => ({
      $id: s.$id,
      title: s.title,
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
      'meta:altId': s['meta:altId'],
    })),
  }));
  return {
    status: 200,
    body: {
      imsOrg: ctx.org,
      tenantId: tenantIdOf(ctx.org, ctx.options),
      counts: {
        schemas: schemas.length,
        mixins: tenant.collection(FIELD_GROUPS).size,
        datatypes: 0,
        classes: 0,
        unions: 0,
      },
      recentlyCreatedResources: allResources(tenant)
        .sort(byDate('repo:createdDate'))
        .slice(0, 5)
        .map(summary),
      recentlyUpdatedResources: allResources(tenant)
        .sort(byDate('repo:lastModifiedDate'))
        .slice(0, 5)
        .map(summary),
      classUsage,
    },
  };
}

export function register(r: Router): void {
  r.add('GET', `${BASE}/stats`, stats);
  const families: Array<[string, Kind]> = [
    ['fieldgroups', FIELD_GROUP_KIND],
    ['mixins', FIELD_GROUP_KIND],
    ['schemas', SCHEMA_KIND],
  ];
  for (const [name, kind] of families) {
    const path = `${BASE}/tenant/${name}`;
    r.add('POST', path, create(kind));
    r.add('GET', path, list(kind, name));
    r.add('GET', `${path}/:id`, get(kind));
    r.add('PUT', `${path}/:id`, update(kind, 'put'));
    r.add('PATCH', `${path}/:id`, update(kind, 'patch'));
    r.add('DELETE', `${path}/:id`, remove(kind));
  }
}
