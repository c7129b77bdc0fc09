// The one comparison of owned state (desired vs live) and the desired state an onboarding input asks for. Pure, no
// I/O: the plan activity, the apply workflow and the drift check all call these; nobody writes a second one.
import type {
  FieldChange,
  LiveOwnedState,
  OwnedFlowOptions,
  OwnedMapping,
  OwnedState,
  OwnedStateDiff,
} from './contracts/owned-state';
import { RESOURCE_STEPS } from './contracts/resources';
import type { ValidOnboardingInput } from './input';
import { mergeMappings } from './mappings';
import { mappingSetName, markedDescription, resourceName } from './naming';
import type { OnboardingIds } from './onboarding';
import type { SourcePreset } from './preset-schema';

export type * from './contracts/owned-state';

/** Mappings in their one normal form, sorted by destination (AEP keeps no order we own). */
export function normaliseMappings(
  mappings: ReadonlyArray<{
    sourceType?: string | null;
    source?: string | null;
    destination?: string | null;
  }>,
): OwnedMapping[] {
  return mappings
    .map((m) => ({
      sourceType: m.sourceType ?? 'ATTRIBUTE',
      source: m.source ?? '',
      destination: m.destination ?? '',
    }))
    .sort((a, b) =>
      a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : a.source < b.source ? -1 : 1,
    );
}

/** JSON with sorted keys: equal values, equal text (key order is not a difference). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A mapping list is a set (in its normal order), every other value its canonical JSON. */
const comparable = (field: string, v: unknown) =>
  canonicalJson(field === 'mappings' && Array.isArray(v) ? normaliseMappings(v as OwnedMapping[]) : v);

/**
 * Desired vs live, field by field: only the fields the desired state sets count (an undefined one is not ours to
 * judge), objects compared key by key (`options.partialIngestionPercent`), a resource AEP answered 404 for is
 * `missing` and none of its fields is compared.
 */
export function compareOwnedState(desired: OwnedState, live: LiveOwnedState): OwnedStateDiff {
  const missing = RESOURCE_STEPS.filter((s) => desired[s] !== undefined && live.missing.includes(s));
  const changed: FieldChange[] = [];
  for (const resource of RESOURCE_STEPS) {
    const want = desired[resource] as Record<string, unknown> | undefined;
    // Not read (no id to read it by) and not missing: nothing to judge.
    if (!want || missing.includes(resource) || live[resource] === undefined) continue;
    const have = live[resource] as Record<string, unknown>;
    for (const [key, value] of Object.entries(want)) {
      if (key === 'id' || value === undefined) continue;
      const nested = value !== null && typeof value === 'object' && !Array.isArray(value);
      const pairs: Array<[string, unknown, unknown]> = nested
        ? Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            `${key}.${k}`,
            v,
            (have[key] as Record<string, unknown> | undefined)?.[k],
          ])
        : [[key, value, have[key]]];
      for (const [field, d, l] of pairs) {
        if (d !== undefined && comparable(field, d) !== comparable(field, l))
          changed.push({ resource, field, desired: d, live: l ?? null });
      }
    }
  }
  return { missing, changed };
}

/** An entry of the desired-state file: the onboarding input, plus whether its flow runs. */
export type DesiredOnboardingInput = ValidOnboardingInput & { enabled?: boolean };

/** What the onboarding's record tells about it: without it, names (which carry the run's marker) are not judged. */
export interface KnownOnboarding {
  workflowId: string;
  /** The run's marker (runMarker of the onboarding run); absent for an adopted onboarding (its names are AEP's). */
  marker?: string;
  ids?: Partial<OnboardingIds>;
}

/**
 * The owned state an onboarding input asks for, as the onboarding creates it (src/workflows/onboarding-run*.ts):
 * the preset's mappings merged with the input's (tenant filled in), the flow enabled unless `enabled: false`, the
 * names of what it created (from the run's marker), the ids the record holds. A reused schema or dataset is not
 * ours: only its id is judged, where the target connection points.
 */
export function desiredFromInput(
  input: DesiredOnboardingInput,
  preset: Pick<SourcePreset, 'displayName' | 'mappings' | 'baseConnection'>,
  tenantId: string,
  known?: KnownOnboarding,
): OwnedState {
  const ids = known?.ids ?? {};
  const marker = known?.marker;
  const named = (step: Parameters<typeof resourceName>[0]) =>
    marker ? resourceName(step, { name: input.name, displayName: preset.displayName, marker }) : undefined;
  const options: OwnedFlowOptions | undefined = input.flow
    ? Object.fromEntries(Object.entries(input.flow).filter(([, v]) => v !== undefined))
    : undefined;
  const reusedSchema = Boolean(input.schemaId || input.datasetId);
  const state: OwnedState = {
    flow: {
      id: ids.flowId,
      name: named('flow'),
      description:
        marker && known
          ? markedDescription(
              input.description ?? `Created by aep-onboarding (workflow ${known.workflowId})`,
              marker,
            )
          : undefined,
      state: input.enabled === false ? 'disabled' : 'enabled',
      options: options && Object.keys(options).length ? options : undefined,
      sourceConnectionId: ids.sourceConnectionId,
      targetConnectionId: ids.targetConnectionId,
      mappingSetId: ids.mappingSetId,
    },
    mappingSet: {
      id: ids.mappingSetId,
      name: marker ? mappingSetName({ source: input.source, marker }) : undefined,
      mappings: normaliseMappings(
        mergeMappings({
          base: preset.mappings,
          overrides: input.mappingOverrides,
          drop: input.dropMappings,
          tenantId,
        }),
      ),
    },
    targetConnection: {
      id: ids.targetConnectionId,
      name: named('targetConnection'),
      datasetId: input.datasetId ?? ids.datasetId,
      schemaId: ids.schemaId,
    },
    sourceConnection: {
      id: ids.sourceConnectionId,
      name: named('sourceConnection'),
      baseConnectionId: ids.baseConnectionId,
    },
  };
  if (!input.datasetId) {
    state.dataset = {
      id: ids.datasetId,
      name: input.datasetName ?? named('dataset'),
      schemaId: ids.schemaId,
    };
  }
  if (!reusedSchema) {
    state.schema = { id: ids.schemaAltId, title: input.schemaTitle ?? named('schema') };
    state.fieldGroup = { id: ids.fieldGroupId, title: named('fieldGroup') };
  }
  if (preset.baseConnection)
    state.baseConnection = { id: ids.baseConnectionId, name: named('baseConnection') };
  return state;
}
