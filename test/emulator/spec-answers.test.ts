// The emulator answers as Adobe's specs and docs show (src/emulator/README.md, "Where Adobe's OpenAPI specs are
// silent or contradict themselves"): Data Prep echoes `text/x.schema-path` / `text/x.aep-xl`, the inlet receipt
// says `inletID`. And the worker's mapping update survives that round trip against the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAepClient, DEFAULT_SCOPES, type AepClient } from '../../src/aep';
import { createUpdateMappingsActivities } from '../../src/activities/lifecycle/update-mappings';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { newConversation } from '../../src/shared/presets/chatlio-samples';
import type {
  FlowBody,
  FlowList,
  IdEtag,
  MappingBody,
  MappingPreviewBody,
  MappingSetBody,
  MappingSetCreatedBody,
  MappingSetListBody,
} from '../support/aep-bodies';
import {
  CONVERSION,
  FLOWS,
  createDataset,
  createSchemaChain,
  startPlatform,
  type Platform,
} from './schemaregistry-fixtures';

interface EchoedMapping {
  sourceType: string;
  source: string;
  destination: string;
}

void describe('emulator answers as the specs show', () => {
  let p: Platform;
  let client: AepClient;
  let schemaId: string;
  let dataSetId: string;
  let t: string;
  let setId: string;

  before(async () => {
    p = await startPlatform();
    t = p.tenantId;
    ({ schemaId } = await createSchemaChain(p));
    dataSetId = await createDataset(p, schemaId);
    client = createAepClient({
      platformUrl: p.emu.url,
      imsUrl: p.emu.url,
      clientId: p.emu.options.clientId,
      clientSecret: p.emu.options.clientSecret,
      orgId: p.emu.options.orgId,
      sandbox: 'prod',
      scopes: DEFAULT_SCOPES,
      requestTimeoutMs: 5000,
      connectTimeoutMs: 2000,
    });
    const created = await p.call<MappingSetCreatedBody>('POST', `${CONVERSION}/mappingSets`, {
      name: 'Chatlio mapping',
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
        { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` },
        { sourceType: 'ATTRIBUTE', source: 'visitor.email', destination: `_${t}.chatlio_email` },
      ],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    setId = created.body.id;
  });
  after(async () => {
    await client.close();
    await p.close();
  });

  const types = (mappings: EchoedMapping[]) => mappings.map((m) => [m.destination, m.sourceType]);

  void it('Data Prep echoes ATTRIBUTE as text/x.schema-path and EXPRESSION as text/x.aep-xl (GET, list, /mappings)', async () => {
    const want = [
      ['_id', 'text/x.aep-xl'],
      ['timestamp', 'text/x.aep-xl'],
      [`_${t}.message`, 'text/x.schema-path'],
      [`_${t}.chatlio_email`, 'text/x.schema-path'],
    ];
    const got = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${setId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(types(got.body.mappings), want);
    const listed = await p.call<MappingSetListBody>(
      'GET',
      `${CONVERSION}/mappingSets?name=Chatlio%20mapping&limit=10&start=0`,
    );
    assert.deepEqual(types(listed.body.data[0]!.mappings), want);
    const items = await p.call<MappingBody[]>('GET', `${CONVERSION}/mappingSets/${setId}/mappings`);
    assert.deepEqual(types(items.body), want);
  });

  void it('a GET body PUT back unchanged keeps its expressions (text/x.aep-xl is read as EXPRESSION)', async () => {
    const got = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${setId}`);
    const put = await p.call<MappingSetBody>('PUT', `${CONVERSION}/mappingSets/${setId}`, got.body);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.version, got.body.version + 1);
    assert.deepEqual(types(put.body.mappings), types(got.body.mappings));
    const preview = await p.call<MappingPreviewBody>('POST', `${CONVERSION}/mappingSets/preview`, {
      data: [{ message: 'hi', visitor: { email: 'a@b.c' } }],
      mappingSet: got.body,
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.match(preview.body[0]!.data._id, /^[0-9a-f-]{36}$/, 'uuid() was evaluated, not read as a path');
  });

  void it('the worker updates the set: the PUT answer echoes text/x.aep-xl and the client reads EXPRESSION', async () => {
    const activities = createUpdateMappingsActivities({ aep: client });
    const before = await client.dataPrep.getMappingSet(setId);
    const out = await activities.updateMappings({
      sandbox: 'prod',
      mappingSetId: setId,
      overrides: [{ sourceType: 'EXPRESSION', source: 'upper(message)', destination: '_{TENANT}.message' }],
      drop: [],
    });
    assert.deepEqual(out, { version: before.version + 1, changed: true, mappings: 4 });
    const raw = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${setId}`);
    assert.deepEqual(types(raw.body.mappings), [
      ['_id', 'text/x.aep-xl'],
      ['timestamp', 'text/x.aep-xl'],
      [`_${t}.message`, 'text/x.aep-xl'],
      [`_${t}.chatlio_email`, 'text/x.schema-path'],
    ]);
    const read = await client.dataPrep.getMappingSet(setId);
    assert.deepEqual(
      read.mappings.map((m) => [m.sourceType, m.source]),
      [
        ['EXPRESSION', 'uuid()'],
        ['EXPRESSION', 'now()'],
        ['EXPRESSION', 'upper(message)'],
        ['ATTRIBUTE', 'visitor.email'],
      ],
    );
  });

  void it('the inlet receipt names inletID (a string) and receivedTimeMs (an integer), as StreamingIngestionResponse', async () => {
    const source = await p.call<IdEtag>('POST', `${FLOWS}/sourceConnections`, {
      name: 'Spec source',
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    const target = await p.call<IdEtag>('POST', `${FLOWS}/targetConnections`, {
      name: 'Spec target',
      connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json', schema: { id: schemaId, version: XED_FULL_CONTENT_TYPE } },
      params: { dataSetId },
    });
    const flow = await p.call<IdEtag>('POST', `${FLOWS}/flows`, {
      name: 'Spec flow',
      flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [source.body.id],
      targetConnectionIds: [target.body.id],
      transformations: [{ name: 'Mapping', params: { mappingId: setId, mappingVersion: 0 } }],
    });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const inletUrl: string = (await p.call<FlowList<FlowBody>>('GET', `${FLOWS}/flows/${flow.body.id}`)).body
      .items[0]!.options.inletUrl!;
    const inletId = inletUrl.split('/').pop();
    const res = await fetch(`${inletUrl}?x-adobe-flow-id=${flow.body.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(newConversation),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['inletID', 'receivedTimeMs', 'xactionId']);
    assert.equal(body.inletID, inletId);
    assert.ok(Number.isInteger(body.receivedTimeMs));
    assert.equal(typeof body.xactionId, 'string');

    const receipt = await client.inlet.send(inletUrl, flow.body.id, newConversation);
    assert.equal(receipt.inletId, inletId, 'the client reads inletID');
  });
});
