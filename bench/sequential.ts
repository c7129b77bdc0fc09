// The benchmark's reference point without Temporal: one onboarding as a plain script, in the tutorial's order
// (source connection, schema, dataset, target connection, mapping, dataflow, inlet URL), one call after the other,
// with the checks the worker makes before writing (the source's specs first, Data Prep's validation of the mappings
// before the set). It runs the worker's own activity functions on a first attempt (so exactly the requests the
// worker makes, no find-first look-ups), through the same AEP client, against the same emulator. Like a worker, it keeps one set of
// activities across runs, so the tenant id read by the first run is reused by the next ones (as a person reuses it).
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities';
import type { AepClient } from '../src/aep';
import type { PresetRegistry } from '../src/presets/registry';
import { NO_RECORDS } from '../test/support/records';
import { mappingSetName, resourceName, runMarker } from '../src/shared/naming';
import { mergeMappings } from '../src/shared/mappings';

export function sequentialOnboarding(deps: { aep: AepClient; presets: PresetRegistry }): (p: {
  workflowId: string;
  name: string;
  source?: string;
  sandbox?: string;
}) => Promise<{
  flowId: string;
  inletUrl: string;
}> {
  const acts = createActivities({ ...deps, records: NO_RECORDS });
  return (p) => sequentialRun(acts, p);
}

async function sequentialRun(
  acts: ReturnType<typeof createActivities>,
  p: { workflowId: string; name: string; source?: string; sandbox?: string },
): Promise<{ flowId: string; inletUrl: string }> {
  const env = new MockActivityEnvironment({ attempt: 1 });
  const run = <O>(call: () => Promise<O>): Promise<O> => env.run(call);
  const sandbox = p.sandbox ?? 'prod';
  const source = p.source ?? 'chatlio';
  const marker = runMarker({ workflowId: p.workflowId, runId: 'sequential' });
  const description = `Created by the sequential benchmark (${p.workflowId}) [${marker}]`;

  const { preset } = await run(() => acts.prepareOnboarding({ input: { source, name: p.name } }));
  const name = (step: Parameters<typeof resourceName>[0]) =>
    resourceName(step, { name: p.name, displayName: preset.displayName, marker });

  await run(() =>
    acts.checkSourceSpecs({ sandbox, connectionSpec: preset.connectionSpec, flowSpec: preset.flowSpec }),
  );
  const sc = await run(() =>
    acts.ensureSourceConnection({
      sandbox,
      marker,
      name: name('sourceConnection'),
      description,
      connectionSpec: preset.connectionSpec,
      providerId: preset.providerId,
      dataFormat: preset.dataFormat,
    }),
  );
  const { tenantId } = await run(() => acts.getTenant({ sandbox }));
  const fg = await run(() =>
    acts.ensureFieldGroup({
      sandbox,
      marker,
      title: name('fieldGroup'),
      description,
      tenantId,
      schemaClass: preset.schemaClass,
      fieldGroup: preset.fieldGroup,
    }),
  );
  const schema = await run(() =>
    acts.ensureSchema({
      sandbox,
      marker,
      title: name('schema'),
      description,
      schemaClass: preset.schemaClass,
      fieldGroupId: fg.id,
    }),
  );
  const ds = await run(() =>
    acts.ensureDataset({
      sandbox,
      marker,
      name: name('dataset'),
      description,
      schemaId: schema.id,
    }),
  );
  const tc = await run(() =>
    acts.ensureTargetConnection({
      sandbox,
      marker,
      name: name('targetConnection'),
      description,
      datasetId: ds.id,
      schemaId: schema.id,
    }),
  );
  const mappings = mergeMappings({ base: preset.mappings, tenantId });
  await run(() => acts.validateMappings({ sandbox, schemaId: schema.id, mappings }));
  const ms = await run(() =>
    acts.ensureMappingSet({
      sandbox,
      marker,
      name: mappingSetName({ source, marker }),
      schemaId: schema.id,
      mappings,
    }),
  );
  const flow = await run(() =>
    acts.ensureFlow({
      sandbox,
      marker,
      name: name('flow'),
      description,
      flowSpec: preset.flowSpec,
      sourceConnectionId: sc.id,
      targetConnectionId: tc.id,
      mappingSetId: ms.id,
      mappingVersion: ms.version,
    }),
  );
  const { inletUrl } = await run(() => acts.getInletUrl({ sandbox, flowId: flow.id }));
  return { flowId: flow.id, inletUrl };
}
