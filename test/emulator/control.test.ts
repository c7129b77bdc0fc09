import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  EMULATOR_DEFAULTS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
} from '../../src/shared/aep-constants';
import type {
  FlowList,
  ImsErrorBody,
  InletErrorBody,
  PlatformErrorBody,
  SourceConnectionBody,
} from '../support/aep-bodies';
import { request, startEmulator, type JsonResponse, type StartedEmulator } from '../support/emulator';

const SC = '/data/foundation/flowservice/sourceConnections';
const body = {
  name: 'sc',
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  data: { format: 'json' },
};

void describe('control plane and faults', () => {
  let emu: StartedEmulator;
  let token: string;
  const list = async (): Promise<number> =>
    (await request<FlowList<SourceConnectionBody>>(emu.url + SC, { headers: emu.headers(token) })).body.items
      .length;
  const create = <T = unknown>(): Promise<JsonResponse<T>> =>
    request<T>(emu.url + SC, { method: 'POST', headers: emu.headers(token), body });

  before(async () => {
    emu = await startEmulator();
  });
  beforeEach(async () => {
    await emu.control.reset();
    token = await emu.token();
  });
  after(() => emu.close());

  void it("'status' answers in the service's shape without running the handler", async () => {
    await emu.control.fault({
      method: 'POST',
      path: '^/data/foundation/flowservice/sourceConnections$',
      kind: 'status',
      status: 503,
    });
    const res = await create<PlatformErrorBody>();
    assert.equal(res.status, 503);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1103-503');
    assert.equal(res.body.report['request-id'], res.headers.get('x-request-id'));
    assert.equal(await list(), 0);
    assert.equal((await create()).status, 201, 'count defaults to 1');
    assert.equal(await list(), 1);
    assert.deepEqual(await emu.control.faults(), []);
  });

  void it("'status' 429 carries Retry-After and count -1 lasts until removed", async () => {
    const id = await emu.control.fault({
      path: 'sourceConnections',
      kind: 'status',
      status: 429,
      retryAfterSeconds: 7,
      count: -1,
    });
    for (let i = 0; i < 3; i++) {
      const res = await request(emu.url + SC, { headers: emu.headers(token) });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
    }
    const [rule] = await emu.control.faults();
    assert.equal(rule?.hits, 3);
    await emu.control.removeFault(id);
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 200);
    await emu.control.fault({ path: 'sourceConnections', kind: 'status', status: 429 });
    assert.equal(
      (await request(emu.url + SC, { headers: emu.headers(token) })).headers.get('retry-after'),
      '1',
    );
  });

  void it('matches IMS and inlet routes, by method, and can send a custom body', async () => {
    await emu.control.fault({ path: '^/ims/', kind: 'status', status: 500 });
    const ims = await request<ImsErrorBody>(`${emu.url}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(ims.status, 500);
    assert.equal(ims.body.error, 'server_error');

    await emu.control.fault({ path: '^/collection/', kind: 'status', status: 503, retryAfterSeconds: 2 });
    const inlet = await request<InletErrorBody>(`${emu.url}/collection/${'a'.repeat(64)}`, {
      method: 'POST',
      body: {},
    });
    assert.equal(inlet.status, 503);
    assert.equal(inlet.headers.get('retry-after'), '2');
    assert.equal(inlet.body.report.message, 'Injected fault (503)');

    await emu.control.fault({
      method: 'DELETE',
      path: 'sourceConnections',
      kind: 'status',
      status: 500,
      body: { custom: true },
    });
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 200);
    const del = await request(`${emu.url}${SC}/x`, { method: 'DELETE', headers: emu.headers(token) });
    assert.deepEqual([del.status, del.body], [500, { custom: true }]);
  });

  void it("'latency' delays then answers normally", async () => {
    await emu.control.fault({ path: 'sourceConnections', kind: 'latency', latencyMs: 200 });
    const started = Date.now();
    const res = await create();
    assert.equal(res.status, 201);
    assert.ok(Date.now() - started >= 190);
  });

  void it("'drop' closes the socket and does nothing", async () => {
    await emu.control.fault({ path: 'sourceConnections', kind: 'drop' });
    await assert.rejects(create());
    assert.equal(await list(), 0);
  });

  void it("'commit-then-fail' commits then answers 500", async () => {
    await emu.control.fault({ path: 'sourceConnections', kind: 'commit-then-fail' });
    const res = await create<PlatformErrorBody>();
    assert.equal(res.status, 500);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1102-500');
    assert.equal(await list(), 1);
  });

  void it("'commit-then-reset' commits then loses the response", async () => {
    await emu.control.fault({ method: 'POST', path: 'sourceConnections', kind: 'commit-then-reset' });
    await assert.rejects(create());
    assert.equal(await list(), 1);
  });

  void it('refuses malformed fault rules', async () => {
    for (const rule of [{ path: 'x', kind: 'explode' }, { kind: 'drop' }, { path: '(', kind: 'drop' }]) {
      const res = await request(`${emu.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: rule,
      });
      assert.equal(res.status, 400);
    }
    const gone = await request(`${emu.url}/__emulator/faults/none`, { method: 'DELETE' });
    assert.equal(gone.status, 404);
  });

  void it('logs every non-control call with its outcome', async () => {
    await emu.control.clearCalls();
    await emu.control.fault({ path: 'sourceConnections', kind: 'drop' });
    await assert.rejects(create());
    await request(`${emu.url}${SC}?property=name==sc`, { headers: emu.headers(token, { sandbox: 'dev' }) });
    await request(`${emu.url}${SC}`);
    await emu.control.state();
    const calls = await emu.control.calls();
    assert.deepEqual(
      calls.map(({ method, path, query, status, fault, org, sandbox }) => ({
        method,
        path,
        query,
        status,
        fault,
        org,
        sandbox,
      })),
      [
        { method: 'POST', path: SC, query: '', status: 0, fault: 'drop', org: undefined, sandbox: undefined },
        {
          method: 'GET',
          path: SC,
          query: 'property=name==sc',
          status: 200,
          fault: undefined,
          org: EMULATOR_DEFAULTS.orgId,
          sandbox: 'dev',
        },
        {
          method: 'GET',
          path: SC,
          query: '',
          status: 403,
          fault: undefined,
          org: undefined,
          sandbox: undefined,
        },
      ],
    );
    assert.ok(calls[0]!.seq < calls[1]!.seq && calls[1]!.seq < calls[2]!.seq);
    assert.equal(typeof calls[0]!.at, 'number');
    await emu.control.clearCalls();
    assert.deepEqual(await emu.control.calls(), []);
  });

  void it('shows the state without tokens, and reset clears everything', async () => {
    assert.equal((await create()).status, 201);
    emu.state.tenant(EMULATOR_DEFAULTS.orgId, 'prod').records('ds1').push({ a: 1 });
    const state = await emu.control.state();
    const prod = state.tenants.find((t) => t.sandbox === 'prod');
    assert.equal(prod?.org, EMULATOR_DEFAULTS.orgId);
    assert.equal(prod?.collections['sourceConnections']?.length, 1);
    assert.deepEqual(prod?.records['ds1'], [{ a: 1 }]);
    assert.ok(!JSON.stringify(state).includes(token));

    await emu.control.fault({ path: 'x', kind: 'drop', count: -1 });
    await emu.control.reset();
    assert.deepEqual((await emu.control.state()).tenants, []);
    assert.deepEqual(await emu.control.faults(), []);
    assert.deepEqual(await emu.control.calls(), []);
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 401);
  });
  void it('un-provisions a connection spec and changes a flow spec’s sources, per org and sandbox', async () => {
    const FS = '/data/foundation/flowservice';
    const get = <T = unknown>(path: string, sandbox = 'prod') =>
      request<T>(emu.url + FS + path, { headers: emu.headers(token, { sandbox }) });
    assert.equal((await get(`/connectionSpecs/${CHATLIO_CONNECTION_SPEC_ID}`)).status, 200);
    await emu.control.spec('connectionSpecs', CHATLIO_CONNECTION_SPEC_ID, {
      provisioned: false,
      sandbox: 'prod',
    });
    const gone = await get<PlatformErrorBody>(`/connectionSpecs/${CHATLIO_CONNECTION_SPEC_ID}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1439-404');
    const listed = await get<FlowList<{ id: string }>>('/connectionSpecs');
    assert.ok(!listed.body.items.some((s) => s.id === CHATLIO_CONNECTION_SPEC_ID));
    const refused = await create<PlatformErrorBody>();
    assert.equal(refused.status, 400);
    assert.equal(refused.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1413-400');
    // Another sandbox keeps it; provisioned again, it is back.
    assert.equal((await get(`/connectionSpecs/${CHATLIO_CONNECTION_SPEC_ID}`, 'dev')).status, 200);
    await emu.control.spec('connectionSpecs', CHATLIO_CONNECTION_SPEC_ID, { provisioned: true });
    assert.equal((await create()).status, 201);

    await emu.control.spec('flowSpecs', GENERIC_STREAMING_FLOW_SPEC_ID, { sourceConnectionSpecIds: ['x'] });
    const flowSpec = await get<FlowList<{ sourceConnectionSpecIds: string[] }>>(
      `/flowSpecs/${GENERIC_STREAMING_FLOW_SPEC_ID}`,
    );
    assert.deepEqual(flowSpec.body.items[0]?.sourceConnectionSpecIds, ['x']);
    const bad = await request(`${emu.url}/__emulator/specs/flowSpecs/nope`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: { provisioned: false },
    });
    assert.equal(bad.status, 400);
    // Reset forgets the overrides.
    await emu.control.reset();
    token = await emu.token();
    const restored = await get<FlowList<{ sourceConnectionSpecIds: string[] }>>(
      `/flowSpecs/${GENERIC_STREAMING_FLOW_SPEC_ID}`,
    );
    assert.ok(restored.body.items[0]?.sourceConnectionSpecIds.includes(CHATLIO_CONNECTION_SPEC_ID));
  });
});
