import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordRun } from '../../src/emulator/routes/flowservice';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EMULATOR_DEFAULTS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type {
  ConnectionSpecBody,
  FlowBody,
  FlowList,
  FlowSpecBody,
  IdEtag,
  PlatformErrorBody,
  RunBody,
  SourceConnectionBody,
  TargetConnectionBody,
} from '../support/aep-bodies';
import {
  request,
  seedTargets,
  startEmulator,
  type JsonResponse,
  type StartedEmulator,
} from '../support/emulator';

const FS = '/data/foundation/flowservice';
const ORG = EMULATOR_DEFAULTS.orgId;
const ETAG = /^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$/;

function sourceBody(name = 'Streaming Source Connection for Chatlio.'): Record<string, unknown> {
  return {
    name,
    providerId: STREAMING_PROVIDER_ID,
    description: 'desc',
    connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
    data: { format: 'json' },
  };
}

function targetBody(dataSetId: string, schemaId: string): Record<string, unknown> {
  return {
    name: 'target',
    connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
    data: {
      format: 'json',
      schema: { id: schemaId, version: 'application/vnd.adobe.xed-full+json;version=1' },
    },
    params: { dataSetId },
  };
}

function flowBody(
  sc: string,
  tc: string,
  mappingId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'Streaming Dataflow for Chatlio',
    description: 'flow',
    flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
    sourceConnectionIds: [sc],
    targetConnectionIds: [tc],
    transformations: [{ name: 'Mapping', params: { mappingId, mappingVersion: 0 } }],
    ...extra,
  };
}

interface Ctx {
  emu: StartedEmulator;
  token: string;
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<JsonResponse<T>>;
}

async function setup(opts: Parameters<typeof startEmulator>[0] = {}): Promise<Ctx> {
  const emu = await startEmulator(opts);
  const token = await emu.token();
  return {
    emu,
    token,
    call: <T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      request<T>(emu.url + FS + path, { method, headers: { ...emu.headers(token), ...headers }, body }),
  };
}

async function createChain(c: Ctx, flowExtra: Record<string, unknown> = {}) {
  const seed = seedTargets(c.emu.state, ORG, 'prod');
  const sc = await c.call<IdEtag>('POST', '/sourceConnections', sourceBody());
  assert.equal(sc.status, 201, sc.text);
  const tc = await c.call<IdEtag>('POST', '/targetConnections', targetBody(seed.dataSetId, seed.schemaId));
  assert.equal(tc.status, 201, tc.text);
  const flow = await c.call<IdEtag>(
    'POST',
    '/flows',
    flowBody(sc.body.id, tc.body.id, seed.mappingSetId, flowExtra),
  );
  assert.equal(flow.status, 201, flow.text);
  return {
    seed,
    sc: sc.body.id,
    tc: tc.body.id,
    flow: flow.body,
  };
}

function assertFlowError(res: JsonResponse<PlatformErrorBody>, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, `https://ns.adobe.com/aep/errors/${code}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(res.body.errorMessage, res.body.errorDetails);
  assert.equal(res.body.report['detailed-message'], res.body.errorMessage);
  assert.equal(res.body.report['request-id'], res.headers.get('x-request-id'));
}

/** The 412 body Adobe documents (landing/troubleshooting.md) is `{"errorMessage": ...}` alone. */
function assertVersionMismatch(res: JsonResponse<PlatformErrorBody>): void {
  assert.equal(res.status, 412, res.text);
  assert.deepEqual(Object.keys(res.body), ['errorMessage'], res.text);
  assert.match(
    res.body.errorMessage,
    /^Supplied version=\[".*"\] does not match the current version on entity=/,
  );
}

void describe('Flow Service entities', () => {
  let c: Ctx;
  before(async () => {
    c = await setup();
  });
  after(() => c.emu.close());

  void it('creates a source connection and returns it wrapped with every common field', async () => {
    const created = await c.call<IdEtag>('POST', '/sourceConnections', sourceBody());
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['etag', 'id']);
    assert.match(created.body.etag, ETAG);
    const got = await c.call<FlowList<SourceConnectionBody>>('GET', `/sourceConnections/${created.body.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.items.length, 1);
    const e = got.body.items[0]!;
    for (const f of ['createdAt', 'updatedAt']) assert.equal(typeof e[f], 'number');
    assert.equal(e.createdBy, `${EMULATOR_DEFAULTS.clientId}@AdobeID`);
    assert.equal(e.createdClient, EMULATOR_DEFAULTS.clientId);
    assert.equal(e.updatedClient, EMULATOR_DEFAULTS.clientId);
    assert.match(e.sandboxId, /^[0-9a-f-]{36}$/);
    assert.equal(e.sandboxName, 'prod');
    assert.equal(e.imsOrgId, ORG);
    assert.equal(e.name, 'Streaming Source Connection for Chatlio.');
    assert.equal(e.description, 'desc');
    assert.equal(e.state, 'enabled');
    assert.equal(e.version, created.body.etag);
    assert.equal(e.etag, created.body.etag);
    assert.deepEqual(e.connectionSpec, { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' });
    assert.deepEqual(e.data, { format: 'json' });
    assert.equal(e.providerRefId, STREAMING_PROVIDER_ID);
  });

  void it('checks source connection bodies', async () => {
    assertFlowError(
      await c.call('POST', '/sourceConnections', {
        ...sourceBody(),
        connectionSpec: { id: 'nope', version: '1.0' },
      }),
      400,
      'FLOW-1413-400',
    );
    assertFlowError(
      await c.call('POST', '/sourceConnections', {
        ...sourceBody(),
        // A version, as the spec requires: what is wrong here is a connection spec that is no source's.
        connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      }),
      400,
      'FLOW-1413-400',
    );
    assertFlowError(
      await c.call('POST', '/sourceConnections', { ...sourceBody(), name: undefined }),
      400,
      'FLOW-1100-400',
    );
    assertFlowError(await c.call('POST', '/sourceConnections', '{not json'), 400, 'FLOW-1100-400');
    assertFlowError(
      await c.call('POST', '/sourceConnections', { ...sourceBody(), baseConnectionId: 'missing' }),
      400,
      'FLOW-1100-400',
    );
  });

  void it('checks that a target connection names an existing dataset and a target spec', async () => {
    const seed = seedTargets(c.emu.state, ORG, 'prod');
    assertFlowError(
      await c.call('POST', '/targetConnections', targetBody('nodataset', seed.schemaId)),
      400,
      'FLOW-1100-400',
    );
    assertFlowError(
      await c.call('POST', '/targetConnections', {
        ...targetBody(seed.dataSetId, seed.schemaId),
        connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      }),
      400,
      'FLOW-1413-400',
    );
    const ok = await c.call<IdEtag>('POST', '/targetConnections', targetBody(seed.dataSetId, seed.schemaId));
    assert.equal(ok.status, 201);
    const got = await c.call<FlowList<TargetConnectionBody>>('GET', `/targetConnections/${ok.body.id}`);
    assert.deepEqual(got.body.items[0]!.params, { dataSetId: seed.dataSetId });
    assert.equal(got.body.items[0]!.data.schema.id, seed.schemaId);
  });

  void it('creates a streaming flow with inletUrl, inherited attributes, runs link and options', async () => {
    const { sc, tc, seed, flow } = await createChain(c, {
      options: { errorDiagnosticsEnabled: true, partialIngestionPercent: 10 },
    });
    const got = await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`);
    assert.equal(got.status, 200);
    const f = got.body.items[0]!;
    assert.equal(f.state, 'enabled');
    assert.equal(f.etag, flow.etag);
    assert.equal(f.version, flow.etag);
    assert.match(f.options.inletUrl!, new RegExp(`^${c.emu.url}/collection/[0-9a-f]{64}$`));
    assert.equal(f.options.errorDiagnosticsEnabled, true);
    assert.equal(f.options.partialIngestionPercent, 10);
    assert.deepEqual(f.flowSpec, { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' });
    assert.deepEqual(f.sourceConnectionIds, [sc]);
    assert.deepEqual(f.targetConnectionIds, [tc]);
    assert.deepEqual(f.transformations, [
      { name: 'Mapping', params: { mappingId: seed.mappingSetId, mappingVersion: 0 } },
    ]);
    assert.deepEqual(f.inheritedAttributes, {
      properties: { isSourceFlow: true },
      sourceConnections: [{ id: sc, connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' } }],
      targetConnections: [{ id: tc, connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' } }],
    });
    assert.equal(f.runs, `/runs?property=flowId==${flow.id}`);
    assert.equal(f.lastOperation.operation, 'enable');
    assert.equal(typeof f.providerRefId, 'string');
  });

  void it('runs the referential checks of flow creation', async () => {
    const seed = seedTargets(c.emu.state, ORG, 'prod');
    const sc = (await c.call<IdEtag>('POST', '/sourceConnections', sourceBody())).body.id;
    const tc = (await c.call<IdEtag>('POST', '/targetConnections', targetBody(seed.dataSetId, seed.schemaId)))
      .body.id;
    const body = flowBody(sc, tc, seed.mappingSetId);
    assertFlowError(await c.call('POST', '/flows', { ...body, state: 'enabled' }), 400, 'FLOW-1410-400');
    assertFlowError(
      await c.call('POST', '/flows', { ...body, flowSpec: { id: 'x', version: '1.0' } }),
      400,
      'FLOW-1413-400',
    );
    assertFlowError(
      await c.call('POST', '/flows', { ...body, sourceConnectionIds: ['missing'] }),
      400,
      'FLOW-1100-400',
    );
    assertFlowError(
      await c.call('POST', '/flows', { ...body, targetConnectionIds: ['missing'] }),
      400,
      'FLOW-1100-400',
    );
    assertFlowError(
      await c.call('POST', '/flows', { ...body, sourceConnectionIds: [tc] }),
      400,
      'FLOW-1100-400',
    );
    assertFlowError(await c.call('POST', '/flows', flowBody(sc, tc, 'nomapping')), 400, 'FLOW-1100-400');
    const badVersion = flowBody(sc, tc, seed.mappingSetId);
    (badVersion['transformations'] as Array<{ params: Record<string, unknown> }>)[0]!.params[
      'mappingVersion'
    ] = 3;
    assertFlowError(await c.call('POST', '/flows', badVersion), 400, 'FLOW-1412-400');
    // A mapping set written for another schema than the target dataset's (the tutorial's slip).
    const other = seedTargets(
      c.emu.state,
      ORG,
      'prod',
      seed.schemaId,
      'https://ns.adobe.com/emulatortenant/schemas/other',
    );
    const mismatch = await c.call<PlatformErrorBody>('POST', '/flows', flowBody(sc, tc, other.mappingSetId));
    assertFlowError(mismatch, 400, 'FLOW-1425-400');
    assert.equal(
      (await c.call<FlowList<FlowBody>>('GET', `/flows?property=sourceConnectionIds==${sc}`)).body.items
        .length,
      0,
    );
  });
});

void describe('Flow Service PATCH, etags and actions', () => {
  let c: Ctx;
  before(async () => {
    c = await setup();
  });
  after(() => c.emu.close());

  void it('requires If-Match, answers 412 on a stale etag and accepts every quoting', async () => {
    const { flow } = await createChain(c);
    const patch = [{ op: 'replace', path: '/name', value: 'renamed' }];
    assertFlowError(await c.call('PATCH', `/flows/${flow.id}`, patch), 400, 'FLOW-1403-400');
    const stale = await c.call<PlatformErrorBody>('PATCH', `/flows/${flow.id}`, patch, {
      'if-match': '"00000000-0000-0200-0000-000000000000"',
    });
    assertVersionMismatch(stale);
    assert.equal(
      stale.body.errorMessage,
      `Supplied version=["00000000-0000-0200-0000-000000000000"] does not match the current version on entity=[${flow.etag}]`,
    );

    let etag = flow.etag;
    const quotings = [
      (e: string) => e,
      (e: string) => e.replace(/"/g, ''),
      (e: string) => e.replace(/"/g, '\\"'),
    ];
    for (const quote of quotings) {
      const res = await c.call<IdEtag>('PATCH', `/flows/${flow.id}`, patch, { 'if-match': quote(etag) });
      assert.equal(res.status, 200, `${quote(etag)}: ${res.text}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['etag', 'id']);
      assert.notEqual(res.body.etag, etag);
      assert.match(res.body.etag, ETAG);
      etag = res.body.etag;
    }
    const got = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.equal(got.name, 'renamed');
    assert.equal(got.etag, etag);
    assert.equal(got.version, etag);
    assert.ok(got.updatedAt >= got.createdAt);
    assertVersionMismatch(await c.call('PATCH', `/flows/${flow.id}`, patch, { 'if-match': flow.etag }));
  });

  void it('maps JSON patch failures to their codes', async () => {
    const sc = await c.call<IdEtag>('POST', '/sourceConnections', sourceBody());
    const id = sc.body.id;
    const h = { 'if-match': sc.body.etag };
    assertFlowError(
      await c.call('PATCH', `/sourceConnections/${id}`, [{ op: 'move', from: '/name', path: '/x' }], h),
      400,
      'FLOW-1434-400',
    );
    assertFlowError(
      await c.call('PATCH', `/sourceConnections/${id}`, [{ op: 'remove', path: '/nope' }], h),
      400,
      'FLOW-1455-400',
    );
    assertFlowError(
      await c.call(
        'PATCH',
        `/sourceConnections/${id}`,
        [{ op: 'replace', path: '/connectionSpec/id', value: 'x' }],
        h,
      ),
      400,
      'FLOW-1414-400',
    );
    assertFlowError(
      await c.call('PATCH', `/sourceConnections/${id}`, [{ op: 'replace', path: '/id', value: 'x' }], h),
      400,
      'FLOW-1455-400',
    );
    assertFlowError(
      await c.call('PATCH', `/sourceConnections/${id}`, { op: 'replace' }, h),
      400,
      'FLOW-1100-400',
    );
    const ok = await c.call(
      'PATCH',
      `/sourceConnections/${id}`,
      [{ op: 'add', path: '/params/extra', value: 1 }],
      h,
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(
      (await c.call<FlowList<SourceConnectionBody>>('GET', `/sourceConnections/${id}`)).body.items[0]!.params,
      { extra: 1 },
    );
  });

  void it('re-validates a patched flow', async () => {
    const { flow } = await createChain(c);
    const res = await c.call<PlatformErrorBody>(
      'PATCH',
      `/flows/${flow.id}`,
      [{ op: 'replace', path: '/sourceConnectionIds', value: ['gone'] }],
      {
        'if-match': flow.etag,
      },
    );
    assertFlowError(res, 400, 'FLOW-1100-400');
  });

  void it('enables and disables a flow case-insensitively, with an optional If-Match', async () => {
    const { flow } = await createChain(c);
    const off = await c.call<IdEtag>('POST', `/flows/${flow.id}/action?op=DISABLE`);
    assert.equal(off.status, 200);
    assert.notEqual(off.body.etag, flow.etag);
    let got = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.equal(got.state, 'disabled');
    assert.equal(got.lastOperation.operation, 'disable');
    assertVersionMismatch(
      await c.call('POST', `/flows/${flow.id}/action?op=enable`, undefined, { 'if-match': flow.etag }),
    );
    const on = await c.call<IdEtag>('POST', `/flows/${flow.id}/action?op=enable`, undefined, {
      'if-match': off.body.etag,
    });
    assert.equal(on.status, 200);
    got = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.equal(got.state, 'enabled');
    assert.equal(got.etag, on.body.etag);
    assertFlowError(await c.call('POST', `/flows/${flow.id}/action?op=explode`), 400, 'FLOW-1100-400');
  });
});

void describe('Flow Service 404s and deletes', () => {
  let c: Ctx;
  before(async () => {
    c = await setup();
  });
  after(() => c.emu.close());

  void it('answers the documented 404 body for every entity type', async () => {
    const res = await c.call('GET', '/flows/0b3f0b3f-aaaa-bbbb-cccc-000000000000');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404',
      title: 'Resource not found',
      status: 404,
      report: {
        'detailed-message':
          'The requested flows resource 0b3f0b3f-aaaa-bbbb-cccc-000000000000 is not found. Verify the resource ID before trying again.',
        id: '0b3f0b3f-aaaa-bbbb-cccc-000000000000',
        'request-id': res.headers.get('x-request-id'),
        type: 'flows',
      },
      errorMessage:
        'The requested flows resource 0b3f0b3f-aaaa-bbbb-cccc-000000000000 is not found. Verify the resource ID before trying again.',
      errorDetails:
        'The requested flows resource 0b3f0b3f-aaaa-bbbb-cccc-000000000000 is not found. Verify the resource ID before trying again.',
    });
    for (const [method, type] of [
      ['GET', 'sourceConnections'],
      ['DELETE', 'targetConnections'],
      ['PATCH', 'connections'],
      ['GET', 'runs'],
      ['GET', 'connectionSpecs'],
      ['GET', 'flowSpecs'],
    ] as const) {
      const r = await c.call<PlatformErrorBody>(method, `/${type}/x1`, method === 'PATCH' ? [] : undefined, {
        'if-match': '"x"',
      });
      assertFlowError(r, 404, 'FLOW-1439-404');
      assert.equal(r.body.report.type, type);
      assert.equal(r.body.report.id, 'x1');
    }
  });

  void it('deletes in the compensation order and refuses deletes that would break an active flow', async () => {
    const { sc, tc, flow } = await createChain(c);
    assertFlowError(await c.call('DELETE', `/sourceConnections/${sc}`), 400, 'FLOW-1447-400');
    assertFlowError(await c.call('DELETE', `/targetConnections/${tc}`), 400, 'FLOW-1447-400');
    const del = await c.call('DELETE', `/flows/${flow.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertFlowError(await c.call('GET', `/flows/${flow.id}`), 404, 'FLOW-1439-404');
    assertFlowError(await c.call('DELETE', `/flows/${flow.id}`), 404, 'FLOW-1439-404');
    assert.equal((await c.call('DELETE', `/targetConnections/${tc}`)).status, 204);
    assert.equal((await c.call('DELETE', `/sourceConnections/${sc}`)).status, 204);
  });

  void it('refuses to delete a base connection still used by flows', async () => {
    const base = await c.call<IdEtag>('POST', '/connections', {
      name: 'account',
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      auth: { specName: 'none', params: {} },
    });
    assert.equal(base.status, 201);
    const seed = seedTargets(c.emu.state, ORG, 'prod');
    const sc = await c.call<IdEtag>('POST', '/sourceConnections', {
      ...sourceBody(),
      baseConnectionId: base.body.id,
    });
    assert.equal(sc.status, 201);
    const tc = await c.call<IdEtag>('POST', '/targetConnections', targetBody(seed.dataSetId, seed.schemaId));
    const flow = await c.call<IdEtag>('POST', '/flows', flowBody(sc.body.id, tc.body.id, seed.mappingSetId));
    assert.equal(flow.status, 201);
    assertFlowError(await c.call('DELETE', `/connections/${base.body.id}`), 400, 'FLOW-1418-400');
    await c.call('DELETE', `/flows/${flow.body.id}`);
    assert.equal((await c.call('DELETE', `/connections/${base.body.id}`)).status, 204);
  });
});

void describe('Flow Service lists', () => {
  let c: Ctx;
  const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
  before(async () => {
    c = await setup();
    for (const n of names) {
      const res = await c.call('POST', '/sourceConnections', sourceBody(n));
      assert.equal(res.status, 201);
    }
  });
  after(() => c.emu.close());

  void it('filters with ==, any-of, !=, AND, quotes and encoded spaces', async () => {
    const q = async (query: string): Promise<string[]> => {
      const res = await c.call<FlowList<SourceConnectionBody>>('GET', `/sourceConnections?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((i) => i.name).sort();
    };
    assert.deepEqual(await q('property=name==alpha'), ['alpha']);
    assert.deepEqual(await q('property=name==alpha,echo'), ['alpha', 'echo']);
    assert.deepEqual(await q('property=name!=alpha,echo'), ['bravo', 'charlie', 'delta']);
    assert.deepEqual(await q('property=name=="bravo"'), ['bravo']);
    assert.deepEqual(await q(`property=connectionSpec.id==${CHATLIO_CONNECTION_SPEC_ID}&property=name>=d`), [
      'delta',
      'echo',
    ]);
    assert.deepEqual(await q('property=name%3D%3Dcharlie'), ['charlie']);
    assert.deepEqual(await q('property=description==desc&property=name<b'), ['alpha']);
    await c.call('POST', '/sourceConnections', { ...sourceBody('spaced'), description: 'Test description' });
    assert.deepEqual(await q('property=description==Test%20description'), ['spaced']);
    assertFlowError(await c.call('GET', '/sourceConnections?property=%3D%3Dx'), 400, 'FLOW-1100-400');
  });

  void it('pages with limit and _links.next and counts', async () => {
    const all: string[] = [];
    const query = '/sourceConnections?orderby=name&property=name!=spaced&limit=2';
    let path: string | undefined = query;
    let pages = 0;
    while (path) {
      const res: JsonResponse<FlowList<SourceConnectionBody>> = await c.call('GET', path);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length <= 2);
      all.push(...res.body.items.map((i) => i.name));
      pages++;
      const next = res.body._links.next?.href;
      // AEP's link (PageLink example): the token only; the query is sent again with it.
      if (next) assert.match(next, /^\/sourceConnections\?continuationToken=[^&]+$/);
      else assert.deepEqual(res.body._links, {});
      path = next && `${query}&${next.split('?')[1]}`;
    }
    assert.equal(pages, 3);
    assert.deepEqual(all, ['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const desc = await c.call<FlowList<SourceConnectionBody>>(
      'GET',
      '/sourceConnections?orderby=-name&limit=1',
    );
    assert.equal(desc.body.items[0]!.name, 'spaced');

    const count = await c.call('GET', '/sourceConnections?count=true&property=name==alpha,bravo');
    assert.deepEqual(count.body, { count: 2 });
    assertFlowError(await c.call('GET', '/sourceConnections?count=true&limit=2'), 400, 'FLOW-1401-400');
    assertFlowError(await c.call('GET', '/sourceConnections?limit=0'), 400, 'FLOW-1100-400');
    assertFlowError(await c.call('GET', '/sourceConnections?continuationToken=%%%'), 400, 'FLOW-1100-400');
    assertFlowError(await c.call('GET', '/sourceConnections?orderby=-'), 400, 'FLOW-1432-400');
  });

  void it('filters flows by nested and [] paths', async () => {
    const a = await createChain(c);
    const b = await createChain(c);
    const ids = async (query: string): Promise<string[]> =>
      (await c.call<FlowList<FlowBody>>('GET', `/flows?${query}`)).body.items.map((f) => f.id).sort();
    assert.deepEqual(await ids(`property=sourceConnectionIds[]==${a.sc}`), [a.flow.id]);
    assert.deepEqual(await ids(`property=transformations[].params.mappingId==${b.seed.mappingSetId}`), [
      b.flow.id,
    ]);
    assert.deepEqual(
      await ids('property=inheritedAttributes.properties.isSourceFlow==true'),
      [a.flow.id, b.flow.id].sort(),
    );
    assert.deepEqual(
      await ids(
        `property=name==Streaming%20Dataflow%20for%20Chatlio&property=sourceConnectionIds[]==${b.sc}`,
      ),
      [b.flow.id],
    );
    assert.deepEqual(
      await ids(`property=id==${a.flow.id},${b.flow.id}&property=state==enabled`),
      [a.flow.id, b.flow.id].sort(),
    );
  });

  void it('serves the connection and flow specs', async () => {
    const chatlio = await c.call<FlowList<ConnectionSpecBody>>(
      'GET',
      `/connectionSpecs/${CHATLIO_CONNECTION_SPEC_ID}`,
    );
    assert.equal(chatlio.status, 200);
    assert.equal(chatlio.body.items[0]!.id, CHATLIO_CONNECTION_SPEC_ID);
    assert.equal(chatlio.body.items[0]!.version, '1.0');
    const lake = await c.call<FlowList<ConnectionSpecBody>>(
      'GET',
      `/connectionSpecs?property=id==${DATA_LAKE_CONNECTION_SPEC_ID}`,
    );
    assert.equal(lake.body.items.length, 1);
    const flowSpec = await c.call<FlowList<FlowSpecBody>>(
      'GET',
      '/flowSpecs?property=name==GenericStreamingAEP',
    );
    assert.equal(flowSpec.body.items.length, 1);
    const spec = flowSpec.body.items[0]!;
    assert.equal(spec.id, GENERIC_STREAMING_FLOW_SPEC_ID);
    assert.equal(spec.providerId, STREAMING_PROVIDER_ID);
    assert.ok(spec.sourceConnectionSpecIds.includes(CHATLIO_CONNECTION_SPEC_ID));
    assert.deepEqual(spec.targetConnectionSpecIds, [DATA_LAKE_CONNECTION_SPEC_ID]);
    assert.deepEqual(Object.keys(spec.optionSpec.spec.properties).sort(), [
      'errorDiagnosticsEnabled',
      'partialIngestionPercent',
    ]);
    const byId = await c.call<FlowList<FlowSpecBody>>('GET', `/flowSpecs/${GENERIC_STREAMING_FLOW_SPEC_ID}`);
    assert.equal(byId.body.items[0]!.name, 'GenericStreamingAEP');
  });
});

void describe('Flow Service runs and inletUrl lag', () => {
  let clock = Date.UTC(2025, 0, 1, 10, 0, 0);
  let c: Ctx;
  before(async () => {
    c = await setup({ now: () => clock, inletDelayMs: 5_000 });
  });
  after(() => c.emu.close());

  void it('omits options.inletUrl until inletDelayMs after creation', async () => {
    const { flow } = await createChain(c);
    const early = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.equal(early.options.inletUrl, undefined);
    clock += 5_000;
    const later = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.match(later.options.inletUrl!, /\/collection\/[0-9a-f]{64}$/);
    const listed = (await c.call<FlowList<FlowBody>>('GET', `/flows?property=id==${flow.id}`)).body.items[0]!;
    assert.equal(listed.options.inletUrl, later.options.inletUrl);
  });

  void it('summarises ingestion in one run per flow per hour', async () => {
    const { flow } = await createChain(c);
    const tenant = c.emu.state.tenant(ORG, 'prod');
    assert.deepEqual(
      (await c.call<FlowList<RunBody>>('GET', `/runs?property=flowId==${flow.id}`)).body.items,
      [],
    );
    recordRun(tenant, flow.id, { input: 2, output: 2, failed: 0 }, clock);
    recordRun(
      tenant,
      flow.id,
      { input: 1, output: 0, failed: 1, errors: [{ code: 'X-1', message: 'bad' }] },
      clock + 60_000,
    );
    let runs = (await c.call<FlowList<RunBody>>('GET', `/runs?property=flowId==${flow.id}`)).body.items;
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.flowId, flow.id);
    assert.match(run.etag, ETAG);
    assert.equal(run.sandboxName, 'prod');
    assert.equal(run.windowStart, undefined);
    assert.deepEqual(run.metrics.recordSummary, {
      inputRecordCount: 3,
      outputRecordCount: 2,
      failedRecordCount: 1,
    });
    assert.equal(run.metrics.statusSummary.status, 'failed');
    assert.deepEqual(run.metrics.statusSummary.errors, [{ code: 'X-1', message: 'bad' }]);
    assert.equal(
      run.metrics.durationSummary.completedAtUTC - run.metrics.durationSummary.startedAtUTC,
      60_000,
    );
    const byId = await c.call<FlowList<RunBody>>('GET', `/runs/${run.id}`);
    assert.equal(byId.body.items[0]!.id, run.id);

    recordRun(tenant, flow.id, { input: 4, output: 4, failed: 0 }, clock + 3_600_000);
    runs = (await c.call<FlowList<RunBody>>('GET', `/runs?property=flowId==${flow.id}&orderby=createdAt`))
      .body.items;
    assert.equal(runs.length, 2);
    assert.equal(runs[1]!.metrics.statusSummary.status, 'success');
    assert.equal(runs[1]!.metrics.recordSummary.inputRecordCount, 4);
    const f = (await c.call<FlowList<FlowBody>>('GET', `/flows/${flow.id}`)).body.items[0]!;
    assert.equal(f.lastRunDetails!.id, runs[1]!.id);
  });
});
