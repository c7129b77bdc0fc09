// The client is tolerant in what it reads: answers shaped as Adobe's specs and docs show them (rather than as the
// emulator used to) parse, over an undici MockAgent. Each case here was refused, or misread, before.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AepResponseFormatError, createAepClient } from '../../src/aep';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import { rejection } from '../support/failures';

const DCS = 'https://dcs.test';
const agent = mockAgent();
mockIms(agent, ['tok-tolerant']);
const client = createAepClient(testConfig(), { dispatcher: agent });
after(async () => {
  await client.close();
  await agent.close();
});

function answer(method: string, path: string, data: unknown, origin = PLATFORM): void {
  agent.get(origin).intercept({ path, method }).reply(200, JSON.stringify(data), { headers: JSON_HEADERS });
}

const SCHEMA_ID = 'https://ns.adobe.com/acme/schemas/abc';

/** One mapping as Data Prep echoes it (data-prep.yaml, `MappingOperation` example). */
function echoed(sourceType: string, source: string, destination: string): Record<string, unknown> {
  return {
    id: `m-${destination}`,
    version: 0,
    createdDate: 1614909614000,
    modifiedDate: 1614909614000,
    sourceType,
    source,
    destination,
    identity: false,
    primaryIdentity: false,
    matchScore: 0.0,
    functionVersion: 1,
    sourceAttribute: source,
    destinationXdmPath: destination,
  };
}

function mappingSet(mappings: unknown[], dates: { createdDate?: unknown; modifiedDate?: unknown } = {}) {
  return {
    id: 'ms-1',
    version: 0,
    name: 'Chatlio mapping',
    createdDate: dates.createdDate ?? 1614901254724,
    modifiedDate: dates.modifiedDate ?? 1614901254724,
    outputSchema: {
      schemaRef: { id: SCHEMA_ID, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
    },
    mappings,
  };
}

void describe('Data Prep: sourceType as Data Prep echoes it', () => {
  void it('reads text/x.schema-path as ATTRIBUTE and text/x.aep-xl as EXPRESSION; keeps the enum and unknown values', async () => {
    answer(
      'GET',
      '/data/foundation/conversion/mappingSets/ms-1',
      mappingSet([
        echoed('text/x.aep-xl', 'uuid()', '_id'),
        echoed('text/x.aep-xl', 'now()', 'timestamp'),
        echoed('text/x.schema-path', 'message', '_acme.chatlio.message'),
        echoed('ATTRIBUTE', 'email', '_acme.chatlio.email'),
        echoed('EXPRESSION', 'upper(name)', '_acme.chatlio.name'),
        echoed('STATIC', 'chatlio', 'producedBy'),
        echoed('text/plain', 'metadata.segment.alias', '_acme.chatlio.alias'),
      ]),
    );
    const set = await client.dataPrep.getMappingSet('ms-1');
    assert.deepEqual(
      set.mappings.map((m) => m.sourceType),
      ['EXPRESSION', 'EXPRESSION', 'ATTRIBUTE', 'ATTRIBUTE', 'EXPRESSION', 'STATIC', 'text/plain'],
    );
  });
});

void describe('Data Prep: dates', () => {
  void it('accepts createdDate/modifiedDate as the date-time strings the spec types them as', async () => {
    answer(
      'GET',
      '/data/foundation/conversion/mappingSets/ms-1',
      mappingSet([echoed('text/x.schema-path', 'message', '_acme.chatlio.message')], {
        createdDate: '2021-03-05T00:00:54.724Z',
        modifiedDate: '2021-03-05T00:10:00.000Z',
      }),
    );
    const set = await client.dataPrep.getMappingSet('ms-1');
    assert.equal(set.createdDate, '2021-03-05T00:00:54.724Z');
    assert.equal(set.modifiedDate, '2021-03-05T00:10:00.000Z');
  });

  void it('still accepts them as epoch ms (the spec examples and the emulator)', async () => {
    answer('GET', '/data/foundation/conversion/mappingSets/ms-1', mappingSet([]));
    assert.equal((await client.dataPrep.getMappingSet('ms-1')).createdDate, 1614901254724);
  });
});

void describe('Flow Service: mappingVersion null', () => {
  void it('accepts a Mapping transformation whose mappingVersion is null', async () => {
    answer('GET', '/data/foundation/flowservice/flows/f-1', {
      items: [
        {
          id: 'f-1',
          etag: '"e1"',
          flowSpec: { id: 'spec-1', version: '1.0' },
          sourceConnectionIds: ['s-1'],
          targetConnectionIds: ['t-1'],
          transformations: [{ name: 'Mapping', params: { mappingId: 'ms-1', mappingVersion: null } }],
        },
      ],
    });
    const flow = await client.flowService.get('flows', 'f-1');
    assert.equal(flow.transformations[0]?.params?.mappingId, 'ms-1');
    assert.equal(flow.transformations[0]?.params?.mappingVersion ?? undefined, undefined);
  });
});

void describe('Catalog: name {}', () => {
  void it('reads name: {} as no name', async () => {
    answer('GET', '/data/foundation/catalog/dataSets/ds-1', {
      'ds-1': {
        name: {},
        schemaRef: { id: SCHEMA_ID, contentType: 'application/vnd.adobe.xed+json;version=1' },
      },
    });
    const ds = await client.catalog.getDataset('ds-1');
    assert.equal(ds.id, 'ds-1');
    assert.equal(ds.name, undefined);
    assert.equal(ds.schemaRef?.id, SCHEMA_ID);
  });

  void it('a name: {} never matches a name search', async () => {
    agent
      .get(PLATFORM)
      .intercept({ path: (p) => p.startsWith('/data/foundation/catalog/dataSets?'), method: 'GET' })
      .reply(200, JSON.stringify({ 'ds-1': { name: {} }, 'ds-2': { name: 'Chatlio' } }), {
        headers: JSON_HEADERS,
      });
    assert.deepEqual(
      (await client.catalog.findDatasetsByName('Chatlio')).map((d) => d.id),
      ['ds-2'],
    );
  });

  void it('still refuses a name that is a non-empty object', async () => {
    answer('GET', '/data/foundation/catalog/dataSets/ds-1', { 'ds-1': { name: { en: 'x' } } });
    await rejection(client.catalog.getDataset('ds-1'), AepResponseFormatError);
  });
});

void describe('Inlet receipt', () => {
  const send = () => client.inlet.send(`${DCS}/collection/abc`, 'flow-1', { message: 'hi' });
  const path = '/collection/abc?x-adobe-flow-id=flow-1';

  void it('reads the spec schema spelling inletID and the example string time', async () => {
    answer(
      'POST',
      path,
      { inletID: 'abc', xactionId: '1532625558467:0001:13', receivedTimeMs: '1551307525735' },
      DCS,
    );
    const receipt = await send();
    assert.equal(receipt.inletId, 'abc');
    assert.equal(receipt.xactionId, '1532625558467:0001:13');
    assert.equal(receipt.receivedTimeMs, 1551307525735);
  });

  void it('reads the tutorial spelling inletId and a number time', async () => {
    answer(
      'POST',
      path,
      { inletId: 'abc', xactionId: '1584479347507:2153:240', receivedTimeMs: 1584479347507 },
      DCS,
    );
    const receipt = await send();
    assert.equal(receipt.inletId, 'abc');
    assert.equal(receipt.receivedTimeMs, 1584479347507);
  });

  void it('still refuses a receipt with no inlet id, or a time that is not epoch ms', async () => {
    answer('POST', path, { xactionId: 'x', receivedTimeMs: 1 }, DCS);
    await rejection(send(), AepResponseFormatError);
    answer('POST', path, { inletId: 'abc', xactionId: 'x', receivedTimeMs: 'yesterday' }, DCS);
    await rejection(send(), AepResponseFormatError);
  });
});
