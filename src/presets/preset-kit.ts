// Building blocks of the built-in presets (not itself a preset: the registry loads `*.preset.*` files only).
import type { Mapping, PresetField } from '../shared/preset-schema';

export const text = (title: string): PresetField => ({ type: 'string', title });
export const when = (title: string): PresetField => ({ type: 'string', title, format: 'date-time' });
export const integer = (title: string): PresetField => ({ type: 'integer', title });
export const number = (title: string): PresetField => ({ type: 'number', title });
export const object = (title: string, properties: Record<string, PresetField>): PresetField => ({
  type: 'object',
  title,
  properties,
});

/** `source path -> destination under ns` pairs as ATTRIBUTE mappings; a bare string maps to the same path. */
export function attributes(
  ns: string,
  pairs: Array<string | [source: string, destination: string]>,
): Mapping[] {
  return pairs.map((p) => {
    const [source, destination] = typeof p === 'string' ? [p, p] : p;
    return { sourceType: 'ATTRIBUTE', source, destination: `${ns}.${destination}` };
  });
}

/**
 * The ExperienceEvent class needs `_id` and `timestamp`. `_id` is the source's own event id where it sends one, so
 * that a redelivered event keeps its id; otherwise a fresh uuid(). Sources that send epoch seconds get `now()` as
 * `timestamp` (Data Prep expressions here cannot convert epochs) and keep their own time in the field group.
 */
export function eventIdAndTime(id: string | undefined, timestamp: string | undefined): Mapping[] {
  return [
    id
      ? { sourceType: 'ATTRIBUTE', source: id, destination: '_id' }
      : { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
    timestamp
      ? { sourceType: 'ATTRIBUTE', source: timestamp, destination: 'timestamp' }
      : { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
  ];
}
