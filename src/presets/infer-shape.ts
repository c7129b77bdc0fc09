// The shape of sample events: what each path holds across the samples (type, date format, e-mail-looking, how many
// samples send it), merged sample by sample. Pure; src/presets/infer.ts builds the preset from it.

/** What one path holds across the samples; `seen` counts the samples (outside arrays) it carries a value in. */
export type Shape =
  | { kind: 'string'; format?: 'date-time' | 'date'; email: boolean; seen: number }
  | { kind: 'integer' | 'number' | 'boolean' | 'unknown'; seen: number }
  | { kind: 'object'; props: Map<string, Shape>; seen: number }
  | { kind: 'array'; items: Shape | undefined; seen: number };

// RFC 3339, as XDM's `date-time` format (and the emulator's record validation) reads it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return { kind: 'unknown', seen: 0 };
  if (typeof value === 'string') {
    const format = DATE_TIME.test(value) ? 'date-time' : DATE.test(value) ? 'date' : undefined;
    return { kind: 'string', ...(format ? { format } : {}), email: EMAIL.test(value), seen: 1 };
  }
  if (typeof value === 'boolean') return { kind: 'boolean', seen: 1 };
  if (typeof value === 'number') return { kind: Number.isInteger(value) ? 'integer' : 'number', seen: 1 };
  if (Array.isArray(value)) {
    const items = value.map(shapeOf).reduce<Shape | undefined>((a, b) => (a ? merge(a, b) : b), undefined);
    return { kind: 'array', items: items?.kind === 'unknown' ? undefined : items, seen: 1 };
  }
  const props = new Map<string, Shape>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) props.set(k, shapeOf(v));
  return { kind: 'object', props, seen: 1 };
}

/** Two samples' shapes of one path: integer and number make a number; other disagreements make a string. */
export function merge(a: Shape, b: Shape): Shape {
  const seen = a.seen + b.seen;
  if (a.kind === 'unknown') return { ...b, seen };
  if (b.kind === 'unknown') return { ...a, seen };
  if (a.kind === 'object' && b.kind === 'object') {
    const props = new Map(a.props);
    for (const [k, v] of b.props) props.set(k, props.has(k) ? merge(props.get(k)!, v) : v);
    return { kind: 'object', props, seen };
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const items = a.items && b.items ? merge(a.items, b.items) : (a.items ?? b.items);
    return { kind: 'array', items, seen };
  }
  if (a.kind === 'string' && b.kind === 'string') {
    const format = a.format === b.format ? a.format : undefined;
    return { kind: 'string', ...(format ? { format } : {}), email: a.email && b.email, seen };
  }
  const numeric = new Set(['integer', 'number']);
  if (numeric.has(a.kind) && numeric.has(b.kind))
    return { kind: a.kind === b.kind ? a.kind : 'number', seen } as Shape;
  if (a.kind === b.kind) return { ...a, seen };
  return { kind: 'string', email: false, seen };
}

/** A JSON Schema of the samples as sent (original names): Data Prep's `inputSchema`. */
export function sampleJsonSchema(samples: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const root = Object.values(samples)
    .map(shapeOf)
    .reduce((a, b) => merge(a, b));
  const json = (s: Shape): Record<string, unknown> => {
    switch (s.kind) {
      case 'object':
        return {
          type: 'object',
          properties: Object.fromEntries([...s.props].map(([k, v]) => [k, json(v)])),
        };
      case 'array':
        return { type: 'array', ...(s.items ? { items: json(s.items) } : {}) };
      case 'string':
        return { type: 'string', ...(s.format ? { format: s.format } : {}) };
      case 'unknown':
        return {};
      default:
        return { type: s.kind };
    }
  };
  return json(root);
}
