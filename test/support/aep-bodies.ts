// The JSON bodies the emulator answers, as the tests read them. Each builds on the production type of src/aep
// where there is one (the client's zod schemas, loose and mostly nullish), with the fields the emulator always
// fills made required; the tests' assertions still check every value.
import type { z } from 'zod';
import type { Dataset } from '../../src/aep/catalog';
import type { Mapping, MappingSet } from '../../src/aep/data-prep';
import type {
  BaseConnection,
  FlowSpec,
  Flow,
  Run,
  SourceConnection,
  TargetConnection,
} from '../../src/aep/flow-service';
import type { inletReceiptSchema } from '../../src/aep/inlet';
import type { RegistryStats, XdmResource, XdmResourceRef } from '../../src/aep/schema-registry';

/** `{id, etag}`: what Flow Service creates, PATCHes and actions answer. */
export type { IdEtag } from '../../src/aep/flow-service';

// ---- Errors

/** §0.4, the error body of Flow Service, Catalog and Data Prep (src/emulator/core/errors.ts platformError). */
export interface PlatformErrorBody {
  type: string;
  title: string;
  status: number;
  report: { 'detailed-message': string; 'request-id'?: string; id?: string; type?: string };
  errorMessage: string;
  errorDetails: string;
}

/** The Schema Registry's variant of §0.4 (xdmError): a top-level `detail`, no `errorMessage`. */
export interface XdmErrorBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  report: {
    registryRequestId: string;
    timestamp: string;
    'detailed-message': string;
    'sub-errors': unknown[];
  };
  /** Not part of this variant (the tests check that it stays absent). */
  errorMessage?: undefined;
}

/** The Adobe I/O gateway's refusals (§0.3). */
export interface GatewayErrorBody {
  error_code: string;
  message: string;
}

// ---- IMS

export interface ImsTokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface ImsErrorBody {
  error: string;
  error_description: string;
}

// ---- Flow Service

/** A Flow Service list (or GET by id, which answers a list of one). */
export interface FlowList<T> {
  items: T[];
  _links: { next?: { href: string } };
}

interface SpecRef {
  id: string;
  version: string;
}

/** The common fields the emulator puts on every Flow Service entity it shows. */
interface EntityFields {
  id: string;
  etag: string;
  name: string;
  description?: string;
  state: string;
  version: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
  createdClient: string;
  updatedClient: string;
  sandboxId: string;
  sandboxName: string;
  imsOrgId: string;
  providerRefId: string;
}

export type BaseConnectionBody = BaseConnection & EntityFields;

export type SourceConnectionBody = SourceConnection & EntityFields;

export type TargetConnectionBody = TargetConnection &
  EntityFields & {
    data: { format: string; schema: { id: string; version: string } };
    params: { dataSetId: string };
  };

export type FlowBody = Flow &
  EntityFields & {
    transformations: Array<{ name: string; params: { mappingId: string; mappingVersion: number | string } }>;
    /** `inletUrl` is absent until inletDelayMs after the flow's creation. */
    options: { inletUrl?: string; errorDiagnosticsEnabled?: boolean; partialIngestionPercent?: number };
    inheritedAttributes: {
      properties: { isSourceFlow: boolean };
      sourceConnections: Array<{ id: string; connectionSpec: SpecRef }>;
      targetConnections: Array<{ id: string; connectionSpec: SpecRef }>;
    };
    runs: string;
    lastOperation: { operation: string; started: number; updated: number };
    /** Present once the inlet recorded a run. */
    lastRunDetails?: { id: string; state: string; startedAtUTC: number; completedAtUTC: number };
  };

export interface RunBody extends Run {
  flowId: string;
  etag: string;
  sandboxName: string;
  metrics: {
    durationSummary: { startedAtUTC: number; completedAtUTC: number };
    recordSummary: { inputRecordCount: number; outputRecordCount: number; failedRecordCount: number };
    statusSummary: { status: string; errors: Array<{ code: string; message: string }> };
  };
}

export interface ConnectionSpecBody extends FlowSpec {
  version: string;
}

export interface FlowSpecBody extends FlowSpec {
  name: string;
  providerId: string;
  sourceConnectionSpecIds: string[];
  targetConnectionSpecIds: string[];
  optionSpec: { spec: { properties: Record<string, unknown> } };
}

// ---- Schema Registry

export interface RegistryStatsBody extends RegistryStats {
  counts: { schemas: number; [kind: string]: number };
  recentlyCreatedResources: unknown[];
  classUsage: Array<{ $id: string; title: string; numberOfSchemas: number; schemas: Array<{ $id: string }> }>;
}

/** An XDM field as the full views (xed-full) show it. */
export interface XdmField {
  type?: string;
  title?: string;
  properties?: Record<string, XdmField>;
}

/** A field group or schema as created, patched, put or read (the extra views add `properties`, `required`). */
export interface XdmBody extends XdmResource {
  version: string;
  'meta:containerId': string;
  'meta:registryMetadata': { eTag: string };
  'meta:extends'?: string[];
  imsOrg: string;
  properties?: Record<string, XdmField>;
  required?: string[];
}

export interface XdmListBody {
  results: XdmResourceRef[];
  _page: { count: number; next: string | null };
  _links: { next?: { href: string }; global_schemas: { href: string } };
}

// ---- Catalog

/** A dataset of `GET /dataSets[/{id}]`: the answers are keyed by dataset id. */
export interface DatasetBody extends Dataset {
  fileDescription?: { persisted?: boolean; containerFormat?: string; format?: string };
  imsOrg: string;
  sandboxName: string;
  created: number;
  /** What Catalog adds: the schema's behavior and who manages the dataset. */
  classification?: { dataBehavior: string; managedBy: string };
}

/** `POST /dataSets` and `DELETE /dataSets/{id}`: `['@/dataSets/{id}']`. */
export type DatasetRefs = string[];

// ---- Data Prep

export interface MappingBody extends Mapping {
  id: string;
  sourceType: string;
  source: string;
  destination: string;
  sourceAttribute: string;
  destinationXdmPath: string;
  identity: boolean;
}

export interface MappingSetBody extends MappingSet {
  outputSchema: { schemaRef: { id: string; contentType: string } };
  /** The legacy spelling of outputSchema.schemaRef.id. */
  xdmSchema: string;
  mappings: MappingBody[];
  createdDate: number;
  modifiedDate: number;
  createdBy: string;
  modifiedBy: string;
}

/** `POST /mappingSets` answers only the reference and the dates. */
export type MappingSetCreatedBody = Pick<
  MappingSetBody,
  'id' | 'version' | 'createdDate' | 'modifiedDate' | 'createdBy' | 'modifiedBy'
>;

export interface MappingSetListBody {
  _page: { count: number; limit: number };
  data: MappingSetBody[];
}

/** `POST /mappingSets/preview`: one mapped record (or its errors) per input. */
export type MappingPreviewBody = Array<{ data: XdmRecord; errors: Array<{ message: string }> | null }>;

export interface MappingValidationBody {
  validationResponse: Array<{ status: string; errors: Array<{ message: string; code?: string }> | null }>;
}

// ---- Inlet

/** The receipt of one streamed record as sent (the client's schema input: `inletID` or `inletId`). */
export type InletReceiptBody = z.input<typeof inletReceiptSchema>;

/** The DCS problem body (§7, inletError); the documented 401 carries its status as a string. */
export interface InletErrorBody {
  type: string;
  status: number | string;
  title: string;
  report: { message: string };
}

/**
 * A record the inlet wrote to a dataset (the emulator's state, `tenants[].records`): ExperienceEvent `_id` and
 * `timestamp`, and the custom fields `F` under the tenant namespace `_{tenantId}`.
 */
export type XdmRecord<F = Record<string, unknown>> = { _id: string; timestamp: string } & {
  [namespace: string]: F;
};

/** What the Chatlio preset maps under `_{tenantId}.chatlio` (src/presets/chatlio.preset.ts), as far as tests read it. */
export interface ChatlioXdmFields {
  chatlio: {
    message?: string;
    visitor?: { UUID?: string; email?: string };
    transcript?: { agentName?: string };
    feedback?: { rating?: number; comment?: string };
  };
}
