// A preset proposed from sample events (src/presets/infer.ts): XDM types, nesting, arrays, dates, names XDM refuses,
// `_id` / `timestamp` / identity; and a preset inferred from each built-in pack's own samples is one the registry
// loads, whose mappings fill what its samples send.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getPath } from '../../src/emulator/logic/mapping';
import {
  fieldGroupKeyFromId,
  inferPreset,
  presetIdFromName,
  sampleJsonSchema,
  sampleName,
  sanitiseFieldName,
} from '../../src/presets/infer';
import { HTTP_API_CONNECTION_SPEC_ID } from '../../src/shared/aep-constants';
import { SourcePresetSchema, type Mapping, type PresetField } from '../../src/shared/preset-schema';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import { customerioSamples } from '../../src/shared/presets/customerio-samples';
import { pendoSamples } from '../../src/shared/presets/pendo-samples';
import { shopifySamples } from '../../src/shared/presets/shopify-samples';

/** The inference, its preset as the registry reads it (parse throws if it is not one). */
function infer(samples: Record<string, Record<string, unknown>>, displayName = 'My Source') {
  const r = inferPreset({
    id: presetIdFromName(displayName),
    displayName,
    connectionSpecId: HTTP_API_CONNECTION_SPEC_ID,
    samples,
  });
  return { ...r, preset: SourcePresetSchema.parse(r.preset) };
}

const NS = '_{TENANT}.mySource';
const mappingTo = (mappings: Mapping[], destination: string) =>
  mappings.find((m) => m.destination === destination);

describe('preset inference from samples', () => {
  it('names: preset id, field group key, XDM field names', () => {
    assert.equal(presetIdFromName('My Source!'), 'my-source');
    assert.equal(presetIdFromName('42 shop'), 'src-42-shop');
    assert.equal(fieldGroupKeyFromId('my-source'), 'mySource');
    assert.equal(sanitiseFieldName('first-name'), 'first_name');
    assert.equal(sanitiseFieldName('2fa'), 'f2fa');
    assert.equal(sanitiseFieldName('_private'), 'f_private');
    assert.equal(sanitiseFieldName('a b', new Set(['a_b'])), 'a_b_2');
  });

  it('types: string, integer vs number, boolean, date-time, date, nested objects, arrays', () => {
    const { preset } = infer({
      e: {
        name: 'x',
        count: 3,
        ratio: 0.5,
        ok: true,
        at: '2024-05-01T10:00:00Z',
        day: '2024-05-01',
        user: { address: { city: 'Paris' } },
        tags: ['a', 'b'],
        items: [{ sku: 'A', qty: 1 }],
        nothing: null,
      },
    });
    const f: Record<string, PresetField> = preset.fieldGroup.fields;
    assert.deepEqual(
      [f.name?.type, f.count?.type, f.ratio?.type, f.ok?.type],
      ['string', 'integer', 'number', 'boolean'],
    );
    assert.equal(f.at?.format, 'date-time');
    assert.equal(f.day?.format, 'date');
    assert.equal(f.user?.properties?.address?.properties?.city?.type, 'string');
    assert.deepEqual(f.tags?.items?.type, 'string');
    assert.equal(f.items?.items?.properties?.qty?.type, 'integer');
    assert.equal(f.nothing, undefined, 'a null-only field is left out');
    assert.deepEqual(mappingTo(preset.mappings, `${NS}.user.address.city`)?.source, 'user.address.city');
    assert.deepEqual(mappingTo(preset.mappings, `${NS}.items`)?.source, 'items', 'arrays map whole');
  });

  it('merges several samples: integer and number make a number, a disagreement makes a string', () => {
    const { preset, notes } = infer({ a: { n: 1, v: 'x', only: 1 }, b: { n: 1.5, v: 2 } });
    const f: Record<string, PresetField> = preset.fieldGroup.fields;
    assert.deepEqual([f.n?.type, f.v?.type, f.only?.type], ['number', 'string', 'integer']);
    assert.ok(notes.some((n) => /some samples only/.test(n)));
  });

  it('renames what XDM refuses, and the mapping keeps the sample path', () => {
    const { preset, renamed } = infer({ e: { 'first-name': 'A', '1st': { 'zip code': '75001' } } });
    assert.ok(preset.fieldGroup.fields.first_name);
    assert.ok(preset.fieldGroup.fields.f1st?.properties?.zip_code);
    assert.equal(mappingTo(preset.mappings, `${NS}.first_name`)?.source, 'first-name');
    assert.equal(mappingTo(preset.mappings, `${NS}.f1st.zip_code`)?.source, '1st.zip code');
    assert.deepEqual(
      renamed.map((r) => r.source),
      ['first-name', '1st.zip code', '1st'],
    );
    assert.ok(SourcePresetSchema.safeParse(preset).success);
  });

  it('_id from an event id every sample sends, timestamp from a date-time every sample sends', () => {
    const r = infer({
      a: { event_id: 'e1', occurred_at: '2024-05-01T10:00:00Z', opened: '2024-05-01T10:00:00Z' },
      b: { event_id: 'e2', occurred_at: '2024-05-02T10:00:00Z' },
    });
    assert.deepEqual([r.eventId, r.timestamp], ['event_id', 'occurred_at']);
    assert.deepEqual(mappingTo(r.preset.mappings, '_id'), {
      sourceType: 'ATTRIBUTE',
      source: 'event_id',
      destination: '_id',
    });
    const none = infer({ a: { id: 7, at: '2024-05-01T10:00:00Z' }, b: { id: 8 } });
    assert.deepEqual(
      [none.eventId, none.timestamp],
      ['uuid()', 'now()'],
      'numeric id, date not in every sample',
    );
    assert.equal(mappingTo(none.preset.mappings, 'timestamp')?.sourceType, 'EXPRESSION');
  });

  it('identity: an e-mail field first, else a person id, else none', () => {
    const mail = infer({ e: { contact: { e_mail: 'a@example.com' }, userId: 'u1' } });
    assert.deepEqual(mail.identity, { path: `${NS}.contact.e_mail`, namespace: 'Email' });
    const author = infer({ e: { author: { username: 'a@example.com' }, userId: 'u1' } });
    assert.deepEqual(
      author.identity?.path,
      `${NS}.userId`,
      'an address under another name is not the person',
    );
    const id = infer({ e: { visitor_id: 'v1', note: 'hi' } });
    assert.deepEqual(id.identity, { path: `${NS}.visitor_id`, namespace: 'MySourceVisitorId' });
    assert.equal(infer({ e: { note: 'hi' } }).identity, undefined);
  });

  it('names a sample by its event type field, else the fallback', () => {
    assert.equal(sampleName({ event: 'guide seen!' }, 'f'), 'guide_seen');
    assert.equal(sampleName({ topic: 'orders/create', type: 3 }, 'f'), 'orders_create');
    assert.equal(sampleName({ id: 'x' }, 'order'), 'order');
  });

  it('the input schema Data Prep judges sources against keeps the sample names', () => {
    assert.deepEqual(sampleJsonSchema({ e: { 'a-b': { c: 1 } } }), {
      type: 'object',
      properties: { 'a-b': { type: 'object', properties: { c: { type: 'integer' } } } },
    });
  });

  const packs = {
    chatlio: chatlioSamples,
    pendo: pendoSamples,
    customerio: customerioSamples,
    shopify: shopifySamples,
  };
  for (const [pack, samples] of Object.entries(packs)) {
    it(`from the ${pack} pack's samples: a preset the registry loads, each mapping filled by a sample`, () => {
      const r = inferPreset({
        id: `inferred-${pack}`,
        displayName: `Inferred ${pack}`,
        connectionSpecId: HTTP_API_CONNECTION_SPEC_ID,
        samples: samples as unknown as Record<string, Record<string, unknown>>,
      });
      const parsed = SourcePresetSchema.safeParse(r.preset);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      for (const m of parsed.data.mappings.filter((x) => x.sourceType === 'ATTRIBUTE'))
        assert.ok(
          Object.values(samples).some((s) => getPath(s, m.source) !== undefined),
          `${m.source}: in no sample`,
        );
      assert.ok(r.identity, `${pack}: an identity is obvious`);
    });
  }
});
