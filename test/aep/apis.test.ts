import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AepNotFoundError,
  AepResponseFormatError,
  createAepClient,
  webhookUrl,
  XED_FULL_ACCEPT,
  XED_ID_ACCEPT,
} from '../../src/aep';
import { CHATLIO_CONNECTION_SPEC_ID, GENERIC_STREAMING_FLOW_SPEC_ID } from '../../src/shared/aep-constants';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

const agent = mockAgent();
mockIms(agent, ['tok-api']);
const client = createAepClient(testConfig(), { dispatcher: agent });
after(async () => {
  await client.close();
  await agent.close();
});

/** One expected call: records what the client sent and answers `status`/`data`. */
function expectCall(
  method: string,
  path: string,
  status: number,
  data?: unknown,
  origin = PLATFORM,
  extraHeaders: Record<string, string> = {},
): Seen[] {
  const seen: Seen[] = [];
  agent
    .get(origin)
    .intercept({ path, method })
    .reply((opts) => {
      const body = typeof opts.body === 'string' ? (JSON.parse(opts.body) as unknown) : undefined;
      seen.push({
        method: opts.method,
        path: opts.path,
        headers: opts.headers as Record<string, string>,
        body,
      });
      return {
        statusCode: status,
        data: data === undefined ? '' : JSON.stringify(data),
        responseOptions: { headers: { ...JSON_HEADERS, ...extraHeaders } },
      };
    });
  return seen;
}

const FS = '/data/foundation/flowservice';
const flowEntity = {
  id: 'flow-1',
  name: 'Chatlio flow',
  etag: '"e1"',
  state: 'enabled',
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
  sourceConnectionIds: ['sc-1'],
  targetConnectionIds: ['tc-1'],
  transformations: [{ name: 'Mapping', params: { mappingId: 'm-1', mappingVersion: 0 } }],
  options: { inletUrl: 'https://dcs.test/collection/abc' },
  lastOperation: { operation: 'enable', started: 0, updated: 0 },
  unknownField: 42,
};

void describe('FlowService', () => {
  const fs = client.flowService;

  void it('create -> {id, etag}', async () => {
    const seen = expectCall('POST', `${FS}/sourceConnections`, 201, { id: 'sc-1', etag: '"s1"' });
    const body = {
      name: 'src',
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    };
    assert.deepEqual(await fs.create('sourceConnections', body), { id: 'sc-1', etag: '"s1"' });
    assert.deepEqual(seen[0]?.body, body);
  });

  void it('get unwraps items[0] and keeps unknown fields', async () => {
    expectCall('GET', `${FS}/flows/flow-1`, 200, { items: [flowEntity] });
    const flow = await fs.get('flows', 'flow-1');
    assert.equal(flow.options?.inletUrl, 'https://dcs.test/collection/abc');
    assert.equal(flow.transformations[0]?.params?.mappingId, 'm-1');
    assert.equal(flow.etag, '"e1"');
    assert.equal(flow.unknownField, 42);
  });

  void it('get: 404 and empty items both -> AepNotFoundError', async () => {
    expectCall('GET', `${FS}/targetConnections/gone`, 404, {
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404',
      title: 'Resource not found',
      status: 404,
      report: { 'detailed-message': 'not found', 'request-id': 'r' },
    });
    await assert.rejects(
      fs.get('targetConnections', 'gone'),
      (e) => e instanceof AepNotFoundError && e.code === 'FLOW-1439-404',
    );
    expectCall('GET', `${FS}/sourceConnections/empty`, 200, { items: [] });
    await assert.rejects(fs.get('sourceConnections', 'empty'), AepNotFoundError);
  });

  void it('get: an entity without id -> AepResponseFormatError', async () => {
    expectCall('GET', `${FS}/flows/bad`, 200, { items: [{ name: 'no id' }] });
    await assert.rejects(fs.get('flows', 'bad'), AepResponseFormatError);
  });

  void it('list sends property/limit/orderby and returns the continuation token', async () => {
    const seen = expectCall(
      'GET',
      `${FS}/sourceConnections?property=name%3D%3D%22src%22&property=connectionSpec.id%3D%3Dspec&limit=2&orderby=-createdAt`,
      200,
      {
        items: [{ id: 'a', etag: '"1"' }],
        _links: { next: { href: '/sourceConnections?continuationToken=tok%2Bnext&limit=2' } },
      },
    );
    const page = await fs.list('sourceConnections', {
      property: ['name=="src"', 'connectionSpec.id==spec'],
      limit: 2,
      orderby: '-createdAt',
    });
    assert.equal(seen.length, 1);
    assert.deepEqual(
      page.items.map((i) => i.id),
      ['a'],
    );
    assert.equal(page.next, 'tok+next');
  });

  void it('list without a next link has no next', async () => {
    expectCall('GET', `${FS}/flows?continuationToken=abc`, 200, { items: [], _links: {} });
    assert.deepEqual(await fs.list('flows', { continuationToken: 'abc' }), { items: [] });
  });

  void it('listAll follows _links.next (relative and absolute hrefs)', async () => {
    expectCall('GET', `${FS}/flows?property=name%3D%3Dx`, 200, {
      items: [{ ...flowEntity, id: 'f1' }],
      _links: { next: { href: '/flows?continuationToken=p2' } },
    });
    expectCall('GET', `${FS}/flows?continuationToken=p2`, 200, {
      items: [{ ...flowEntity, id: 'f2' }],
      _links: { next: { href: `${PLATFORM}${FS}/flows?continuationToken=p3&property=name%3D%3Dx` } },
    });
    expectCall('GET', `${FS}/flows?continuationToken=p3&property=name%3D%3Dx`, 200, {
      items: [{ ...flowEntity, id: 'f3' }],
      _links: {},
    });
    const all = await fs.listAll('flows', { property: ['name==x'] });
    assert.deepEqual(
      all.map((f) => f.id),
      ['f1', 'f2', 'f3'],
    );
  });

  void it('patch sends JSON Patch with If-Match', async () => {
    const seen = expectCall('PATCH', `${FS}/flows/flow-1`, 200, { id: 'flow-1', etag: '"e2"' });
    const res = await fs.patch(
      'flows',
      'flow-1',
      [{ op: 'replace', path: '/name', value: 'renamed' }],
      '"e1"',
    );
    assert.deepEqual(res, { id: 'flow-1', etag: '"e2"' });
    assert.equal(seen[0]?.headers['if-match'], '"e1"');
    assert.deepEqual(seen[0]?.body, [{ op: 'replace', path: '/name', value: 'renamed' }]);
  });

  void it('delete -> void on 204', async () => {
    const seen = expectCall('DELETE', `${FS}/flows/flow-1`, 204);
    assert.equal(await fs.delete('flows', 'flow-1'), undefined);
    assert.equal(seen.length, 1);
  });

  void it('flowAction posts op in the query, If-Match optional', async () => {
    const a = expectCall('POST', `${FS}/flows/flow-1/action?op=disable`, 200, { id: 'flow-1', etag: '"e3"' });
    assert.deepEqual(await fs.flowAction('flow-1', 'disable', '"e2"'), { id: 'flow-1', etag: '"e3"' });
    assert.equal(a[0]?.headers['if-match'], '"e2"');
    const b = expectCall('POST', `${FS}/flows/flow-1/action?op=enable`, 200, { id: 'flow-1', etag: '"e4"' });
    await fs.flowAction('flow-1', 'enable');
    assert.equal(b[0]?.headers['if-match'], undefined);
  });

  void it('listRuns reads every page; getRun, specs', async () => {
    const run = (id: string) => ({
      id,
      flowId: 'flow-1',
      metrics: { recordSummary: { inputRecordCount: 3, outputRecordCount: 2, failedRecordCount: 1 } },
    });
    expectCall('GET', `${FS}/runs?property=flowId%3D%3Dflow-1`, 200, {
      items: [run('r1')],
      _links: { next: { href: '/runs?continuationToken=n' } },
    });
    expectCall('GET', `${FS}/runs?continuationToken=n`, 200, { items: [run('r2')], _links: {} });
    const runs = await fs.listRuns('flow-1');
    assert.deepEqual(
      runs.map((r) => r.id),
      ['r1', 'r2'],
    );
    assert.equal(runs[0]?.metrics?.recordSummary?.failedRecordCount, 1);

    expectCall('GET', `${FS}/runs/r1`, 200, { items: [run('r1')] });
    assert.equal((await fs.getRun('r1')).flowId, 'flow-1');
    expectCall('GET', `${FS}/connectionSpecs/${CHATLIO_CONNECTION_SPEC_ID}`, 200, {
      items: [{ id: CHATLIO_CONNECTION_SPEC_ID, name: 'chatlio' }],
    });
    assert.equal((await fs.getConnectionSpec(CHATLIO_CONNECTION_SPEC_ID)).name, 'chatlio');
    expectCall('GET', `${FS}/flowSpecs/${GENERIC_STREAMING_FLOW_SPEC_ID}`, 200, {
      items: [{ id: GENERIC_STREAMING_FLOW_SPEC_ID, name: 'GenericStreamingAEP' }],
    });
    assert.equal((await fs.getFlowSpec(GENERIC_STREAMING_FLOW_SPEC_ID)).name, 'GenericStreamingAEP');
  });
});

void describe('SchemaRegistry', () => {
  const SR = '/data/foundation/schemaregistry';
  const sr = client.schemaRegistry;
  const resource = {
    $id: 'https://ns.adobe.com/unit/schemas/abc',
    'meta:altId': '_unit.schemas.abc',
    version: '1.0',
    title: 'Chatlio events',
    'meta:class': 'https://ns.adobe.com/xdm/context/experienceevent',
  };

  void it('getStats', async () => {
    expectCall('GET', `${SR}/stats`, 200, { tenantId: 'unit', imsOrg: 'UNIT0000@AdobeOrg', counts: {} });
    const stats = await sr.getStats();
    assert.equal(stats.tenantId, 'unit');
    assert.equal(stats.imsOrg, 'UNIT0000@AdobeOrg');
  });

  void it('createFieldGroup / createSchema -> resource', async () => {
    expectCall('POST', `${SR}/tenant/fieldgroups`, 201, { ...resource, 'meta:altId': '_unit.mixins.fg' });
    assert.equal((await sr.createFieldGroup({ title: 'fg' }))['meta:altId'], '_unit.mixins.fg');
    const seen = expectCall('POST', `${SR}/tenant/schemas`, 201, resource);
    assert.equal((await sr.createSchema({ title: 'Chatlio events' })).$id, resource.$id);
    assert.equal(seen[0]?.headers['content-type'], 'application/json');
  });

  void it('find by title uses the xed-id Accept and a title filter', async () => {
    const seen = expectCall('GET', `${SR}/tenant/schemas?property=title%3D%3DChatlio%20events`, 200, {
      results: [
        { $id: resource.$id, 'meta:altId': resource['meta:altId'], version: '1.0', title: 'Chatlio events' },
      ],
      _page: { count: 1 },
    });
    const refs = await sr.findSchemasByTitle('Chatlio events');
    assert.deepEqual(
      refs.map((r) => r['meta:altId']),
      ['_unit.schemas.abc'],
    );
    assert.equal(seen[0]?.headers.accept, XED_ID_ACCEPT);
    expectCall('GET', `${SR}/tenant/fieldgroups?property=title%3D%3Dfg`, 200, { results: [] });
    assert.deepEqual(await sr.findFieldGroupsByTitle('fg'), []);
  });

  void it('lookup by URL-encoded $id with the xed-full Accept', async () => {
    const seen = expectCall('GET', `${SR}/tenant/schemas/${encodeURIComponent(resource.$id)}`, 200, resource);
    assert.equal((await sr.getSchema(resource.$id)).title, 'Chatlio events');
    assert.equal(seen[0]?.headers.accept, XED_FULL_ACCEPT);
    expectCall('GET', `${SR}/tenant/fieldgroups/_unit.mixins.fg`, 200, {
      ...resource,
      'meta:altId': '_unit.mixins.fg',
    });
    assert.equal((await sr.getFieldGroup('_unit.mixins.fg'))['meta:altId'], '_unit.mixins.fg');
  });

  void it('delete -> void on 204', async () => {
    const a = expectCall('DELETE', `${SR}/tenant/schemas/_unit.schemas.abc`, 204);
    const b = expectCall('DELETE', `${SR}/tenant/fieldgroups/_unit.mixins.fg`, 204);
    await sr.deleteSchema('_unit.schemas.abc');
    await sr.deleteFieldGroup('_unit.mixins.fg');
    assert.equal(a.length + b.length, 2);
  });
});

void describe('Catalog', () => {
  const CAT = '/data/foundation/catalog';
  const cat = client.catalog;
  const ds = {
    name: 'Chatlio events dataset',
    schemaRef: { id: 'https://ns.adobe.com/unit/schemas/abc' },
    created: 1,
  };

  void it('createDataset parses ["@/dataSets/{id}"]', async () => {
    expectCall('POST', `${CAT}/dataSets`, 201, ['@/dataSets/ds-1']);
    assert.deepEqual(await cat.createDataset({ name: ds.name }), { id: 'ds-1' });
    expectCall('POST', `${CAT}/dataSets`, 201, ['something else']);
    await assert.rejects(cat.createDataset({ name: ds.name }), AepResponseFormatError);
  });

  void it('getDataset unwraps the id-keyed object; missing key -> AepNotFoundError', async () => {
    expectCall('GET', `${CAT}/dataSets/ds-1`, 200, { 'ds-1': ds });
    assert.deepEqual(await cat.getDataset('ds-1'), { ...ds, id: 'ds-1' });
    expectCall('GET', `${CAT}/dataSets/ds-2`, 200, {});
    await assert.rejects(cat.getDataset('ds-2'), AepNotFoundError);
    expectCall('GET', `${CAT}/dataSets/ds-3`, 404, { message: 'not found' });
    await assert.rejects(cat.getDataset('ds-3'), AepNotFoundError);
  });

  void it('findDatasetsByName keeps exact matches only', async () => {
    expectCall('GET', `${CAT}/dataSets?property=name%3D%3DChatlio%20events%20dataset&limit=100`, 200, {
      'ds-1': ds,
      'ds-9': { ...ds, name: 'Chatlio events dataset (old)' },
    });
    const found = await cat.findDatasetsByName('Chatlio events dataset');
    assert.deepEqual(
      found.map((d) => d.id),
      ['ds-1'],
    );
  });

  void it('deleteDataset', async () => {
    const seen = expectCall('DELETE', `${CAT}/dataSets/ds-1`, 200, ['@/dataSets/ds-1']);
    await cat.deleteDataset('ds-1');
    assert.equal(seen.length, 1);
  });
});

void describe('DataPrep', () => {
  const DP = '/data/foundation/conversion';
  const dp = client.dataPrep;
  const set = {
    id: 'm-1',
    version: 0,
    name: 'chatlio mapping',
    outputSchema: { schemaRef: { id: 'https://ns.adobe.com/unit/schemas/abc' } },
    mappings: [
      {
        sourceType: 'ATTRIBUTE',
        source: 'message',
        destination: '_unit.message',
        sourceAttribute: 'message',
      },
    ],
  };

  void it('create, get (with version), list, update, delete, validate', async () => {
    expectCall('POST', `${DP}/mappingSets`, 200, { id: 'm-1', version: 0, createdDate: 1 });
    assert.deepEqual(await dp.createMappingSet({ mappings: [] }), { id: 'm-1', version: 0 });

    expectCall('GET', `${DP}/mappingSets/m-1`, 200, set);
    assert.equal((await dp.getMappingSet('m-1')).mappings[0]?.destination, '_unit.message');
    expectCall('GET', `${DP}/mappingSets/m-1?version=1`, 200, { ...set, version: 1 });
    assert.equal((await dp.getMappingSet('m-1', 1)).version, 1);

    expectCall('GET', `${DP}/mappingSets?limit=10&start=0&name=chatlio%20mapping`, 200, {
      data: [set],
      _page: { count: 1, limit: 10 },
    });
    assert.deepEqual(
      (await dp.listMappingSets({ name: 'chatlio mapping', limit: 10, start: 0 })).map((m) => m.id),
      ['m-1'],
    );

    const put = expectCall('PUT', `${DP}/mappingSets/m-1`, 200, { ...set, version: 1 });
    assert.equal((await dp.updateMappingSet('m-1', { mappings: [] })).version, 1);
    assert.equal(put[0]?.method, 'PUT');

    const del = expectCall('DELETE', `${DP}/mappingSets/m-1`, 204);
    await dp.deleteMappingSet('m-1');
    assert.equal(del.length, 1);

    expectCall('POST', `${DP}/mappingSets/validate`, 200, {
      validationResponse: [{ status: 'SUCCESS', errors: null }],
    });
    assert.equal((await dp.validateMappingSet({ mappings: [] })).validationResponse[0]?.status, 'SUCCESS');
  });
});

void describe('Inlet', () => {
  void it('send posts raw JSON with the flow id as header and query, without credentials', async () => {
    const seen = expectCall(
      'POST',
      '/collection/abc?x-adobe-flow-id=flow-1&syncValidation=true',
      200,
      { inletId: 'abc', xactionId: '1584479347507:2153:240', receivedTimeMs: 1584479347507 },
      'https://dcs.test',
    );
    const receipt = await client.inlet.send(
      'https://dcs.test/collection/abc',
      'flow-1',
      { message: 'hi' },
      { syncValidation: true },
    );
    assert.equal(receipt.xactionId, '1584479347507:2153:240');
    const h = seen[0]?.headers ?? {};
    assert.equal(h['x-adobe-flow-id'], 'flow-1');
    assert.equal(h.authorization, undefined);
    assert.equal(h['x-gw-ims-org-id'], undefined);
    assert.deepEqual(seen[0]?.body, { message: 'hi' });
  });

  void it('webhookUrl', () => {
    assert.equal(
      webhookUrl('https://dcs.test/collection/abc', 'flow-1'),
      'https://dcs.test/collection/abc?x-adobe-flow-id=flow-1',
    );
    assert.equal(client.inlet.webhookUrl('https://x/c/1', 'f'), 'https://x/c/1?x-adobe-flow-id=f');
  });

  void it('rejects a relative inlet URL', async () => {
    await assert.rejects(client.inlet.send('/collection/abc', 'f', {}), TypeError);
  });
});

void describe('all expected calls were made', () => {
  void it('no pending interceptors', () => {
    const pending = agent.pendingInterceptors().filter((i) => !i.persist);
    assert.deepEqual(
      pending.map((i) => `${String(i.method)} ${String(i.path)}`),
      [],
    );
  });
});
