// The one comparison of owned state (src/shared/owned-state.ts) and the live read (src/activities/owned-state.ts):
// pure functions over a preset and plain objects; the live read over a typed fake of the AEP client.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readLiveOwnedState } from '../../src/activities/owned-state';
import { PresetRegistry } from '../../src/presets/registry';
import type { LiveOwnedState } from '../../src/shared/contracts/owned-state';
import { runMarker } from '../../src/shared/naming';
import type { OnboardingIds } from '../../src/shared/onboarding';
import { compareOwnedState, desiredFromInput, normaliseMappings } from '../../src/shared/owned-state';
import { FakeAep } from '../support/fake-aep';

const presets = PresetRegistry.fromEnv({});
const chatlio = presets.get('chatlio')!;
const workflowId = 'onboard-chatlio-prod-support-chat-0123456789ab-abcdef01';
const marker = runMarker({ workflowId, runId: 'run-1' });
const ids: OnboardingIds = {
  tenantId: 'acme',
  fieldGroupId: 'acme.fg',
  schemaId: 'https://ns.adobe.com/acme/schemas/s1',
  schemaAltId: '_acme.schemas.s1',
  datasetId: 'ds0123456789',
  sourceConnectionId: 'sc-1',
  targetConnectionId: 'tc-1',
  mappingSetId: 'ms-1',
  flowId: 'flow-1',
};
const input = { source: 'chatlio', name: 'Support chat' };
const desired = desiredFromInput(input, chatlio, 'acme', { workflowId, marker, ids });

/** Live state exactly as desired: what a fresh onboarding reads back, plus what AEP adds of its own. */
function liveAsDesired(): LiveOwnedState {
  const d = structuredClone(desired);
  return {
    ...d,
    flow: { ...d.flow, options: {}, mappingVersion: 0 },
    mappingSet: { ...d.mappingSet, version: 0 },
    missing: [],
    etags: { flow: '"e1"' },
  };
}

describe('owned state', () => {
  it('desired from an input: the preset mappings in the tenant, the names of the run, enabled', () => {
    assert.equal(desired.flow?.state, 'enabled');
    assert.equal(desired.flow?.name, `Support chat · Chatlio dataflow [${marker}]`);
    assert.ok(desired.flow?.description?.endsWith(`[${marker}]`));
    assert.ok(desired.mappingSet?.mappings?.every((m) => !m.destination.includes('{TENANT}')));
    const dests = desired.mappingSet!.mappings!.map((m) => m.destination);
    assert.deepEqual(dests, [...dests].sort());
    assert.equal(desiredFromInput({ ...input, enabled: false }, chatlio, 'acme').flow?.state, 'disabled');
    // No record: nothing whose value carries the run's marker is judged.
    assert.equal(desiredFromInput(input, chatlio, 'acme').flow?.name, undefined);
  });

  it('no perpetual diff: fields AEP sets or masks, options the file leaves out, key and list order', () => {
    const live = liveAsDesired();
    live.etags = { flow: '"e9"', targetConnection: '"e3"' };
    live.flow!.options = { errorDiagnosticsEnabled: true };
    live.mappingSet!.mappings = [...live.mappingSet!.mappings!].reverse();
    assert.deepEqual(compareOwnedState(desired, live), { missing: [], changed: [] });
  });

  it('a changed mapping and a renamed flow are changes, field by field', () => {
    const live = liveAsDesired();
    const [first, ...rest] = live.mappingSet!.mappings!;
    live.mappingSet!.mappings = [{ ...first!, source: 'edited.in.ui' }, ...rest];
    live.flow!.name = 'Renamed in the UI';
    const { missing, changed } = compareOwnedState(desired, live);
    assert.deepEqual(missing, []);
    assert.deepEqual(
      changed.map((c) => `${c.resource}.${c.field}`),
      ['flow.name', 'mappingSet.mappings'],
    );
    assert.equal(changed[0]!.live, 'Renamed in the UI');
  });

  it('an option the file sets counts when AEP holds another value', () => {
    const withOption = desiredFromInput({ ...input, flow: { partialIngestionPercent: 5 } }, chatlio, 'acme', {
      workflowId,
      marker,
      ids,
    });
    const { changed } = compareOwnedState(withOption, liveAsDesired());
    assert.deepEqual(changed, [
      { resource: 'flow', field: 'options.partialIngestionPercent', desired: 5, live: null },
    ]);
  });

  it('a missing flow is missing, its fields not compared', () => {
    const live = liveAsDesired();
    delete live.flow;
    live.missing = ['flow'];
    assert.deepEqual(compareOwnedState(desired, live), { missing: ['flow'], changed: [] });
  });

  it('mappings normalised: ATTRIBUTE when absent, sorted by destination', () => {
    assert.deepEqual(
      normaliseMappings([
        { source: 'b', destination: 'z' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'a' },
      ]),
      [
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'a' },
        { sourceType: 'ATTRIBUTE', source: 'b', destination: 'z' },
      ],
    );
  });
});

describe('readLiveOwnedState', () => {
  it('a 404 marks the resource missing; the others are read', async () => {
    const fake = new FakeAep();
    const tc = fake.seed('targetConnections', {
      name: 'Support chat · Chatlio target connection',
      params: { dataSetId: 'ds0123456789' },
      data: { format: 'parquet_xdm', schema: { id: ids.schemaId, version: '1.0' } },
    });
    const live = await readLiveOwnedState({ aep: fake.client }, 'prod', {
      flowId: 'flow-gone',
      targetConnectionId: tc,
    });
    assert.deepEqual(live.missing, ['flow']);
    assert.equal(live.flow, undefined);
    assert.deepEqual(live.targetConnection, {
      id: tc,
      name: 'Support chat · Chatlio target connection',
      datasetId: 'ds0123456789',
      schemaId: ids.schemaId,
    });
    assert.ok(live.etags.targetConnection);
  });
});
