import { z } from 'zod';
import type { SchemaRef } from './schema-registry';
import type { AepTransport } from './transport';

export type MappingSourceType = 'ATTRIBUTE' | 'EXPRESSION' | 'STATIC';
export const MAPPING_SOURCE_TYPES: readonly MappingSourceType[] = ['ATTRIBUTE', 'EXPRESSION', 'STATIC'];

/**
 * What Data Prep answers in `sourceType`, read as the spec's enum: it echoes attribute mappings as the content type
 * `text/x.schema-path` and expressions as `text/x.aep-xl` (src/emulator/README.md, "Mapping `sourceType` echo").
 * Any other value is kept as received, never guessed: `isMappingSourceType` tells a caller that must send it back.
 */
export function readMappingSourceType(v: string): string {
  const lower = v.trim().toLowerCase();
  if (lower === 'text/x.schema-path') return 'ATTRIBUTE';
  if (lower === 'text/x.aep-xl') return 'EXPRESSION';
  return v;
}

export function isMappingSourceType(v: unknown): v is MappingSourceType {
  return typeof v === 'string' && (MAPPING_SOURCE_TYPES as readonly string[]).includes(v);
}

/** data-prep.yaml types these dates as date-time strings, while its examples (and the emulator) carry epoch ms. */
const dateSchema = z.union([z.number(), z.string()]).nullish();

export const mappingSchema = z.looseObject({
  id: z.string().nullish(),
  sourceType: z
    .string()
    .nullish()
    .transform((v) => (typeof v === 'string' ? readMappingSourceType(v) : v)),
  source: z.string().nullish(),
  destination: z.string().nullish(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  sourceAttribute: z.string().nullish(),
  destinationXdmPath: z.string().nullish(),
  identity: z.boolean().optional(),
});

export const mappingSetSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  outputSchema: z
    .looseObject({
      schemaRef: z.looseObject({ id: z.string(), contentType: z.string().nullish() }).optional(),
    })
    .optional(),
  mappings: z.array(mappingSchema).default([]),
  createdDate: dateSchema,
  modifiedDate: dateSchema,
});

export const mappingSetRefSchema = z.looseObject({ id: z.string(), version: z.number() });

export const validationResultSchema = z.looseObject({
  validationResponse: z.array(
    z.looseObject({ status: z.string().nullish(), errors: z.unknown().optional() }),
  ),
});

export type Mapping = z.infer<typeof mappingSchema>;
export type MappingSet = z.infer<typeof mappingSetSchema>;
export type MappingSetValidation = z.infer<typeof validationResultSchema>;

/** One mapping as sent: form A of §4.2 (Data Prep answers with both spellings and its own fields). */
export interface MappingOperation {
  sourceType: MappingSourceType;
  source: string;
  destination: string;
}

/** Form A's schema reference (§4.2). */
export interface OutputSchema {
  schemaRef: SchemaRef;
}

/** `POST /mappingSets` (§4.1). */
export interface MappingSetCreate {
  name: string;
  outputSchema: OutputSchema;
  mappings: MappingOperation[];
}

/** `PUT /mappingSets/{id}`: the whole set again, the name kept when it has one. */
export interface MappingSetUpdate {
  name?: string;
  outputSchema: OutputSchema;
  mappings: MappingOperation[];
}

/** A schema given inline as JSON Schema (data-prep.yaml `SchemaRepresentation.jsonSchema`), not by reference. */
export interface InlineSchema {
  jsonSchema: Record<string, unknown>;
}

/**
 * `POST /mappingSets/validate`: a set that is not stored; one verdict per mapping, in order. The output schema may be
 * given inline (a preset not onboarded yet has no schema to point at), and the input schema too (the sample's shape).
 */
export interface MappingSetValidate {
  outputSchema: OutputSchema | InlineSchema;
  inputSchema?: InlineSchema;
  mappings: MappingOperation[];
}

export interface ListMappingSetsOptions {
  name?: string;
  limit: number;
  start: number;
}

/** Data Prep (`/conversion`): mapping sets. */
export class DataPrep {
  constructor(private readonly transport: AepTransport) {}

  async createMappingSet(body: MappingSetCreate): Promise<{ id: string; version: number }> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'conversion',
      path: '/mappingSets',
      body,
      schema: mappingSetRefSchema,
    });
    return { id: res.data.id, version: res.data.version };
  }

  async getMappingSet(id: string, version?: number): Promise<MappingSet> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'conversion',
      path: `/mappingSets/${encodeURIComponent(id)}`,
      query: { version },
      schema: mappingSetSchema,
    });
    return res.data;
  }

  async listMappingSets(opts: ListMappingSetsOptions): Promise<MappingSet[]> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'conversion',
      path: '/mappingSets',
      query: { limit: opts.limit, start: opts.start, name: opts.name },
      schema: z.looseObject({ data: z.array(mappingSetSchema) }),
    });
    return res.data.data;
  }

  /** PUT replaces the whole mapping set; the server bumps `version`. */
  async updateMappingSet(id: string, body: MappingSetUpdate): Promise<MappingSet> {
    const res = await this.transport.request({
      method: 'PUT',
      service: 'conversion',
      path: `/mappingSets/${encodeURIComponent(id)}`,
      body,
      schema: mappingSetSchema,
    });
    return res.data;
  }

  async deleteMappingSet(id: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      service: 'conversion',
      path: `/mappingSets/${encodeURIComponent(id)}`,
    });
  }

  async validateMappingSet(body: MappingSetValidate): Promise<MappingSetValidation> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'conversion',
      path: '/mappingSets/validate',
      body,
      schema: validationResultSchema,
    });
    return res.data;
  }
}
