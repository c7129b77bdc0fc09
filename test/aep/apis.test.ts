import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AepNotFoundError,
  AepResponseFormatError,
  AepValidationError,
  createAepClient,
  dataLakeTargetBody,
  datasetBody,
  fieldGroupBody,
  flowBody,
  mappingSetBody,
  mappingSetUpdateBody,
  mappingSetValidateBody,
  schemaBody,
  sourceConnectionBody,
  webhookUrl,
  XED_FULL_ACCEPT,
  XED_ID_ACCEPT,
} from '../../src/aep';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  /** The body as sent: the exact JSON, key order included. */
  raw?: string;
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
        ...(typeof opts.body === 'string' ? { raw: opts.body } : {}),
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

  void it('sourceConnectionBody: a webhook source, no base connection', async () => {
    const seen = expectCall('POST', `${FS}/sourceConnections`, 201, { id: 'sc-1', etag: '"s1"' });
    const connectionSpec = { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' };
    await fs.create(
      'sourceConnections',
      sourceConnectionBody({
        name: 'Chatlio source',
        description: 'made by run aepo-1',
        providerId: STREAMING_PROVIDER_ID,
        connectionSpec,
        dataFormat: 'json',
      }),
    );
    assert.equal(
      seen[0]?.raw,
      JSON.stringify({
        name: 'Chatlio source',
        description: 'made by run aepo-1',
        providerId: STREAMING_PROVIDER_ID,
        connectionSpec,
        data: { format: 'json' },
      }),
    );
  });

  void it('dataLakeTargetBody: JSON into the dataset, the schema by $id and xed-full version', async () => {
    const seen = expectCall('POST', `${FS}/targetConnections`, 201, { id: 'tc-1', etag: '"t1"' });
    await fs.create(
      'targetConnections',
      dataLakeTargetBody({
        name: 'Chatlio target',
        description: 'd',
        schemaId: 'https://s',
        datasetId: 'ds-1',
      }),
    );
    assert.equal(
      seen[0]?.raw,
      JSON.stringify({
        name: 'Chatlio target',
        description: 'd',
        connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
        data: { format: 'json', schema: { id: 'https://s', version: XED_FULL_CONTENT_TYPE } },
        params: { dataSetId: 'ds-1' },
      }),
    );
  });

  void it('flowBody: one source, one target, one Mapping transformation; options only when set', async () => {
    const flowSpec = { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' };
    const spec = {
      name: 'Chatlio flow',
      description: 'made by run aepo-1',
      flowSpec,
      sourceConnectionId: 'sc-1',
      targetConnectionId: 'tc-1',
      mappingSetId: 'm-1',
      mappingVersion: 0,
    };
    const expected = {
      name: 'Chatlio flow',
      description: 'made by run aepo-1',
      flowSpec,
      sourceConnectionIds: ['sc-1'],
      targetConnectionIds: ['tc-1'],
      // A string, as flow-service.yaml types it (the strict writer); the reader takes numbers too.
      transformations: [{ name: 'Mapping', params: { mappingId: 'm-1', mappingVersion: '0' } }],
    };
    const seen = expectCall('POST', `${FS}/flows`, 201, { id: 'flow-1', etag: '"e1"' });
    assert.deepEqual(await fs.create('flows', flowBody(spec)), { id: 'flow-1', etag: '"e1"' });
    assert.equal(seen[0]?.raw, JSON.stringify(expected));

    const empty = expectCall('POST', `${FS}/flows`, 201, { id: 'flow-2', etag: '"e2"' });
    await fs.create('flows', flowBody({ ...spec, options: {} }));
    assert.equal(empty[0]?.raw, JSON.stringify(expected));

    const options = { errorDiagnosticsEnabled: true, partialIngestionPercent: 5 };
    const withOptions = expectCall('POST', `${FS}/flows`, 201, { id: 'flow-3', etag: '"e3"' });
    await fs.create('flows', flowBody({ ...spec, options }));
    assert.equal(withOptions[0]?.raw, JSON.stringify({ ...expected, options }));
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

  void it('listAll sends its own query again with each continuation token (relative and absolute hrefs)', async () => {
    // AEP's next link carries the token only (flow-service.yaml, PageLink): the filter must be sent again.
    expectCall('GET', `${FS}/flows?property=name%3D%3Dx&limit=5`, 200, {
      items: [{ ...flowEntity, id: 'f1' }],
      _links: { next: { href: '/flows?continuationToken=p2' } },
    });
    expectCall('GET', `${FS}/flows?property=name%3D%3Dx&limit=5&continuationToken=p2`, 200, {
      items: [{ ...flowEntity, id: 'f2' }],
      _links: { next: { href: `${PLATFORM}${FS}/flows?continuationToken=p3` } },
    });
    expectCall('GET', `${FS}/flows?property=name%3D%3Dx&limit=5&continuationToken=p3`, 200, {
      items: [{ ...flowEntity, id: 'f3' }],
      _links: {},
    });
    const all = await fs.listAll('flows', { property: ['name==x'], limit: 5 });
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
    const a = expectCall('POST', `${FS}/flows/flow-1/action?op=DISABLE`, 200, { id: 'flow-1', etag: '"e3"' });
    assert.deepEqual(await fs.flowAction('flow-1', 'disable', '"e2"'), { id: 'flow-1', etag: '"e3"' });
    assert.equal(a[0]?.headers['if-match'], '"e2"');
    const b = expectCall('POST', `${FS}/flows/flow-1/action?op=ENABLE`, 200, { id: 'flow-1', etag: '"e4"' });
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
    expectCall('GET', `${FS}/runs?property=flowId%3D%3Dflow-1&continuationToken=n`, 200, {
      items: [run('r2')],
      _links: {},
    });
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

  const fieldGroupSpec = {
    tenantId: 'unit',
    title: 'Chatlio fields',
    description: 'Fields of Chatlio webhook events',
    schemaClass: EXPERIENCE_EVENT_CLASS,
    fieldGroup: {
      key: 'chatlio',
      fields: {
        message: { type: 'string' as const, title: 'Message' },
        visitor: { type: 'object' as const, properties: { email: { type: 'string' as const } } },
      },
      required: ['message'],
    },
  };

  void it('createFieldGroup / createSchema -> resource', async () => {
    expectCall('POST', `${SR}/tenant/fieldgroups`, 201, { ...resource, 'meta:altId': '_unit.mixins.fg' });
    assert.equal(
      (await sr.createFieldGroup(fieldGroupBody(fieldGroupSpec)))['meta:altId'],
      '_unit.mixins.fg',
    );
    const seen = expectCall('POST', `${SR}/tenant/schemas`, 201, resource);
    const schema = schemaBody({
      title: 'Chatlio events',
      description: 'Chatlio events',
      schemaClass: EXPERIENCE_EVENT_CLASS,
      fieldGroupIds: ['https://ns.adobe.com/unit/mixins/fg'],
    });
    assert.equal((await sr.createSchema(schema)).$id, resource.$id);
    assert.equal(seen[0]?.headers['content-type'], 'application/json');
  });

  void it('fieldGroupBody nests the fields under _{tenantId}.{key}: the exact JSON sent', async () => {
    const seen = expectCall('POST', `${SR}/tenant/fieldgroups`, 201, resource);
    await sr.createFieldGroup(fieldGroupBody(fieldGroupSpec));
    assert.equal(
      seen[0]?.raw,
      JSON.stringify({
        type: 'object',
        title: 'Chatlio fields',
        description: 'Fields of Chatlio webhook events',
        'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
        definitions: {
          chatlio: {
            properties: {
              _unit: {
                type: 'object',
                properties: {
                  chatlio: {
                    type: 'object',
                    properties: {
                      message: { type: 'string', title: 'Message' },
                      visitor: { type: 'object', properties: { email: { type: 'string' } } },
                    },
                    required: ['message'],
                  },
                },
              },
            },
          },
        },
        allOf: [{ $ref: '#/definitions/chatlio' }],
      }),
    );
    // No required fields: no `required` key at all.
    const inner = fieldGroupBody({
      ...fieldGroupSpec,
      fieldGroup: { ...fieldGroupSpec.fieldGroup, required: [] },
    }).definitions.chatlio?.properties._unit?.properties?.chatlio;
    assert.deepEqual(Object.keys(inner ?? {}), ['type', 'properties']);
  });

  void it('schemaBody: the class first in allOf, then the field groups', async () => {
    const seen = expectCall('POST', `${SR}/tenant/schemas`, 201, resource);
    await sr.createSchema(
      schemaBody({
        title: 'Chatlio events',
        description: 'd',
        schemaClass: EXPERIENCE_EVENT_CLASS,
        fieldGroupIds: ['https://ns.adobe.com/unit/mixins/fg'],
      }),
    );
    assert.equal(
      seen[0]?.raw,
      JSON.stringify({
        type: 'object',
        title: 'Chatlio events',
        description: 'd',
        allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: 'https://ns.adobe.com/unit/mixins/fg' }],
      }),
    );
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

  void it('lookup by URL-encoded $id with the xed-full Accept of its major, read from the listing first', async () => {
    const list = expectCall(
      'GET',
      `${SR}/tenant/schemas?property=%24id%3D%3D${encodeURIComponent(resource.$id)}`,
      200,
      { results: [{ $id: resource.$id, 'meta:altId': resource['meta:altId'], version: '2.3' }] },
    );
    const seen = expectCall('GET', `${SR}/tenant/schemas/${encodeURIComponent(resource.$id)}`, 200, resource);
    assert.equal((await sr.getSchema(resource.$id)).title, 'Chatlio events');
    assert.equal(list[0]?.headers.accept, XED_ID_ACCEPT);
    assert.equal(seen[0]?.headers.accept, 'application/vnd.adobe.xed-full+json; version=2');
    // A version the caller already knows (a listing's): no listing.
    const direct = expectCall('GET', `${SR}/tenant/fieldgroups/_unit.mixins.fg`, 200, {
      ...resource,
      'meta:altId': '_unit.mixins.fg',
    });
    assert.equal((await sr.getFieldGroup('_unit.mixins.fg', '1.4'))['meta:altId'], '_unit.mixins.fg');
    assert.equal(direct[0]?.headers.accept, XED_FULL_ACCEPT);
    // Not in the listing: not found, no lookup.
    expectCall('GET', `${SR}/tenant/schemas?property=meta%3AaltId%3D%3D_unit.schemas.gone`, 200, {
      results: [],
    });
    await assert.rejects(sr.getSchema('_unit.schemas.gone'), AepNotFoundError);
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

  void it('createDataset parses ["@/dataSets/{id}"]; datasetBody refers to the schema as xed-full', async () => {
    const body = datasetBody({ name: ds.name, description: 'd', schemaId: ds.schemaRef.id });
    const seen = expectCall('POST', `${CAT}/dataSets`, 201, ['@/dataSets/ds-1']);
    assert.deepEqual(await cat.createDataset(body), { id: 'ds-1' });
    assert.equal(
      seen[0]?.raw,
      JSON.stringify({
        name: ds.name,
        description: 'd',
        schemaRef: { id: ds.schemaRef.id, contentType: XED_FULL_CONTENT_TYPE },
      }),
    );
    expectCall('POST', `${CAT}/dataSets`, 201, ['something else']);
    await assert.rejects(cat.createDataset(body), AepResponseFormatError);
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

  const schemaId = 'https://ns.adobe.com/unit/schemas/abc';
  const xedFull = { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } };
  const mappings = [
    { sourceType: 'EXPRESSION' as const, source: 'uuid()', destination: '_id' },
    { sourceType: 'ATTRIBUTE' as const, source: 'message', destination: '_unit.message' },
  ];

  void it('create, get (with version), list, update, delete, validate', async () => {
    const created = expectCall('POST', `${DP}/mappingSets`, 200, { id: 'm-1', version: 0, createdDate: 1 });
    assert.deepEqual(
      await dp.createMappingSet(mappingSetBody({ name: 'chatlio mapping', schemaId, mappings })),
      {
        id: 'm-1',
        version: 0,
      },
    );
    assert.equal(
      created[0]?.raw,
      JSON.stringify({ name: 'chatlio mapping', outputSchema: xedFull, mappings }),
    );

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
    const update = mappingSetUpdateBody({ name: 'chatlio mapping', schemaId, mappings });
    assert.equal((await dp.updateMappingSet('m-1', update)).version, 1);
    assert.equal(put[0]?.method, 'PUT');
    assert.equal(put[0]?.raw, JSON.stringify({ name: 'chatlio mapping', outputSchema: xedFull, mappings }));

    const del = expectCall('DELETE', `${DP}/mappingSets/m-1`, 204);
    await dp.deleteMappingSet('m-1');
    assert.equal(del.length, 1);

    const validate = expectCall('POST', `${DP}/mappingSets/validate`, 200, {
      validationResponse: [{ status: 'SUCCESS', errors: null }],
    });
    const verdicts = await dp.validateMappingSet(mappingSetValidateBody({ schemaId, mappings }));
    assert.equal(verdicts.validationResponse[0]?.status, 'SUCCESS');
    assert.equal(validate[0]?.raw, JSON.stringify({ outputSchema: xedFull, mappings }));
  });

  void it('mappingSetUpdateBody keeps the stored content type, drops an empty name and extra mapping fields', () => {
    const echoed = { ...mappings[1]!, sourceAttribute: 'message', identity: false };
    assert.deepEqual(
      mappingSetUpdateBody({
        name: null,
        schemaId,
        contentType: 'application/vnd.adobe.xed+json',
        mappings: [echoed],
      }),
      {
        outputSchema: { schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json' } },
        mappings: [mappings[1]],
      },
    );
    assert.deepEqual(mappingSetUpdateBody({ name: '', schemaId, contentType: null, mappings: [] }), {
      outputSchema: xedFull,
      mappings: [],
    });
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

  void it('postToWebhook posts to the URL as given (flow id in its query), adding no header or credentials', async () => {
    const seen = expectCall(
      'POST',
      '/collection/abc?x-adobe-flow-id=flow-1',
      200,
      { inletId: 'abc', xactionId: 'x1', receivedTimeMs: 1 },
      'https://dcs.test',
    );
    const url = webhookUrl('https://dcs.test/collection/abc', 'flow-1');
    assert.equal((await client.inlet.postToWebhook(url, { message: 'hi' })).xactionId, 'x1');
    const h = seen[0]?.headers ?? {};
    assert.equal(h['x-adobe-flow-id'], undefined);
    assert.equal(h.authorization, undefined);
    assert.equal(h['x-sandbox-name'], undefined);
    assert.equal(h['content-type'], 'application/json');
    assert.equal(seen[0]?.raw, JSON.stringify({ message: 'hi' }));

    expectCall(
      'POST',
      '/collection/abc?x-adobe-flow-id=flow-1',
      400,
      { type: 'http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet', status: 400 },
      'https://dcs.test',
    );
    await assert.rejects(
      client.inlet.postToWebhook(url, {}),
      (e) => e instanceof AepValidationError && !e.retryable,
    );
  });

  void it('postToWebhook to an authenticated HTTP API inlet sends the IMS token as the bearer, no platform headers', async () => {
    const seen = expectCall(
      'POST',
      '/collection/abc?x-adobe-flow-id=flow-1',
      200,
      { inletId: 'abc', xactionId: 'x2', receivedTimeMs: 1 },
      'https://dcs.test',
    );
    const url = webhookUrl('https://dcs.test/collection/abc', 'flow-1');
    assert.equal((await client.inlet.postToWebhook(url, { m: 1 }, { authenticated: true })).xactionId, 'x2');
    const h = seen[0]?.headers ?? {};
    assert.match(String(h.authorization), /^Bearer \S+/);
    assert.equal(h['x-gw-ims-org-id'], undefined);
    assert.equal(h['x-sandbox-name'], undefined);
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
