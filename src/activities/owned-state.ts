// readLiveOwnedState: the owned fields of one onboarding as AEP holds them, read by id (GETs only). A 404 marks the
// resource missing; refused access is thrown (it says nothing about the resource). Only what we own is kept, so
// fields AEP sets or masks (etags, timestamps, runs, inheritedAttributes, auth) never reach a comparison.
import { AepNotFoundError, isAccessRefusal } from '../aep';
import type { LiveOwnedState } from '../shared/contracts/owned-state';
import type { ResourceStep } from '../shared/contracts/resources';
import type { OnboardingIds } from '../shared/onboarding';
import { normaliseMappings } from '../shared/owned-state';
import type { ActivityDeps } from './deps';
import { mappingOf } from './lifecycle/flows';

const isNotFound = (err: unknown) => err instanceof AepNotFoundError && !isAccessRefusal(err);
const str = (v: string | null | undefined) => v ?? undefined;

export async function readLiveOwnedState(
  deps: Pick<ActivityDeps, 'aep'>,
  sandbox: string,
  ids: Partial<OnboardingIds>,
): Promise<LiveOwnedState> {
  const api = deps.aep.withSandbox(sandbox);
  const fs = api.flowService;
  const live: LiveOwnedState = { missing: [], etags: {} };
  /** One GET by id: its owned fields set on `live`, or the step marked missing on a 404. */
  const read = async <R>(
    step: ResourceStep,
    id: string | undefined,
    get: (id: string) => Promise<R>,
    keep: (r: R) => void,
  ) => {
    if (!id) return;
    try {
      keep(await get(id));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      live.missing.push(step);
    }
  };
  await Promise.all([
    read(
      'flow',
      ids.flowId,
      (id) => fs.get('flows', id),
      (f) => {
        const mapping = mappingOf(f);
        const options = (f.options ?? {}) as Record<string, unknown>;
        live.etags.flow = f.etag;
        live.flow = {
          id: f.id,
          name: str(f.name),
          description: str(f.description),
          state: f.state === 'disabled' ? 'disabled' : f.state === 'enabled' ? 'enabled' : undefined,
          options: {
            ...(typeof options.errorDiagnosticsEnabled === 'boolean'
              ? { errorDiagnosticsEnabled: options.errorDiagnosticsEnabled }
              : {}),
            ...(typeof options.partialIngestionPercent === 'number'
              ? { partialIngestionPercent: options.partialIngestionPercent }
              : {}),
          },
          sourceConnectionId: f.sourceConnectionIds[0],
          targetConnectionId: f.targetConnectionIds[0],
          mappingSetId: mapping?.mappingId,
          mappingVersion: mapping?.version,
        };
      },
    ),
    read(
      'targetConnection',
      ids.targetConnectionId,
      (id) => fs.get('targetConnections', id),
      (t) => {
        live.etags.targetConnection = t.etag;
        live.targetConnection = {
          id: t.id,
          name: str(t.name),
          datasetId: str(t.params?.dataSetId),
          schemaId: t.data?.schema?.id,
        };
      },
    ),
    read(
      'sourceConnection',
      ids.sourceConnectionId,
      (id) => fs.get('sourceConnections', id),
      (s) => {
        live.etags.sourceConnection = s.etag;
        live.sourceConnection = { id: s.id, name: str(s.name), baseConnectionId: str(s.baseConnectionId) };
      },
    ),
    read(
      'baseConnection',
      ids.baseConnectionId,
      (id) => fs.get('connections', id),
      (c) => {
        live.etags.baseConnection = c.etag;
        live.baseConnection = { id: c.id, name: str(c.name) };
      },
    ),
    read(
      'mappingSet',
      ids.mappingSetId,
      (id) => api.dataPrep.getMappingSet(id),
      (m) => {
        live.mappingSet = {
          id: m.id,
          name: str(m.name),
          version: m.version,
          mappings: normaliseMappings(
            m.mappings.map((x) => ({
              sourceType: x.sourceType,
              source: x.source ?? x.sourceAttribute,
              destination: x.destination ?? x.destinationXdmPath,
            })),
          ),
        };
      },
    ),
    read(
      'dataset',
      ids.datasetId,
      (id) => api.catalog.getDataset(id),
      (d) => {
        live.dataset = {
          id: d.id,
          name: typeof d.name === 'string' ? d.name : undefined,
          schemaId: d.schemaRef?.id,
        };
      },
    ),
    read(
      'schema',
      ids.schemaAltId,
      (id) => api.schemaRegistry.getSchema(id),
      (s) => {
        live.schema = { id: s['meta:altId'], title: str(s.title) };
      },
    ),
    read(
      'fieldGroup',
      ids.fieldGroupId,
      (id) => api.schemaRegistry.getFieldGroup(id),
      (g) => {
        live.fieldGroup = { id: g['meta:altId'], title: str(g.title) };
      },
    ),
  ]);
  // In one order whatever answered first: the plan hash covers it.
  live.missing.sort();
  return live;
}
