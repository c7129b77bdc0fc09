// The shape of a source preset: everything that differs between Streaming SDK / webhook sources, as data.
// Adding a source = adding one `*.preset.ts` or `*.preset.json` file to a preset directory (see src/presets/registry.ts).
import { z } from 'zod';

const specRef = z.object({ id: z.string().min(1), version: z.string().default('1.0') });

/** A field of the source's field group, in JSON-Schema terms (object fields nest). */
export interface PresetField {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  title?: string;
  description?: string;
  format?: string;
  properties?: Record<string, PresetField>;
  items?: PresetField;
  required?: string[];
}
export const PresetFieldSchema: z.ZodType<PresetField> = z.lazy(() =>
  z.object({
    type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array']),
    title: z.string().optional(),
    description: z.string().optional(),
    format: z.string().optional(),
    properties: z.record(z.string(), PresetFieldSchema).optional(),
    items: PresetFieldSchema.optional(),
    required: z.array(z.string()).optional(),
  }),
);

export const MappingSchema = z.object({
  sourceType: z.enum(['ATTRIBUTE', 'EXPRESSION', 'STATIC']).default('ATTRIBUTE'),
  source: z.string().min(1).max(1000),
  /** XDM destination path; `_{TENANT}` is replaced by `_` + the org's tenant id (read from /stats). */
  destination: z.string().min(1).max(500),
});
export type Mapping = z.infer<typeof MappingSchema>;

/**
 * The field that identifies the person behind an event, as XDM: `path` is a mapping destination (e.g.
 * `_{TENANT}.pendo.visitorId`), `namespace` an identity namespace code, standard (`Email`, `Phone`, `ECID`) or one the
 * org defines. Shown by `aep-onboard sources`; no identity descriptor is created from it (yet).
 */
export const PresetIdentitySchema = z.object({
  path: z.string().min(1).max(500),
  namespace: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be an identity namespace code'),
});
export type PresetIdentity = z.infer<typeof PresetIdentitySchema>;

/**
 * A base connection the source needs before its source connection (HTTP API: `POST /connections`, whose
 * `auth.params.inletUrl` is the source's inlet). `authenticationRequired`: the inlet then refuses posts without a
 * bearer token (401).
 */
export const PresetBaseConnectionSchema = z.object({
  connectionSpec: specRef,
  auth: z.object({
    specName: z.string().min(1).default('Streaming Connection'),
    params: z.object({
      dataType: z.enum(['raw', 'xdm']).default('raw'),
      authenticationRequired: z.boolean().optional(),
    }),
  }),
});
export type PresetBaseConnection = z.infer<typeof PresetBaseConnectionSchema>;

const PresetObjectSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
  displayName: z.string().min(1),
  connectionSpec: specRef,
  providerId: z.string().min(1),
  flowSpec: specRef,
  baseConnection: PresetBaseConnectionSchema.optional(),
  dataFormat: z.string().default('json'),
  /** XDM class the target schema is built on. */
  schemaClass: z.string().url(),
  /** The source's own field group, placed under `_{TENANT}.{fieldGroup.key}`. */
  fieldGroup: z.object({
    key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
    title: z.string().min(1),
    description: z.string().default(''),
    fields: z.record(z.string(), PresetFieldSchema),
    required: z.array(z.string()).default([]),
  }),
  mappings: z.array(MappingSchema).min(1),
  /** One sample body per webhook type the source sends; verify posts each one. */
  samples: z.record(z.string(), z.record(z.string(), z.unknown())),
  identity: PresetIdentitySchema.optional(),
});

// An identity that no mapping fills would never carry a value: refused when the preset loads.
export const SourcePresetSchema = PresetObjectSchema.superRefine((preset, ctx) => {
  if (preset.identity && !preset.mappings.some((m) => m.destination === preset.identity!.path)) {
    ctx.addIssue({
      code: 'custom',
      path: ['identity', 'path'],
      message: `must be the destination of one of the mappings (no mapping fills ${preset.identity.path})`,
    });
  }
});
export type SourcePreset = z.infer<typeof SourcePresetSchema>;
export type SourcePresetInput = z.input<typeof SourcePresetSchema>;

export { TENANT_PLACEHOLDER, withTenant } from './tenant';
