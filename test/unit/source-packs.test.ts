// Each built-in source pack is self-consistent: its samples exercise its mappings, every sample fills what the
// schema needs, every destination is a field of its own field group, and its identity is filled by a sample.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getPath } from '../../src/emulator/logic/mapping';
import { PresetRegistry } from '../../src/presets/registry';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  CUSTOMERIO_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import { SourcePresetSchema, type PresetField, type SourcePreset } from '../../src/shared/preset-schema';

const presets = PresetRegistry.fromEnv({});
const PACKS: Record<string, string> = {
  chatlio: CHATLIO_CONNECTION_SPEC_ID,
  pendo: PENDO_CONNECTION_SPEC_ID,
  customerio: CUSTOMERIO_CONNECTION_SPEC_ID,
  shopify: SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
};
/** Every built-in preset: the four packs and the generic HTTP API source. */
const BUILT_IN = [...Object.keys(PACKS), 'http-api'];

/** The field group's field at `path` (below `_{TENANT}.<key>.`), if any. */
function fieldAt(preset: SourcePreset, path: string): PresetField | undefined {
  const [first, ...rest] = path.split('.');
  let field: PresetField | undefined = preset.fieldGroup.fields[first!];
  for (const part of rest) field = field?.properties?.[part];
  return field;
}

describe('built-in source packs', () => {
  it('are the four Streaming SDK webhook sources, each on GenericStreamingAEP with its connection spec', () => {
    assert.deepEqual(presets.ids().sort(), [...BUILT_IN].sort());
    for (const [id, spec] of Object.entries(PACKS)) {
      const p = presets.get(id)!;
      assert.deepEqual(
        [p.connectionSpec.id, p.providerId, p.flowSpec.id],
        [spec, STREAMING_PROVIDER_ID, GENERIC_STREAMING_FLOW_SPEC_ID],
        id,
      );
      assert.equal(p.fieldGroup.key, id, `${id}: the field group is _{TENANT}.${id}`);
      assert.equal(p.baseConnection, undefined, `${id}: a webhook source has no base connection`);
    }
  });

  it('HTTP API: a raw-data base connection on its connection spec, and its own flow spec', () => {
    const p = presets.get('http-api')!;
    assert.deepEqual(
      [p.connectionSpec.id, p.providerId, p.flowSpec.id],
      [HTTP_API_CONNECTION_SPEC_ID, STREAMING_PROVIDER_ID, HTTP_API_FLOW_SPEC_ID],
    );
    assert.deepEqual(p.baseConnection, {
      connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
      auth: { specName: 'Streaming Connection', params: { dataType: 'raw' } },
    });
  });

  for (const id of BUILT_IN) {
    describe(id, () => {
      const p = presets.get(id)!;
      const ns = `_{TENANT}.${p.fieldGroup.key}.`;
      const samples = Object.entries(p.samples);

      it('every mapped source path exists in at least one sample', () => {
        for (const m of p.mappings.filter((x) => x.sourceType === 'ATTRIBUTE')) {
          assert.ok(
            samples.some(([, body]) => getPath(body, m.source) !== undefined),
            `${id}: no sample carries ${m.source}`,
          );
        }
      });

      it('every sample type fills _id, timestamp and the required fields', () => {
        const needed = ['_id', 'timestamp', ...p.fieldGroup.required.map((f) => `${ns}${f}`)];
        for (const [name, body] of samples) {
          for (const destination of needed) {
            const m = p.mappings.find((x) => x.destination === destination);
            assert.ok(m, `${id}: nothing maps ${destination}`);
            assert.ok(
              m.sourceType !== 'ATTRIBUTE' || getPath(body, m.source) !== undefined,
              `${id}.${name}: ${m.source} (→ ${destination}) is missing`,
            );
          }
        }
      });

      it('maps into its own field group only, and each destination is one of its fields', () => {
        for (const m of p.mappings) {
          if (m.destination === '_id' || m.destination === 'timestamp') continue;
          assert.ok(m.destination.startsWith(ns), `${id}: ${m.destination} is outside ${ns}`);
          assert.ok(fieldAt(p, m.destination.slice(ns.length)), `${id}: no field ${m.destination}`);
        }
        const destinations = p.mappings.map((m) => m.destination);
        assert.equal(new Set(destinations).size, destinations.length, `${id}: a destination mapped twice`);
      });

      it('has an identity that a sample fills', () => {
        assert.ok(p.identity, `${id}: no identity`);
        const m = p.mappings.find((x) => x.destination === p.identity!.path)!;
        assert.ok(samples.some(([, body]) => getPath(body, m.source) !== undefined));
      });
    });
  }

  it('an identity no mapping fills is refused when the preset loads', () => {
    const bad = {
      ...presets.get('pendo')!,
      identity: { path: '_{TENANT}.pendo.nosuch', namespace: 'Email' },
    };
    const parsed = SourcePresetSchema.safeParse(bad);
    assert.equal(parsed.success, false);
    assert.match(
      JSON.stringify(parsed.error?.issues),
      /identity.*path|no mapping fills _\{TENANT\}\.pendo\.nosuch/,
    );
  });
});
