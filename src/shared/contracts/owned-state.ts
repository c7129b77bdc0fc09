// The fields of one onboarding that we own, as AEP should hold them (desired) or does hold them (live): what plan -f,
// apply and the drift check compare. JSON only, so it crosses the workflow boundary. Nothing AEP sets or masks
// (etags, timestamps, createdBy, runs, inheritedAttributes, auth params) is ever part of it, so no diff comes from
// them; etags travel beside it (LiveOwnedState.etags) for the plan hash and If-Match only.
import type { ResourceStep } from './resources';

/** One mapping in its normal form: ATTRIBUTE when absent, the tenant filled in; lists sorted by destination. */
export interface OwnedMapping {
  sourceType: string;
  source: string;
  destination: string;
}

export interface OwnedFlowOptions {
  errorDiagnosticsEnabled?: boolean;
  partialIngestionPercent?: number;
}

/**
 * A field left undefined in a desired state is not ours to judge (a name we cannot derive, an option the file does
 * not set): never compared. `id` names the resource read; it is not compared (the read is by it).
 */
export interface OwnedState {
  flow?: {
    id?: string;
    name?: string;
    description?: string;
    state?: 'enabled' | 'disabled';
    options?: OwnedFlowOptions;
    sourceConnectionId?: string;
    targetConnectionId?: string;
    mappingSetId?: string;
    mappingVersion?: number;
  };
  mappingSet?: { id?: string; name?: string; version?: number; mappings?: OwnedMapping[] };
  targetConnection?: { id?: string; name?: string; datasetId?: string; schemaId?: string };
  sourceConnection?: { id?: string; name?: string; baseConnectionId?: string };
  dataset?: { id?: string; name?: string; schemaId?: string };
  schema?: { id?: string; title?: string };
  fieldGroup?: { id?: string; title?: string };
  baseConnection?: { id?: string; name?: string };
}

/** What a read of AEP found: the owned fields, the resources a GET by id answered 404 for, and the etags seen. */
export interface LiveOwnedState extends OwnedState {
  missing: ResourceStep[];
  etags: Partial<Record<ResourceStep, string>>;
}

/** One owned field whose live value is not the desired one. */
export interface FieldChange {
  resource: ResourceStep;
  field: string;
  desired: unknown;
  live: unknown;
}

export interface OwnedStateDiff {
  /** Desired resources AEP no longer has (a GET by id answered 404), in teardown order. */
  missing: ResourceStep[];
  changed: FieldChange[];
}
