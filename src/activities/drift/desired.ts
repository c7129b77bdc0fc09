// The desired owned state of a recorded onboarding: its record (with the ids of any reconcile since) folded with the
// completed updates after it. What it cannot know (an adopted onboarding's names, the input's own description) is
// left undefined, which the one comparison (src/shared/owned-state.ts) never judges.
import type { OnboardingRecord } from '../../records';
import type { OwnedMapping, OwnedState } from '../../shared/contracts/owned-state';
import type { UpdateResult } from '../../shared/contracts/workflows';
import { mappingSetName, resourceName, runMarker } from '../../shared/naming';
import type { OnboardingResult } from '../../shared/onboarding';

/** The mapping version, flow state, name and description the record and the updates after it leave. */
export function foldUpdates(result: OnboardingResult, updates: readonly UpdateResult[]) {
  let mappingVersion = result.mappingVersion;
  let state: 'enabled' | 'disabled' = 'enabled';
  let flowName: string | undefined;
  let description: string | undefined;
  for (const u of updates) {
    // An update that left the mappings alone reports the version it read; a later one never lowers it.
    mappingVersion = Math.max(mappingVersion, u.mappingVersion);
    if (u.state) state = u.state;
    if (u.flowName !== undefined) flowName = u.flowName;
    if (u.description !== undefined) description = u.description;
  }
  return { mappingVersion, state, flowName, description };
}

export interface DesiredParts {
  record: Pick<OnboardingRecord, 'workflowId' | 'runId' | 'kind'> & { result: OnboardingResult };
  updates: readonly UpdateResult[];
  /** The mapping set's mappings at the desired version (undefined: that version could not be read). */
  mappings?: OwnedMapping[];
  /** The preset's display name (names carry it); undefined for an unknown source. */
  displayName?: string;
}

/** Pure: the owned state the record stands for. */
export function desiredOfRecord(p: DesiredParts): OwnedState {
  const r = p.record.result;
  const ids = r.ids;
  const folded = foldUpdates(r, p.updates);
  // What an onboarding named carries its run's marker; an adopted flow's names are AEP's own, not judged.
  const marker =
    p.record.kind === 'onboarding'
      ? runMarker({ workflowId: p.record.workflowId, runId: p.record.runId })
      : undefined;
  const named = (step: Parameters<typeof resourceName>[0]) =>
    marker && p.displayName
      ? resourceName(step, { name: r.name, displayName: p.displayName, marker })
      : undefined;
  const state: OwnedState = {
    flow: {
      id: ids.flowId,
      name: folded.flowName ?? named('flow'),
      description: folded.description,
      state: folded.state,
      sourceConnectionId: ids.sourceConnectionId,
      targetConnectionId: ids.targetConnectionId,
      mappingSetId: ids.mappingSetId,
      mappingVersion: folded.mappingVersion,
    },
    mappingSet: {
      id: ids.mappingSetId,
      name: marker ? mappingSetName({ source: r.source, marker }) : undefined,
      version: folded.mappingVersion,
      mappings: p.mappings,
    },
    targetConnection: {
      id: ids.targetConnectionId,
      name: named('targetConnection'),
      datasetId: ids.datasetId,
      schemaId: ids.schemaId,
    },
    sourceConnection: {
      id: ids.sourceConnectionId,
      name: named('sourceConnection'),
      baseConnectionId: ids.baseConnectionId,
    },
  };
  if (!r.reused.dataset) state.dataset = { id: ids.datasetId, schemaId: ids.schemaId };
  if (!r.reused.schema && ids.schemaAltId) state.schema = { id: ids.schemaAltId };
  if (ids.fieldGroupId) state.fieldGroup = { id: ids.fieldGroupId };
  if (ids.baseConnectionId) state.baseConnection = { id: ids.baseConnectionId };
  return state;
}
