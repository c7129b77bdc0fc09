// What the onboarding knows of each resource step: its undo activity, where its id is kept, and whether a failed
// create was settled by AEP's answer. Pure tables and a pure function: no workflow APIs.
import { ApplicationFailure } from '@temporalio/workflow';
import type { Activities, ResourceStep } from '../activities';
import type { OnboardingIds } from '../shared/onboarding';

/** The undo activity of each resource step: all take a RemoveInput. */
export const REMOVE = {
  flow: 'removeFlow',
  targetConnection: 'removeTargetConnection',
  sourceConnection: 'removeSourceConnection',
  mappingSet: 'removeMappingSet',
  dataset: 'removeDataset',
  schema: 'removeSchema',
  fieldGroup: 'removeFieldGroup',
  baseConnection: 'removeBaseConnection',
} as const satisfies Record<ResourceStep, keyof Activities>;

/** Where each resource step's id is kept: schemas and field groups are deleted by their meta:altId. */
export const ID_OF = {
  flow: 'flowId',
  targetConnection: 'targetConnectionId',
  sourceConnection: 'sourceConnectionId',
  mappingSet: 'mappingSetId',
  dataset: 'datasetId',
  schema: 'schemaAltId',
  fieldGroup: 'fieldGroupId',
  baseConnection: 'baseConnectionId',
} as const satisfies Record<ResourceStep, keyof OnboardingIds>;

/**
 * Whether a failed create was settled by AEP's answer (its last attempt got an HTTP status other than a gateway's
 * 502/504). A timeout, a reset or a cancellation leaves the request possibly in flight.
 */
export function answered(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) {
    if (e instanceof ApplicationFailure) {
      const status = (e.details?.[0] as { status?: unknown } | undefined)?.status;
      if (typeof status === 'number') return status > 0 && status !== 502 && status !== 504;
      if (e.nonRetryable) return true; // refused before any request (input checks, NameTaken)
    }
  }
  return false;
}

/**
 * The resource steps a run creates (and sweeps): a reused dataset, and the schema under it, are not the run's; the
 * base connection only for a source that has one (HTTP API), last as in RESOURCE_STEPS.
 */
export function createdSteps(
  input: { schemaId?: string; datasetId?: string },
  baseConnection = false,
): ResourceStep[] {
  const steps: ResourceStep[] = ['flow', 'targetConnection', 'sourceConnection', 'mappingSet'];
  if (!input.datasetId) steps.push('dataset');
  if (!input.schemaId && !input.datasetId) steps.push('schema', 'fieldGroup');
  if (baseConnection) steps.push('baseConnection');
  return steps;
}
