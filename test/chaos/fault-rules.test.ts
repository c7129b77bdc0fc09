// The two fault-rule options the chaos and fuzz suites need: target one run by its body (bodyIncludes) and answer
// bytes that are not JSON (rawBody + contentType).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CHATLIO_CONNECTION_SPEC_ID } from '../../src/shared/aep-constants';
import type { FlowList, SourceConnectionBody } from '../support/aep-bodies';
import { request, startEmulator, type StartedEmulator } from '../support/emulator';

const SC = '/data/foundation/flowservice/sourceConnections';
const body = (name: string) => ({
  name,
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  data: { format: 'json' },
});

void describe('fault rules: bodyIncludes and rawBody', () => {
  let emu: StartedEmulator;
  let token: string;
  const create = (name: string) =>
    fetch(emu.url + SC, { method: 'POST', headers: emu.headers(token), body: JSON.stringify(body(name)) });
  const names = async (): Promise<string[]> =>
    (await request<FlowList<SourceConnectionBody>>(emu.url + SC, { headers: emu.headers(token) })).body.items
      .map((i) => i.name)
      .sort();

  before(async () => {
    emu = await startEmulator();
  });
  beforeEach(async () => {
    await emu.control.reset();
    token = await emu.token();
  });
  after(() => emu.close());

  void it('bodyIncludes hits only the requests whose body carries the text', async () => {
    await emu.control.fault({
      method: 'POST',
      path: SC,
      kind: 'status',
      status: 400,
      count: -1,
      bodyIncludes: '[aepo-0000beef]',
    });
    assert.equal((await create('other [aepo-12345678]')).status, 201);
    const hit = await create('mine [aepo-0000beef]');
    assert.equal(hit.status, 400);
    assert.match(await hit.text(), /Injected fault \(400\)/);
    assert.equal((await create('mine again [aepo-0000beef]')).status, 400, 'count -1 keeps hitting');
    // A GET has no body: never matched by a bodyIncludes rule.
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 200);
    assert.deepEqual(await names(), ['other [aepo-12345678]']);
    const [rule] = await emu.control.faults();
    assert.equal(rule?.hits, 2);
  });

  void it('rawBody answers exactly those bytes with the given content type', async () => {
    await emu.control.fault({
      method: 'POST',
      path: SC,
      kind: 'status',
      status: 502,
      rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      contentType: 'text/html',
    });
    const res = await create('x');
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('content-type'), 'text/html');
    assert.equal(await res.text(), '<html><body><h1>502 Bad Gateway</h1></body></html>');
    assert.deepEqual(await names(), [], "'status' does not run the handler");
  });

  void it('commit-then-fail with a truncated JSON body: the create lands, the answer is garbled', async () => {
    await emu.control.fault({
      method: 'POST',
      path: SC,
      kind: 'commit-then-fail',
      status: 201,
      rawBody: '{"id":"3f2a',
      contentType: 'application/json',
    });
    const res = await create('landed');
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const text = await res.text();
    assert.equal(text, '{"id":"3f2a');
    assert.throws(() => JSON.parse(text) as unknown);
    assert.deepEqual(await names(), ['landed']);
  });

  void it('rawBody keeps the Retry-After of a 429', async () => {
    await emu.control.fault({
      path: SC,
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3,
      rawBody: 'slow down',
    });
    const res = await fetch(emu.url + SC, { headers: emu.headers(token) });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(await res.text(), 'slow down');
  });

  void it('the rule schema refuses a non-string rawBody and an empty bodyIncludes', async () => {
    for (const bad of [{ rawBody: 42 }, { bodyIncludes: '' }]) {
      const res = await request(`${emu.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { path: SC, kind: 'status', ...bad },
      });
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
  });
});
