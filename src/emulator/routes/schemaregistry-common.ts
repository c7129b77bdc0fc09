// Schema Registry helpers shared by its write routes (schemaregistry.ts) and read routes (schemaregistry-read.ts).
import { xdmError } from '../core/errors';
import type { HttpError } from '../core/types';
import { FIELD_GROUPS, SCHEMAS, type XdmResource } from '../logic/xdm';

export const BASE = '/data/foundation/schemaregistry';

export interface Kind {
  collection: string;
  /** Segment in `$id` / `meta:altId` and the `meta:resourceType`. */
  resourceType: 'mixins' | 'schemas';
  notFoundCode: string;
  label: string;
}

export const FIELD_GROUP_KIND: Kind = {
  collection: FIELD_GROUPS,
  resourceType: 'mixins',
  notFoundCode: 'XDM-1011-404',
  label: 'field group',
};
export const SCHEMA_KIND: Kind = {
  collection: SCHEMAS,
  resourceType: 'schemas',
  notFoundCode: 'XDM-1012-404',
  label: 'schema',
};

export function badRequest(detail: string): HttpError {
  return xdmError(400, 'XDM-1001-400', 'Bad Request', detail);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function notFound(kind: Kind, id: string): HttpError {
  return xdmError(
    404,
    kind.notFoundCode,
    'Resource Not Found',
    `The requested ${kind.label} ${id} was not found. Verify the resource id (meta:altId or URL-encoded $id).`,
  );
}

/** What clients see: the stored JSON without the store's own `id` key. */
export function publicView(r: XdmResource): Record<string, unknown> {
  const { id: _id, ...rest } = r;
  return rest;
}
