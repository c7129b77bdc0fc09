// XDM schema resolution and record validation for the emulator (reference §2).
//
// A tenant schema is `allOf` = exactly one class `$ref` + tenant field-group `$ref`s; each field group keeps its
// fields in `definitions` referenced from its own `allOf` (`#/definitions/x`). Resolution flattens all of that
// into one JSON-Schema-like object tree, which Data Prep uses to check destination paths and the inlet uses to
// validate mapped records.
//
// Strictness choice [U]: validation rejects fields the schema does not declare. AEP's streaming validation
// reports such fields as errors too, and a lenient emulator would hide mapping mistakes that the real platform
// turns into failed records. `null` counts as absent (only an error when the field is required).
import { EXPERIENCE_EVENT_CLASS } from '../../shared/aep-constants';

export type XdmType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
export const XDM_TYPES: readonly XdmType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];

export interface XdmNode {
  type?: XdmType;
  title?: string;
  description?: string;
  format?: string;
  properties?: Record<string, XdmNode>;
  required?: string[];
  items?: XdmNode;
  /** A schema here makes the object a map (XDM identityMap); `true` accepts anything. */
  additionalProperties?: XdmNode | boolean;
}

export interface ResolvedSchema extends XdmNode {
  $id: string;
  altId: string;
  title: string;
  classId: string;
  type: 'object';
  properties: Record<string, XdmNode>;
  required: string[];
}

/** Only the part of the core TenantStore this module needs, so unit tests can pass a plain fake. */
export interface SchemaStore {
  collection<T extends { id: string }>(name: string): Map<string, T>;
}

export const SCHEMAS = 'schemas';
export const FIELD_GROUPS = 'fieldgroups';

/** A stored SR resource: its full JSON, keyed by `id` = `meta:altId`. */
export interface XdmResource {
  id: string;
  $id: string;
  'meta:altId': string;
  title: string;
  [key: string]: unknown;
}

const IDENTITY_ITEM: XdmNode = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    authenticatedState: { type: 'string' },
    primary: { type: 'boolean' },
  },
};

/** Standard classes the emulator knows, as data. Only ExperienceEvent is needed for streaming sources. */
export const XDM_CLASSES: Record<string, { title: string; node: XdmNode }> = {
  [EXPERIENCE_EVENT_CLASS]: {
    title: 'XDM ExperienceEvent',
    node: {
      type: 'object',
      properties: {
        _id: { type: 'string', title: 'Identifier' },
        timestamp: { type: 'string', format: 'date-time', title: 'Timestamp' },
        eventType: { type: 'string', title: 'Event Type' },
        producedBy: { type: 'string', title: 'Produced By' },
        identityMap: {
          type: 'object',
          title: 'Identity Map',
          additionalProperties: { type: 'array', items: IDENTITY_ITEM },
        },
      },
      required: ['_id', 'timestamp'],
    },
  },
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Finds an SR resource by `meta:altId` or by `$id` (the route has already URL-decoded it). */
export function findResource(store: SchemaStore, collection: string, ref: string): XdmResource | undefined {
  const byAltId = store.collection<XdmResource>(collection).get(ref);
  if (byAltId) return byAltId;
  for (const r of store.collection<XdmResource>(collection).values()) if (r.$id === ref) return r;
  return undefined;
}

/** Copies only the JSON-Schema keywords the emulator understands; `meta:*` annotations are dropped. */
function normaliseNode(raw: unknown): XdmNode {
  if (!isRecord(raw)) return {};
  const node: XdmNode = {};
  if (typeof raw.type === 'string' && (XDM_TYPES as readonly string[]).includes(raw.type))
    node.type = raw.type as XdmType;
  if (typeof raw.title === 'string') node.title = raw.title;
  if (typeof raw.description === 'string') node.description = raw.description;
  if (typeof raw.format === 'string') node.format = raw.format;
  if (isRecord(raw.properties)) {
    node.properties = {};
    for (const [k, v] of Object.entries(raw.properties)) node.properties[k] = normaliseNode(v);
    node.type ??= 'object';
  }
  if (Array.isArray(raw.required))
    node.required = raw.required.filter((r): r is string => typeof r === 'string');
  if (raw.items !== undefined) node.items = normaliseNode(raw.items);
  if (typeof raw.additionalProperties === 'boolean') node.additionalProperties = raw.additionalProperties;
  else if (isRecord(raw.additionalProperties))
    node.additionalProperties = normaliseNode(raw.additionalProperties);
  return node;
}

/** Deep merge: object properties are merged and `required` united; for anything else the later wins. */
function mergeNodes(a: XdmNode, b: XdmNode): XdmNode {
  if (!a.properties || !b.properties) return { ...a, ...b };
  const properties: Record<string, XdmNode> = { ...a.properties };
  for (const [k, v] of Object.entries(b.properties)) {
    const prev = properties[k];
    properties[k] = prev ? mergeNodes(prev, v) : v;
  }
  const required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  return { ...a, ...b, type: 'object', properties, ...(required.length ? { required } : {}) };
}

/** The fields a field group contributes: its `#/definitions/...` entries referenced from its `allOf`. */
export function fieldGroupNode(fieldGroup: Record<string, unknown>): XdmNode {
  const definitions = isRecord(fieldGroup.definitions) ? fieldGroup.definitions : {};
  const refs = Array.isArray(fieldGroup.allOf)
    ? fieldGroup.allOf.map((e) => (isRecord(e) && typeof e.$ref === 'string' ? e.$ref : undefined))
    : [];
  // A field group without an allOf still contributes all its definitions: a lenient reading of bodies that
  // forget the self-reference, which AEP's UI never produces but hand-written API calls sometimes do.
  const names = refs.some((r) => r?.startsWith('#/definitions/'))
    ? refs
        .filter((r): r is string => !!r?.startsWith('#/definitions/'))
        .map((r) => r.slice('#/definitions/'.length))
    : Object.keys(definitions);
  let node: XdmNode = { type: 'object', properties: {} };
  for (const name of names) node = mergeNodes(node, normaliseNode(definitions[name]));
  if (isRecord(fieldGroup.properties))
    node = mergeNodes(node, normaliseNode({ properties: fieldGroup.properties }));
  return node;
}

export type Composition =
  { ok: true; classId: string; fieldGroupIds: string[]; node: XdmNode } | { ok: false; errors: string[] };

/** Resolves a schema body's `allOf` (used both before storing a schema and when resolving a stored one). */
export function resolveComposition(store: SchemaStore, allOf: unknown): Composition {
  if (!Array.isArray(allOf))
    return { ok: false, errors: ['allOf must be an array of {"$ref": ...} entries'] };
  const errors: string[] = [];
  const classIds: string[] = [];
  const fieldGroups: XdmResource[] = [];
  for (const entry of allOf) {
    const ref = isRecord(entry) && typeof entry.$ref === 'string' ? entry.$ref : undefined;
    if (!ref) {
      errors.push('every allOf entry must be {"$ref": "<class or field group id>"}');
      continue;
    }
    if (XDM_CLASSES[ref]) {
      classIds.push(ref);
      continue;
    }
    const fg = findResource(store, FIELD_GROUPS, ref);
    if (fg) fieldGroups.push(fg);
    else
      errors.push(
        `referenced resource ${ref} does not exist (neither a known class nor a tenant field group)`,
      );
  }
  if (classIds.length !== 1)
    errors.push(`a schema must reference exactly one class in allOf, found ${classIds.length}`);
  const classId = classIds[0];
  if (errors.length || !classId) return { ok: false, errors };
  let node = XDM_CLASSES[classId]!.node;
  for (const fg of fieldGroups) node = mergeNodes(node, fieldGroupNode(fg));
  return { ok: true, classId, fieldGroupIds: fieldGroups.map((f) => f.$id), node };
}

/** Resolves a stored tenant schema (by `meta:altId` or `$id`); undefined when unknown or no longer resolvable. */
export function resolveSchema(store: SchemaStore, schemaId: string): ResolvedSchema | undefined {
  const schema = findResource(store, SCHEMAS, schemaId);
  if (!schema) return undefined;
  const c = resolveComposition(store, schema.allOf);
  if (!c.ok) return undefined;
  return {
    ...c.node,
    $id: schema.$id,
    altId: schema['meta:altId'],
    title: schema.title,
    classId: c.classId,
    type: 'object',
    properties: c.node.properties ?? {},
    required: c.node.required ?? [],
  };
}

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`; undefined when malformed. */
export function parsePath(path: string): Array<string | number> | undefined {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m?.[1]) return undefined;
    out.push(m[1]);
    for (const idx of m[2]?.match(/\d+/g) ?? []) out.push(Number(idx));
  }
  return out;
}

/** Whether a dot path (with optional `[n]` indexes, or stepping straight through arrays) exists in the schema. */
export function pathExists(resolved: XdmNode, path: string): boolean {
  const parts = parsePath(path);
  if (!parts) return false;
  let node: XdmNode | undefined = resolved;
  for (const part of parts) {
    if (!node) return false;
    if (typeof part === 'number') {
      node = node.type === 'array' ? node.items : undefined;
      continue;
    }
    if (node.type === 'array' && node.items) node = node.items;
    const next: XdmNode | undefined =
      node.properties?.[part] ??
      (isRecord(node.additionalProperties) ? node.additionalProperties : undefined);
    node = next;
  }
  return node !== undefined;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

function validateNode(node: XdmNode, value: unknown, path: string, errors: string[]): void {
  const at = path || '(root)';
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') errors.push(`${at}: expected string, got ${describe(value)}`);
      else if (node.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
        errors.push(`${at}: "${value}" is not a valid date-time (RFC 3339)`);
      else if (node.format === 'date' && (!DATE.test(value) || Number.isNaN(Date.parse(value))))
        errors.push(`${at}: "${value}" is not a valid date`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        errors.push(`${at}: expected number, got ${describe(value)}`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) errors.push(`${at}: expected integer, got ${describe(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${at}: expected boolean, got ${describe(value)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) errors.push(`${at}: expected array, got ${describe(value)}`);
      else if (node.items) value.forEach((v, i) => validateNode(node.items!, v, `${path}[${i}]`, errors));
      return;
    case 'object':
      if (!isRecord(value)) {
        errors.push(`${at}: expected object, got ${describe(value)}`);
        return;
      }
      for (const [key, v] of Object.entries(value)) {
        const child = `${path ? `${path}.` : ''}${key}`;
        const sub = node.properties?.[key] ?? node.additionalProperties;
        if (sub === undefined || sub === false) errors.push(`${child}: unknown field (not in schema)`);
        else if (v !== null && sub !== true) validateNode(sub, v, child, errors);
      }
      for (const key of node.required ?? [])
        if (value[key] === undefined || value[key] === null)
          errors.push(`${path ? `${path}.` : ''}${key}: required field is missing`);
      return;
    default:
      // Untyped nodes accept any value: the emulator only checks what the schema states.
      return;
  }
}

/**
 * Data Prep converts mapped values to the destination field's type. The emulator does the lossless cases only
 * (number/boolean -> string, numeric string -> number/integer, "true"/"false" -> boolean); anything else is
 * left untouched so that validation reports it.
 */
export function coerceToSchema(node: XdmNode, value: unknown): unknown {
  switch (node.type) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'number':
    case 'integer': {
      if (typeof value !== 'string' || value.trim() === '') return value;
      const n = Number(value);
      return Number.isFinite(n) && (node.type === 'number' || Number.isInteger(n)) ? n : value;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'array':
      return Array.isArray(value) && node.items ? value.map((v) => coerceToSchema(node.items!, v)) : value;
    case 'object': {
      if (!isRecord(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const sub = node.properties?.[k] ?? node.additionalProperties;
        out[k] = isRecord(sub) ? coerceToSchema(sub, v) : v;
      }
      return out;
    }
    default:
      return value;
  }
}

/** Validates a record against a resolved schema; returns human-readable errors (empty = valid). */
export function validateRecord(resolved: XdmNode, record: unknown): string[] {
  const errors: string[] = [];
  validateNode(resolved, record, '', errors);
  return errors;
}

/**
 * Custom field-group fields must live under the tenant namespace object `_{tenantId}` (reference §2.2).
 * Returns the offending top-level field names.
 */
export function fieldsOutsideTenant(fieldGroup: Record<string, unknown>, tenantId: string): string[] {
  const allowed = `_${tenantId}`;
  return Object.keys(fieldGroupNode(fieldGroup).properties ?? {}).filter((k) => k !== allowed);
}

/** Structural problems in a field group's field definitions (unknown `type` values). */
export function fieldGroupTypeErrors(fieldGroup: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const walk = (raw: unknown, path: string): void => {
    if (!isRecord(raw)) return;
    if (raw.type !== undefined && !(XDM_TYPES as readonly unknown[]).includes(raw.type))
      errors.push(`${path || '(root)'}: unsupported type ${JSON.stringify(raw.type)}`);
    if (isRecord(raw.properties))
      for (const [k, v] of Object.entries(raw.properties)) walk(v, path ? `${path}.${k}` : k);
    if (raw.items !== undefined) walk(raw.items, `${path}[]`);
  };
  const definitions = isRecord(fieldGroup.definitions) ? fieldGroup.definitions : {};
  for (const def of Object.values(definitions)) walk(def, '');
  return errors;
}
