// Flow Service helpers shared by every resource: errors, body access, common fields, If-Match.
import { createHash } from 'node:crypto';
import { flowError } from '../../core/errors';
import { newEtag, stripEtag, uuid } from '../../core/ids';
import { HttpError, type RequestContext, type TenantStore } from '../../core/types';

export const BASE = '/data/foundation/flowservice';
/**
 * Validation failures the error catalogue has no own code for: 1100-400 "Invalid request", the catalogue's generic
 * 400 (flow-service-errors.md, "Internal validation errors"). FLOW-1400 is not a 400 there: 1400-500 is "Internal
 * Error" (src/emulator/README.md, "Flow Service error codes").
 */
export const BAD_REQUEST = 'FLOW-1100-400';

export type Entity = { id: string; [key: string]: unknown };
export type Kind = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

export function notFound(type: string, id: string): never {
  throw flowError(
    404,
    'FLOW-1439-404',
    `The requested ${type} resource ${id} is not found. Verify the resource ID before trying again.`,
    { id, type },
  );
}

export function bad(message: string, code = BAD_REQUEST): never {
  throw flowError(400, code, message);
}

export function objectBody(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.json();
  if (!body || typeof body !== 'object' || Array.isArray(body))
    bad('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function ref(v: unknown): { id?: string; version?: string } {
  const o = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return { id: str(o['id']), version: str(o['version']) };
}

export function stringArray(body: Record<string, unknown>, field: string): string[] {
  const v = body[field];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(`'${field}' must be an array of ids.`);
  return v as string[];
}

export function requireName(body: Record<string, unknown>): void {
  if (!str(body['name'])) bad("'name' is required.");
}

export function get(tenant: TenantStore, kind: string, id: string): Entity {
  return tenant.collection<Entity>(kind).get(id) ?? notFound(kind, id);
}

function sandboxId(org: string, sandbox: string): string {
  const h = createHash('sha256').update(`${org}/${sandbox}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function clientOf(ctx: RequestContext): string {
  return ctx.headers['x-api-key'] ?? 'unknown';
}

export function commonFields(ctx: RequestContext, body: Record<string, unknown>): Entity {
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

export function touch(ctx: RequestContext, e: Entity): Entity {
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
export function checkIfMatch(ctx: RequestContext, entity: Entity, required: boolean): void {
  const supplied = ctx.headers['if-match'];
  if (supplied === undefined || supplied.trim() === '') {
    if (required) bad("header 'If-Match' is missing", 'FLOW-1403-400');
    return;
  }
  const current = String(entity['etag']);
  if (stripEtag(supplied) !== stripEtag(current)) {
    // The one 412 body Adobe shows is {"errorMessage": ...} alone (landing/troubleshooting.md), not a problem body.
    throw new HttpError({
      status: 412,
      body: {
        errorMessage: `Supplied version=["${stripEtag(supplied)}"] does not match the current version on entity=[${current}]`,
      },
    });
  }
}
