// A source preset proposed from sample events (`aep-onboard preset new --from-sample`): field types, a field group in
// the tenant namespace, the mappings, `_id` / `timestamp` and an identity when one is obvious. Pure (no I/O): the CLI
// reads the files, asks Data Prep and writes the result; the same inference serves any Streaming SDK / HTTP API
// source that has no pack yet, since only the connection spec differs between them.
import {
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import type { Mapping, PresetField, PresetIdentity, SourcePresetInput } from '../shared/preset-schema';
import { TENANT_PLACEHOLDER } from '../shared/tenant';
import { merge, shapeOf, type Shape } from './infer-shape';
import { eventIdAndTime } from './preset-kit';

export { sampleJsonSchema } from './infer-shape';

/**
 * A field name XDM takes: letters, digits and `_` (XDM's naming rule), starting with a letter, since a leading `_`
 * marks a namespace (the tenant's) and a leading digit is no identifier in Data Prep paths. The emulator's Schema
 * Registry and the preset schema accept any name, so this is where it is enforced. Others become `_`, a leading
 * non-letter gets `f`; `taken` keeps siblings apart.
 */
export function sanitiseFieldName(name: string, taken: ReadonlySet<string> = new Set()): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(s)) s = `f${s}`;
  let out = s;
  for (let i = 2; taken.has(out); i++) out = `${s}_${i}`;
  return out;
}

/** A preset id (`^[a-z][a-z0-9-]{1,40}$`) from a name a person gives. */
export function presetIdFromName(name: string): string {
  let id = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(id)) id = `src-${id}`;
  return id.slice(0, 41).replace(/-+$/, '').padEnd(2, 'x');
}

/** The field group key: the id in camelCase (`my-source` → `mySource`). */
export function fieldGroupKeyFromId(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/-/g, '');
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

const EVENT_TYPE_KEYS = ['event', 'event_type', 'eventType', 'type', 'topic', 'action', 'metric'];

/**
 * A sample's event-type name (what `sources` lists and verify posts): the value of the first top-level field that
 * usually names it (`event`, `type`, `topic`…), else `fallback`.
 */
export function sampleName(body: Record<string, unknown>, fallback: string): string {
  for (const key of EVENT_TYPE_KEYS) {
    const v = body[key];
    if (typeof v !== 'string') continue;
    const name = v.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
    if (name && name.length <= 60) return name;
  }
  return fallback;
}

/** One leaf of the field group: where it comes from in the samples and where it lands. */
export interface InferredField {
  /** Dot path in the samples (original names). */
  source: string;
  /** Dot path under the field group (sanitised names). */
  path: string;
  field: PresetField;
  /** Samples (outside arrays) that carry a value here. */
  seen: number;
  email: boolean;
}

export interface Inference {
  preset: SourcePresetInput;
  fields: InferredField[];
  /** Sample names that XDM refuses, and what they became. */
  renamed: Array<{ source: string; path: string }>;
  /** The mapping of `_id` and `timestamp`: a sample path, or the expression used. */
  eventId: string;
  timestamp: string;
  identity: PresetIdentity | undefined;
  /** What the inference left out or guessed, for the person to review. */
  notes: string[];
}

export interface InferOptions {
  /** Preset id (`presetIdFromName`). */
  id: string;
  displayName: string;
  connectionSpecId: string;
  /** One sample body per event type. */
  samples: Record<string, Record<string, unknown>>;
}

function toField(shape: Shape, title: string, notes: string[], where: string): PresetField | undefined {
  switch (shape.kind) {
    case 'unknown':
      notes.push(`${where}: only null in the samples; left out (add it by hand with its type)`);
      return undefined;
    case 'string':
      return { type: 'string', title, ...(shape.format ? { format: shape.format } : {}) };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: shape.kind, title };
    case 'array': {
      if (!shape.items) {
        notes.push(`${where}: only empty arrays in the samples; left out`);
        return undefined;
      }
      const items = toField(shape.items, title, notes, `${where}[]`);
      return items ? { type: 'array', title, items } : undefined;
    }
    case 'object': {
      const properties: Record<string, PresetField> = {};
      const taken = new Set<string>();
      for (const [k, v] of shape.props) {
        const name = sanitiseFieldName(k, taken);
        if (name !== k)
          notes.push(`${where}[].${k}: renamed ${name} (array items are copied whole: check them)`);
        const f = toField(v, k, notes, `${where}.${k}`);
        if (!f) continue;
        taken.add(name);
        properties[name] = f;
      }
      return { type: 'object', title, properties };
    }
  }
}

/** The leaves of the samples' object tree; arrays are leaves (Data Prep copies them whole). */
function leaves(
  shape: Extract<Shape, { kind: 'object' }>,
  source: string[],
  path: string[],
  out: InferredField[],
  renamed: Inference['renamed'],
  notes: string[],
): Record<string, PresetField> {
  const properties: Record<string, PresetField> = {};
  const taken = new Set<string>();
  for (const [k, v] of shape.props) {
    const name = sanitiseFieldName(k, taken);
    const src = [...source, k];
    const dst = [...path, name];
    if (v.kind === 'object') {
      const children = leaves(v, src, dst, out, renamed, notes);
      if (!Object.keys(children).length) continue;
      taken.add(name);
      properties[name] = { type: 'object', title: k, properties: children };
      if (name !== k) renamed.push({ source: src.join('.'), path: dst.join('.') });
      continue;
    }
    const field = toField(v, k, notes, src.join('.'));
    if (!field) continue;
    taken.add(name);
    properties[name] = field;
    if (name !== k) renamed.push({ source: src.join('.'), path: dst.join('.') });
    out.push({
      source: src.join('.'),
      path: dst.join('.'),
      field,
      seen: v.seen,
      email: v.kind === 'string' && v.email,
    });
  }
  return properties;
}

const EVENT_ID_NAMES = [
  'event_id',
  'eventId',
  'uniqueId',
  'unique_id',
  'messageId',
  'message_id',
  'uuid',
  'id',
];
const TIME_NAMES = [
  'timestamp',
  'occurred_at',
  'occurredAt',
  'created_at',
  'createdAt',
  'updated_at',
  'updatedAt',
];
const PERSON_ID = /^(user|visitor|customer|person|profile|contact|member)[_-]?id$/i;

const lastName = (p: string) => p.slice(p.lastIndexOf('.') + 1);
const depth = (p: string) => p.split('.').length;

/** The first of `names` (in that order) among `fields`, else undefined. */
function byName(fields: InferredField[], names: string[]): InferredField | undefined {
  for (const n of names) {
    const f = fields.find((x) => lastName(x.source) === n);
    if (f) return f;
  }
  return undefined;
}

/** Proposes a preset from sample events. Throws on no sample, or a sample that is not a JSON object. */
export function inferPreset(opts: InferOptions): Inference {
  const entries = Object.entries(opts.samples);
  if (!entries.length) throw new Error('no sample event');
  const shapes = entries.map(([name, body]) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error(`sample ${name} is not a JSON object`);
    return shapeOf(body);
  });
  const root = shapes.reduce((a, b) => merge(a, b));
  if (root.kind !== 'object') throw new Error('the samples are not JSON objects');
  const key = fieldGroupKeyFromId(opts.id);
  const ns = `${TENANT_PLACEHOLDER}.${key}`;
  const notes: string[] = [];
  const fields: InferredField[] = [];
  const renamed: Inference['renamed'] = [];
  const properties = leaves(root, [], [], fields, renamed, notes);
  if (!fields.length) throw new Error('the samples hold no field with a value');
  const all = entries.length;
  const inEvery = fields.filter((f) => f.seen === all);

  // `_id`: the source's own event id when every sample sends one (a redelivered event keeps its id), else uuid().
  const idField = byName(
    inEvery.filter((f) => depth(f.source) === 1 && f.field.type === 'string'),
    EVENT_ID_NAMES,
  );
  // `timestamp`: a date-time every sample carries, by the usual names first; else now().
  const times = inEvery.filter((f) => f.field.format === 'date-time');
  const timeField = byName(times, TIME_NAMES) ?? times.sort((a, b) => depth(a.source) - depth(b.source))[0];

  // Identity: a field named e-mail that holds addresses, else a person id field; none when nothing is obvious (an
  // address under another name, e.g. a guide author's `username`, is rarely the person the event is about).
  const emails = fields
    .filter((f) => f.email && f.field.type === 'string' && /e[-_]?mail/i.test(lastName(f.source)))
    .sort((a, b) => b.seen - a.seen || depth(a.source) - depth(b.source));
  const personId = fields
    .filter((f) => f.field.type === 'string' && PERSON_ID.test(lastName(f.source)))
    .sort((a, b) => b.seen - a.seen || depth(a.source) - depth(b.source))[0];
  let identity: PresetIdentity | undefined;
  if (emails[0]) identity = { path: `${ns}.${emails[0].path}`, namespace: 'Email' };
  else if (personId) {
    const namespace = `${pascal(opts.displayName) || 'Source'}${pascal(lastName(personId.source))}`
      .replace(/^[^A-Za-z]+/, '')
      .slice(0, 64);
    identity = { path: `${ns}.${personId.path}`, namespace: namespace || 'SourceId' };
    notes.push(
      `identity ${personId.source}: namespace ${identity.namespace} must exist in the org (or change it)`,
    );
  }
  const partial = fields.filter((f) => f.seen < all).length;
  if (all > 1 && partial)
    notes.push(`${partial} field(s) appear in some samples only: each lands where it is sent`);

  const mappings: Mapping[] = [
    ...eventIdAndTime(idField?.source, timeField?.source),
    ...fields.map((f) => ({
      sourceType: 'ATTRIBUTE' as const,
      source: f.source,
      destination: `${ns}.${f.path}`,
    })),
  ];
  // HTTP API: its own flow spec and a raw-data base connection (…/create/streaming/http.md), as the built-in preset.
  const httpApi = opts.connectionSpecId === HTTP_API_CONNECTION_SPEC_ID;
  const preset: SourcePresetInput = {
    id: opts.id,
    displayName: opts.displayName,
    connectionSpec: { id: opts.connectionSpecId, version: '1.0' },
    providerId: STREAMING_PROVIDER_ID,
    flowSpec: { id: httpApi ? HTTP_API_FLOW_SPEC_ID : GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
    ...(httpApi
      ? {
          baseConnection: {
            connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
            auth: { specName: 'Streaming Connection', params: { dataType: 'raw' as const } },
          },
        }
      : {}),
    dataFormat: 'json',
    schemaClass: EXPERIENCE_EVENT_CLASS,
    fieldGroup: {
      key,
      title: `${opts.displayName} events`,
      description: `Fields of ${opts.displayName} events, inferred from ${all} sample(s): review before use`,
      fields: properties,
      required: [],
    },
    mappings,
    samples: opts.samples,
    ...(identity ? { identity } : {}),
  };
  return {
    preset,
    fields,
    renamed,
    eventId: idField?.source ?? 'uuid()',
    timestamp: timeField?.source ?? 'now()',
    identity,
    notes,
  };
}

/**
 * The target schema the preset's onboarding creates, resolved (class fields and the field group under `_{tenantId}`),
 * as Data Prep's `outputSchema.jsonSchema`: it can be validated against before anything exists in AEP.
 */
export function targetJsonSchema(preset: SourcePresetInput, tenantId: string): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      // The ExperienceEvent class's own fields that the mappings fill.
      _id: { type: 'string' },
      timestamp: { type: 'string', format: 'date-time' },
      [`_${tenantId}`]: {
        type: 'object',
        properties: {
          [preset.fieldGroup.key]: { type: 'object', properties: preset.fieldGroup.fields },
        },
      },
    },
    required: ['_id', 'timestamp'],
  };
}
