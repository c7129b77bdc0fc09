// The shape of a JSON value: its keys, types and array shapes, no values. `doctor --record` writes the shapes of
// real AEP answers, `npm run emulator:compare` diffs them with the emulator's: a file a customer can share, since
// it holds no ids, names or data.

export type Primitive = 'string' | 'number' | 'boolean' | 'null';
export type Shape =
  | Primitive
  | { object: Record<string, Shape> }
  /** `null` items: an empty array (the item shape is unknown). */
  | { array: Shape | null }
  | { anyOf: Shape[] };

/** A file of recorded shapes (doctor --record). */
export interface ShapeRecording {
  format: typeof SHAPES_FORMAT;
  operations: RecordedOperation[];
}

export const SHAPES_FORMAT = 'aep-onboard-shapes/1';

export interface RecordedOperation {
  /** `METHOD path-template`, e.g. `GET /data/foundation/flowservice/flows/{flowId}`. */
  operation: string;
  method: string;
  /** The path with every id the run knows replaced by its `{name}`. */
  path: string;
  /** Query parameters, ids replaced the same way. */
  query?: Record<string, string>;
  /** The request's Accept header (Schema Registry answers by it). */
  accept?: string;
  status: number;
  /** The response's media type (`application/json`, …), without parameters. */
  contentType?: string;
  response: Shape | 'empty' | 'not-json';
}

// Keys that are ids (Catalog answers `{ "<dataset id>": {...} }`): hex of 24+ digits or a UUID.
const ID_KEY = /^(?:[0-9a-f]{24,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

// Keys that are URIs (Schema Registry's `classUsage` is keyed by class `$id`s, the tenant's own among them).
const URI_KEY = /^[a-z][a-z0-9+.-]*:\/\//i;
// A key standing for a value: an entry of a map, there or not by the data, not by the API's shape.
const PLACEHOLDER_KEY = /^\{\w+\}$/;

/** The shape of `value`; `keyNames` renames keys that carry a value (the tenant namespace, an id). */
export function shapeOf(value: unknown, keyNames: Record<string, string> = {}): Shape {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const items = value.map((v) => shapeOf(v, keyNames));
    return { array: items.length ? items.reduce(mergeShapes) : null };
  }
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object': {
      const keys: Record<string, Shape> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const name = keyNames[k] ?? (ID_KEY.test(k) ? '{id}' : URI_KEY.test(k) ? '{uri}' : k);
        const s = shapeOf(v, keyNames);
        keys[name] = keys[name] === undefined ? s : mergeShapes(keys[name], s);
      }
      return { object: sortKeys(keys) };
    }
    default:
      return 'null';
  }
}

function sortKeys(keys: Record<string, Shape>): Record<string, Shape> {
  return Object.fromEntries(Object.entries(keys).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const same = (a: Shape, b: Shape) => JSON.stringify(a) === JSON.stringify(b);
const members = (s: Shape): Shape[] => (typeof s === 'object' && 'anyOf' in s ? s.anyOf : [s]);

export function kindOf(s: Shape): string {
  if (typeof s === 'string') return s;
  if ('object' in s) return 'object';
  if ('array' in s) return 'array';
  return s.anyOf.map(kindOf).join('|');
}

/** One shape covering both: objects take the union of their keys, arrays of their items, other kinds an anyOf. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (same(a, b)) return a;
  const all = [...members(a), ...members(b)];
  const out: Shape[] = [];
  for (const s of all) {
    const i = out.findIndex((o) => kindOf(o) === kindOf(s));
    if (i < 0) out.push(s);
    else out[i] = mergeSameKind(out[i]!, s);
  }
  out.sort((x, y) => (kindOf(x) < kindOf(y) ? -1 : 1));
  return out.length === 1 ? out[0]! : { anyOf: out };
}

function mergeSameKind(a: Shape, b: Shape): Shape {
  if (typeof a === 'object' && typeof b === 'object' && 'object' in a && 'object' in b) {
    const keys: Record<string, Shape> = { ...a.object };
    for (const [k, v] of Object.entries(b.object))
      keys[k] = keys[k] === undefined ? v : mergeShapes(keys[k], v);
    return { object: sortKeys(keys) };
  }
  if (typeof a === 'object' && typeof b === 'object' && 'array' in a && 'array' in b) {
    if (a.array === null) return b;
    if (b.array === null) return a;
    return { array: mergeShapes(a.array, b.array) };
  }
  return a;
}

export interface ShapeDifference {
  /** `$.items[].connectionSpec.id` */
  at: string;
  kind: 'missing' | 'extra' | 'type';
  /** missing: in the recording, not the emulator's answer; extra: the other way round. */
  recorded?: string;
  emulator?: string;
}

/** Every difference between a recorded shape and the emulator's, deepest paths included. */
export function diffShapes(recorded: Shape, emulator: Shape, at = '$'): ShapeDifference[] {
  if (same(recorded, emulator)) return [];
  const [r, e] = [members(recorded), members(emulator)];
  const kinds = (l: Shape[]) => l.map(kindOf).sort().join('|');
  if (kinds(r) !== kinds(e))
    return [{ at, kind: 'type', recorded: kindOf(recorded), emulator: kindOf(emulator) }];
  return r.flatMap((rs) => {
    const es = e.find((x) => kindOf(x) === kindOf(rs))!;
    if (typeof rs === 'object' && typeof es === 'object' && 'object' in rs && 'object' in es) {
      const out: ShapeDifference[] = [];
      for (const [k, v] of Object.entries(rs.object)) {
        const other = es.object[k];
        if (other !== undefined) out.push(...diffShapes(v, other, `${at}.${k}`));
        else if (!PLACEHOLDER_KEY.test(k))
          out.push({ at: `${at}.${k}`, kind: 'missing', recorded: kindOf(v) });
      }
      for (const [k, v] of Object.entries(es.object))
        if (rs.object[k] === undefined && !PLACEHOLDER_KEY.test(k))
          out.push({ at: `${at}.${k}`, kind: 'extra', emulator: kindOf(v) });
      return out;
    }
    if (typeof rs === 'object' && typeof es === 'object' && 'array' in rs && 'array' in es) {
      return rs.array && es.array ? diffShapes(rs.array, es.array, `${at}[]`) : [];
    }
    return [];
  });
}
