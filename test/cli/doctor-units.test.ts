// The parts of `doctor` that need no server: the scopes IMS grants (its answer's `scope`, else the JWT's claim),
// the scope and clock verdicts, and the shape algebra of --record and emulator:compare.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MockAgent } from 'undici';
import { createAepClient, ImsTokenProvider, type AepClient } from '../../src/aep';
import { aepChecks, clockCheck, tokenCheck } from '../../src/cli/doctor-checks';
import { PresetRegistry } from '../../src/presets/registry';
import { diffShapes, mergeShapes, shapeOf } from '../../src/shared/shapes';
import { IMS, JSON_HEADERS, mockAgent, testConfig } from '../support/aep-mock';

const agents: MockAgent[] = [];
after(async () => {
  await Promise.all(agents.map((a) => a.close()));
});

function imsAnswering(data: Record<string, unknown>): ImsTokenProvider {
  const agent = mockAgent();
  agents.push(agent);
  agent
    .get(IMS)
    .intercept({ path: '/ims/token/v3', method: 'POST' })
    .reply(200, { token_type: 'bearer', expires_in: 86399, ...data }, { headers: JSON_HEADERS });
  return new ImsTokenProvider(testConfig(), { dispatcher: agent });
}

const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'sig']
    .map((p) => Buffer.from(p).toString('base64url'))
    .join('.');

/** What tokenCheck reads of a client: its token source and the configured scopes. */
const clientWith = (ims: ImsTokenProvider, scopes: string) =>
  ({ ims, config: { scopes } }) as unknown as AepClient;

describe('doctor: IMS scopes', () => {
  it("reads the answer's scope, else the token's claim, else says IMS did not tell", async () => {
    const fromAnswer = imsAnswering({ access_token: 'opaque', scope: 'openid,AdobeID' });
    await fromAnswer.getToken();
    assert.deepEqual(fromAnswer.grant(), {
      expiresInS: 86399,
      scopes: ['openid', 'AdobeID'],
      scopesFrom: 'response',
    });

    const fromClaim = imsAnswering({ access_token: jwt({ scope: 'openid,AdobeID,read_organizations' }) });
    await fromClaim.getToken();
    assert.deepEqual(fromClaim.grant()?.scopes, ['openid', 'AdobeID', 'read_organizations']);
    assert.equal(fromClaim.grant()?.scopesFrom, 'token');

    const silent = imsAnswering({ access_token: 'eyJopaque' });
    await silent.getToken();
    assert.deepEqual(silent.grant(), { expiresInS: 86399 });
    const check = await tokenCheck(clientWith(silent, 'openid,AdobeID'));
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /IMS did not say which scopes it granted \(requested: openid,AdobeID\)/);
  });

  it('fails when IMS granted fewer scopes than AEP needs, naming them', async () => {
    const ims = imsAnswering({ access_token: 'opaque', scope: 'openid,AdobeID' });
    const check = await tokenCheck(clientWith(ims, 'openid,AdobeID'));
    assert.equal(check.status, 'fail');
    assert.match(
      check.detail,
      /without the scope\(s\) read_organizations, additional_info\.projectedProductContext/,
    );
    assert.match(check.fix!, /Add the Experience Platform API to the Developer Console project/);
  });
});

describe('doctor: AEP out of reach', () => {
  it('the org fails with the platform URL to check, and everything after it is skipped', async () => {
    const agent = mockAgent();
    agents.push(agent);
    agent
      .get(IMS)
      .intercept({ path: '/ims/token/v3', method: 'POST' })
      .reply(
        200,
        { access_token: 'opaque', token_type: 'bearer', expires_in: 86399 },
        { headers: JSON_HEADERS },
      );
    // No interceptor for the platform: the request never gets an answer (as with a wrong host).
    const aep = createAepClient(testConfig(), { dispatcher: agent });
    const chatlio = PresetRegistry.fromEnv({}).get('chatlio')!;
    const checks = await aepChecks({ aep, sandbox: 'dev', presets: [chatlio], lastDate: () => undefined });
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    assert.equal(byId['ims-token']!.status, 'ok');
    assert.equal(byId['org']!.status, 'fail');
    assert.match(byId['org']!.detail, /AEP did not answer at https:\/\/platform\.test/);
    assert.match(byId['org']!.fix!, /Check AEP_PLATFORM_URL/);
    for (const id of ['sandbox', 'tenant', 'preset:chatlio:connection-spec', 'preset:chatlio:flow-spec'])
      assert.equal(byId[id]!.status, 'skip', id);
  });
});

describe('doctor: clock', () => {
  it('warns beyond 60 s of skew, either way, and passes within', () => {
    const serverMs = Date.parse('2026-12-01T12:00:00Z');
    assert.equal(clockCheck({ serverMs, localMs: serverMs + 400 }).status, 'ok');
    const ahead = clockCheck({ serverMs, localMs: serverMs + 90_000 });
    assert.equal(ahead.status, 'warn');
    assert.match(ahead.detail, /90 s ahead of AEP's/);
    assert.match(clockCheck({ serverMs, localMs: serverMs - 120_000 }).detail, /120 s behind AEP's/);
    assert.equal(clockCheck(undefined).status, 'warn');
  });
});

describe('shapes', () => {
  it('keeps keys, types and array shapes, no values; id and URI keys become placeholders', () => {
    const shape = shapeOf(
      {
        '5f2e3c4d5e6f7a8b9c0d1e2f': { name: 'Chat events', tags: ['a'], n: 1, ok: true, none: null },
        classUsage: { 'https://ns.adobe.com/acme/classes/x': [] },
        _acme: { x: 'secret value' },
      },
      { _acme: '_{TENANT}' },
    );
    assert.deepEqual(shape, {
      object: {
        '_{TENANT}': { object: { x: 'string' } },
        classUsage: { object: { '{uri}': { array: null } } },
        '{id}': {
          object: { n: 'number', name: 'string', none: 'null', ok: 'boolean', tags: { array: 'string' } },
        },
      },
    });
    assert.doesNotMatch(JSON.stringify(shape), /Chat events|secret value|acme/);
  });

  it('merges array items into one shape (union of keys; anyOf for other kinds)', () => {
    assert.deepEqual(shapeOf([{ a: 1 }, { b: 'x' }]), { array: { object: { a: 'number', b: 'string' } } });
    assert.deepEqual(mergeShapes('string', 'null'), { anyOf: ['null', 'string'] });
    assert.deepEqual(mergeShapes({ array: null }, { array: 'number' }), { array: 'number' });
  });

  it('diffs missing, extra and type, deep in arrays; map entries (placeholder keys) are data, not shape', () => {
    const recorded = shapeOf({ items: [{ id: 'x', etag: 'y', n: 1 }], m: { k1: 1 } }, { k1: '{flowId}' });
    const emulator = shapeOf({ items: [{ id: 'x', n: 'one', extra: true }], m: {} });
    assert.deepEqual(diffShapes(recorded, emulator), [
      { at: '$.items[].etag', kind: 'missing', recorded: 'string' },
      { at: '$.items[].n', kind: 'type', recorded: 'number', emulator: 'string' },
      { at: '$.items[].extra', kind: 'extra', emulator: 'boolean' },
    ]);
    assert.deepEqual(diffShapes(recorded, recorded), []);
  });
});
