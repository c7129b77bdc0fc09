import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MockAgent } from 'undici';
import { ImsError, ImsTokenProvider, renewAt } from '../../src/aep';
import { IMS, JSON_HEADERS, SECRET, mockAgent, testConfig } from '../support/aep-mock';

const agents: MockAgent[] = [];
after(async () => {
  await Promise.all(agents.map((a) => a.close()));
});

/** IMS handing out tok-1, tok-2, … with the given TTL; `calls()` counts token requests. */
function setup(opts: { expiresIn?: number; delayMs?: number } = {}) {
  const agent = mockAgent();
  agents.push(agent);
  let calls = 0;
  let clock = 1_000_000;
  const scope = agent
    .get(IMS)
    .intercept({ path: '/ims/token/v3', method: 'POST' })
    .reply(() => {
      calls++;
      return {
        statusCode: 200,
        data: { access_token: `tok-${calls}`, token_type: 'bearer', expires_in: opts.expiresIn ?? 86399 },
        responseOptions: { headers: JSON_HEADERS },
      };
    });
  if (opts.delayMs) scope.delay(opts.delayMs);
  scope.persist();
  const ims = new ImsTokenProvider(testConfig(), { dispatcher: agent, now: () => clock });
  return {
    agent,
    ims,
    calls: () => calls,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

async function imsFailure(p: Promise<unknown>): Promise<ImsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ImsError, `expected ImsError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an ImsError');
}

void describe('ImsTokenProvider', () => {
  void it('caches the token', async () => {
    const { ims, calls } = setup();
    assert.equal(await ims.getToken(), 'tok-1');
    assert.equal(await ims.getToken(), 'tok-1');
    assert.equal(calls(), 1);
  });

  void it('renews 5 minutes before expires_in (seconds) runs out', async () => {
    const { ims, calls, advance } = setup({ expiresIn: 86399 });
    await ims.getToken();
    advance((86399 - 301) * 1000);
    assert.equal(await ims.getToken(), 'tok-1', 'still fresh 301 s before expiry');
    advance(2000);
    assert.equal(await ims.getToken(), 'tok-2', 'renewed 299 s before expiry');
    assert.equal(calls(), 2);
  });

  void it('renews at half-life for short TTLs', async () => {
    const { ims, advance } = setup({ expiresIn: 60 });
    await ims.getToken();
    advance(29_000);
    assert.equal(await ims.getToken(), 'tok-1');
    advance(1_000);
    assert.equal(await ims.getToken(), 'tok-2');
  });

  void it('concurrent callers share one in-flight request', async () => {
    const { ims, calls } = setup({ delayMs: 50 });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => ims.getToken()));
    assert.deepEqual(new Set(tokens), new Set(['tok-1']));
    assert.equal(calls(), 1);
  });

  void it('invalidate() forces a new token; a stale token does not evict a newer one', async () => {
    const { ims, calls } = setup();
    const first = await ims.getToken();
    ims.invalidate(first);
    assert.equal(await ims.getToken(), 'tok-2');
    ims.invalidate(first); // a late 401 for the old token
    assert.equal(await ims.getToken(), 'tok-2');
    ims.invalidate();
    assert.equal(await ims.getToken(), 'tok-3');
    assert.equal(calls(), 3);
  });

  void it('keeps every issued token for redaction', async () => {
    const { ims } = setup();
    await ims.getToken();
    ims.invalidate();
    await ims.getToken();
    assert.deepEqual([...ims.secrets()].sort(), [SECRET, 'tok-1', 'tok-2'].sort());
  });

  void it('renewAt', () => {
    assert.equal(renewAt(0, 86399), (86399 - 300) * 1000);
    assert.equal(renewAt(0, 600), 300_000);
    assert.equal(renewAt(0, 10), 5_000);
  });
});

void describe('ImsTokenProvider errors', () => {
  function failingIms(status: number, body: string, headers: Record<string, string> = JSON_HEADERS) {
    const agent = mockAgent();
    agents.push(agent);
    let calls = 0;
    agent
      .get(IMS)
      .intercept({ path: '/ims/token/v3', method: 'POST' })
      .reply(() => {
        calls++;
        return { statusCode: status, data: body, responseOptions: { headers } };
      })
      .persist();
    return { ims: new ImsTokenProvider(testConfig(), { dispatcher: agent }), calls: () => calls };
  }

  void it('invalid_client: final, code kept, secret never shown', async () => {
    const { ims } = failingIms(
      400,
      JSON.stringify({
        error: 'invalid_client',
        error_description: `invalid client_secret parameter ${SECRET}`,
      }),
    );
    const err = await imsFailure(ims.getToken());
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_client');
    assert.equal(err.retryable, false);
    assert.match(err.message, /invalid client_secret parameter \[REDACTED\]/);
    assert.ok(!JSON.stringify(err).includes(SECRET));
  });

  void it('5xx: retryable; concurrent callers share the failure and the next call tries again', async () => {
    const { ims, calls } = failingIms(503, '<html>Service Unavailable</html>', {
      'content-type': 'text/html',
    });
    const results = await Promise.allSettled([ims.getToken(), ims.getToken(), ims.getToken()]);
    assert.equal(calls(), 1);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof ImsError && r.reason.retryable && r.reason.status === 503);
    }
    await imsFailure(ims.getToken());
    assert.equal(calls(), 2, 'a failed request is not cached');
  });

  void it('200 without access_token: ImsError', async () => {
    const { ims } = failingIms(200, JSON.stringify({ token_type: 'bearer', expires_in: 10 }));
    const err = await imsFailure(ims.getToken());
    assert.match(err.message, /lacks access_token/);
    assert.equal(err.retryable, false);
  });

  void it('200 with a non-JSON body: ImsError', async () => {
    const { ims } = failingIms(200, 'not json', { 'content-type': 'text/plain' });
    const err = await imsFailure(ims.getToken());
    assert.match(err.message, /not JSON/);
  });
});
