// One input and one output type per onboarding activity. Everything here crosses the workflow boundary as JSON;
// workflows import it as types only (the zod schemas named here are erased: `import type`).
import type { Mapping, SourcePreset } from '../preset-schema';
import type { FlowOptionsSchema, ValidOnboardingInput } from '../input';
import type { z } from 'zod';
import type { ResourceStep } from './resources';

export interface Sandboxed {
  sandbox: string;
}

/** A create of one run: the run's marker proves, in a later look-up, that a resource of that name is its own. */
export interface Marked extends Sandboxed {
  /** `aepo-…` (runMarker): in the name or the description of what the step creates. */
  marker: string;
}

export interface PrepareOnboardingInput {
  /** The workflow's input as it came (from the CLI, the Web UI, `temporal workflow start`): checked here. */
  input: unknown;
}
export interface PrepareOnboardingOutput {
  input: ValidOnboardingInput;
  preset: SourcePreset;
  /** The worker's configured sandbox (AEP_SANDBOX), used when the input names none. */
  defaultSandbox: string;
  /**
   * The name lock's workflow id for this input's source, sandbox and name (it needs the org, which only the worker
   * knows): worked out here, it spares the claim a local activity of its own. Absent from older results.
   */
  nameLockId?: string;
}

export interface LoadPresetInput {
  source: string;
}
export interface LoadPresetOutput {
  preset: SourcePreset;
  defaultSandbox: string;
}

/** The preset's specs, checked in the org before the first create. */
export interface CheckSourceSpecsInput extends Sandboxed, Pick<SourcePreset, 'connectionSpec' | 'flowSpec'> {}
export interface CheckSourceSpecsOutput {
  /** The spec ids found as the onboarding needs them. */
  checked: string[];
}

/** The mapping set about to be written, validated by Data Prep first (the schema must exist). */
export interface ValidateMappingsInput extends Sandboxed {
  schemaId: string;
  /** A reused schema's Schema Registry version (its major goes in the content type). */
  schemaVersion?: string;
  /** Destinations already carry the tenant namespace. */
  mappings: Mapping[];
}
export interface ValidateMappingsOutput {
  mappings: number;
}

export type GetTenantInput = Sandboxed;
export interface GetTenantOutput {
  tenantId: string;
}

export interface EnsureFieldGroupInput extends Marked {
  title: string;
  description: string;
  tenantId: string;
  schemaClass: string;
  fieldGroup: SourcePreset['fieldGroup'];
}
export interface XdmRefOutput {
  /** `$id` (https://ns.adobe.com/{tenant}/...) */
  id: string;
  altId: string;
  version: string;
  /** Always true: a resource found by a retry is one an earlier attempt of this run created (marker-checked). */
  created: boolean;
  /** See IdOutput.attempt. */
  attempt?: number;
}

export interface EnsureSchemaInput extends Marked {
  title: string;
  description: string;
  schemaClass: string;
  fieldGroupId: string;
}

export interface ResolveReusedInput extends Sandboxed {
  schemaId?: string;
  datasetId?: string;
}
export interface ResolveReusedOutput {
  schemaId: string;
  schemaAltId: string;
  /** Schema Registry's `version` of the schema (e.g. "1.2"), when it answers one. */
  schemaVersion?: string;
  datasetId?: string;
}

export interface EnsureDatasetInput extends Marked {
  name: string;
  description: string;
  schemaId: string;
}
export interface IdOutput {
  id: string;
  created: boolean;
  /**
   * The activity attempt that returned it. Above 1, an earlier attempt's create may have landed too (a request that
   * timed out on our side, a worker that died after the POST): only then can the step have a duplicate for the
   * run's sweep to remove. Absent from results recorded before it existed.
   */
  attempt?: number;
}
export interface IdEtagOutput extends IdOutput {
  etag: string;
}

export interface EnsureSourceConnectionInput extends Marked {
  name: string;
  description: string;
  connectionSpec: { id: string; version: string };
  providerId: string;
  dataFormat: string;
  /** HTTP API: the base connection the run created (absent for the webhook sources). */
  baseConnectionId?: string;
}

/** HTTP API: the base connection (`POST /connections`) whose inlet the source streams into. */
export interface EnsureBaseConnectionInput extends Marked {
  name: string;
  description: string;
  providerId: string;
  connectionSpec: { id: string; version: string };
  auth: { specName: string; params: { dataType: string; authenticationRequired?: boolean } };
}

export interface EnsureTargetConnectionInput extends Marked {
  name: string;
  description: string;
  datasetId: string;
  schemaId: string;
  /** A reused schema's Schema Registry version; the content type's version is its major (1 when absent). */
  schemaVersion?: string;
}

export interface EnsureMappingSetInput extends Marked {
  name: string;
  schemaId: string;
  /** A reused schema's Schema Registry version; the content type's version is its major (1 when absent). */
  schemaVersion?: string;
  /** Destinations already carry the tenant namespace. */
  mappings: Mapping[];
}
export interface MappingSetOutput extends IdOutput {
  version: number;
}

export interface EnsureFlowInput extends Marked {
  name: string;
  description: string;
  flowSpec: { id: string; version: string };
  sourceConnectionId: string;
  targetConnectionId: string;
  mappingSetId: string;
  mappingVersion: number;
  options?: z.infer<typeof FlowOptionsSchema>;
}

export interface GetInletUrlInput extends Sandboxed {
  flowId: string;
  /** HTTP API: the inlet is the base connection's (`auth.params.inletUrl`), not the flow's. */
  baseConnectionId?: string;
}
export interface GetInletUrlOutput {
  inletUrl: string;
  etag: string;
}

/**
 * Deletes by id when the create returned one; else, under `name`, only what carries `marker` (a create whose answer
 * was lost). Nothing else of that name is ever deleted.
 */
export interface RemoveInput extends Sandboxed {
  id?: string;
  name?: string;
  marker?: string;
  /**
   * When the step's create ended without a settling answer (timed out, or cancelled): how long ago that was, in
   * workflow time, when the undo was scheduled. The create may still land, so an empty look-up by name is trusted
   * only once the settle time has passed since then. A duration, not a date: worker and server clocks may differ
   * (and the time-skipping test server runs ahead of the wall clock).
   */
  unsettledForMs?: number;
}
export interface RemoveOutput {
  existed: boolean;
  id?: string;
}

export interface SweepInput extends Sandboxed {
  marker: string;
  /** Each step's name and the id the run keeps (none: the run keeps nothing, as in compensation). */
  steps: Array<{ step: ResourceStep; name: string; keep?: string }>;
}
export interface SweepOutput {
  /** Duplicates (or late creates) of this run, deleted. */
  removed: Array<{ step: ResourceStep; id: string }>;
}
