// The request bodies of the onboarding's creates, built from domain values: every wire rule (the `_{tenantId}`
// nesting of a field group, the class first in a schema's `allOf`, the xed-full schema references, the data-lake
// target, the flow's one mapping transformation) has its home here, next to the typed client that sends them. The
// body types belong to each API's module; the activities pass only domain values.
import {
  DATA_LAKE_CONNECTION_SPEC_ID,
  XED_FULL_CONTENT_TYPE,
  xedFullContentType,
} from '../shared/aep-constants';
import type { DatasetCreate } from './catalog';
import type { MappingOperation, MappingSetCreate, MappingSetUpdate, MappingSetValidate } from './data-prep';
import {
  MAPPING_TRANSFORMATION,
  type ConnectionCreate,
  type FlowCreate,
  type FlowOptionsCreate,
  type SourceConnectionCreate,
  type SpecRef,
  type TargetConnectionCreate,
} from './flow-service';
import type { FieldGroupCreate, SchemaCreate, SchemaRef, XdmField } from './schema-registry';

/** A schema reference as Catalog and Data Prep take it; xed-full unless the resource already names another. */
export function schemaRef(id: string, contentType: string = XED_FULL_CONTENT_TYPE): SchemaRef {
  return { id, contentType };
}

// Schema Registry (§2.3)

export interface FieldGroupSpec {
  tenantId: string;
  title: string;
  description: string;
  /** The class the field group extends. */
  schemaClass: string;
  /** The source's fields, placed at `_{tenantId}.{key}`; `required` names fields of that object. */
  fieldGroup: { key: string; fields: Record<string, XdmField>; required: readonly string[] };
}

/** One definition, `key`, holding `_{tenantId}: { key: { …fields } }`: custom fields live under the tenant (§2.2). */
export function fieldGroupBody(spec: FieldGroupSpec): FieldGroupCreate {
  const { key, fields, required } = spec.fieldGroup;
  return {
    type: 'object',
    title: spec.title,
    description: spec.description,
    'meta:intendedToExtend': [spec.schemaClass],
    definitions: {
      [key]: {
        properties: {
          [`_${spec.tenantId}`]: {
            type: 'object',
            properties: {
              [key]: {
                type: 'object',
                properties: fields,
                ...(required.length ? { required: [...required] } : {}),
              },
            },
          },
        },
      },
    },
    allOf: [{ $ref: `#/definitions/${key}` }],
  };
}

export interface SchemaSpec {
  title: string;
  description: string;
  schemaClass: string;
  /** `$id`s of the field groups, after the class in `allOf`. */
  fieldGroupIds: readonly string[];
}

/** Exactly one class, first in `allOf`, then the field groups. */
export function schemaBody(spec: SchemaSpec): SchemaCreate {
  return {
    type: 'object',
    title: spec.title,
    description: spec.description,
    allOf: [{ $ref: spec.schemaClass }, ...spec.fieldGroupIds.map(($ref) => ({ $ref }))],
  };
}

// Catalog (§3)

/** A dataset of the schema `schemaId` (its `$id`): no `fileDescription`, no profile tags. */
export function datasetBody(spec: { name: string; description?: string; schemaId: string }): DatasetCreate {
  return { name: spec.name, description: spec.description, schemaRef: schemaRef(spec.schemaId) };
}

// Data Prep (§4.2, form A)

export interface MappingSetSpec {
  /** The output schema's `$id`. */
  schemaId: string;
  /** The content type the set already refers to it with; xed-full when absent. */
  contentType?: string | null;
  /** The schema's Schema Registry version (e.g. "1.2"), when known: its major goes in the content type. */
  schemaVersion?: string;
  mappings: readonly MappingOperation[];
}

/** What every mapping-set body holds: the output schema, and the mappings with their three fields only. */
function formA(spec: MappingSetSpec): MappingSetUpdate {
  return {
    outputSchema: {
      schemaRef: schemaRef(spec.schemaId, spec.contentType ?? xedFullContentType(spec.schemaVersion)),
    },
    mappings: spec.mappings.map((m) => ({
      sourceType: m.sourceType,
      source: m.source,
      destination: m.destination,
    })),
  };
}

export function mappingSetBody(spec: MappingSetSpec & { name: string }): MappingSetCreate {
  return { name: spec.name, ...formA(spec) };
}

/** The whole set again (PUT), keeping its name when it has one. */
export function mappingSetUpdateBody(spec: MappingSetSpec & { name?: string | null }): MappingSetUpdate {
  return { ...(spec.name ? { name: spec.name } : {}), ...formA(spec) };
}

export function mappingSetValidateBody(spec: MappingSetSpec): MappingSetValidate {
  return formA(spec);
}

// Flow Service (§5.3)

export function sourceConnectionBody(spec: {
  name: string;
  description?: string;
  providerId: string;
  connectionSpec: SpecRef;
  dataFormat: string;
  baseConnectionId?: string;
}): SourceConnectionCreate {
  return {
    name: spec.name,
    description: spec.description,
    ...(spec.baseConnectionId ? { baseConnectionId: spec.baseConnectionId } : {}),
    providerId: spec.providerId,
    connectionSpec: spec.connectionSpec,
    data: { format: spec.dataFormat },
  };
}

/**
 * A streaming base connection as the HTTP API tutorial creates it: `auth.params.name` is the connection's name,
 * `authenticationRequired` sent only when true (the tutorial's unauthenticated form omits it).
 */
export function streamingBaseConnectionBody(spec: {
  name: string;
  description?: string;
  providerId: string;
  connectionSpec: SpecRef;
  auth: { specName: string; params: { dataType: string; authenticationRequired?: boolean } };
}): ConnectionCreate {
  const { dataType, authenticationRequired } = spec.auth.params;
  return {
    name: spec.name,
    description: spec.description,
    providerId: spec.providerId,
    connectionSpec: spec.connectionSpec,
    auth: {
      specName: spec.auth.specName,
      params: {
        dataType,
        name: spec.name,
        ...(authenticationRequired ? { authenticationRequired: true } : {}),
      },
    },
  };
}

/**
 * A JSON data-lake target writing to `datasetId`, whose schema is `schemaId` (its `$id`) at `schemaVersion` (Schema
 * Registry's, e.g. "1.2"; version 1 when not given).
 */
export function dataLakeTargetBody(spec: {
  name: string;
  description?: string;
  schemaId: string;
  schemaVersion?: string;
  datasetId: string;
}): TargetConnectionCreate {
  return {
    name: spec.name,
    description: spec.description,
    connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
    data: { format: 'json', schema: { id: spec.schemaId, version: xedFullContentType(spec.schemaVersion) } },
    params: { dataSetId: spec.datasetId },
  };
}

/** One source, one target, one mapping set; `options` only when some are set. */
export function flowBody(spec: {
  name: string;
  description?: string;
  flowSpec: SpecRef;
  sourceConnectionId: string;
  targetConnectionId: string;
  mappingSetId: string;
  mappingVersion: number;
  options?: FlowOptionsCreate;
}): FlowCreate {
  return {
    name: spec.name,
    description: spec.description,
    flowSpec: spec.flowSpec,
    sourceConnectionIds: [spec.sourceConnectionId],
    targetConnectionIds: [spec.targetConnectionId],
    transformations: [
      {
        name: MAPPING_TRANSFORMATION,
        // flow-service.yaml types mappingVersion as a string (example "0", line 5069-5071); tutorials send a number.
        params: { mappingId: spec.mappingSetId, mappingVersion: String(spec.mappingVersion) },
      },
    ],
    ...(spec.options && Object.keys(spec.options).length ? { options: spec.options } : {}),
  };
}
