// The org request budget on a fake clock: a 429 pauses every new request of the org, Retry-After (seconds or
// HTTP-date) or a backoff that grows with consecutive 429s and resets on success; the in-flight cap; and through the
// transport, a 429 seen by one client (view) delays the next request of another, while the 429 itself still throws.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AepRateLimitError,
  createAepClient,
  loadRequestBudgetConfig,
  OrgRequestBudget,
  RequestBudgets,
  type BudgetClock,
  type RequestBudgetConfig,
  type RequestPermit,
} from '../../src/aep';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import { rejection } from '../support/failures';

/** Time moves only when the test says; sleepers wake in order of their deadline. */
class FakeClock implements BudgetClock {
  private t = Date.UTC(2026, 0, 1);
  private sleepers: { at: number; wake: () => void }[] = [];
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> => new Promise((wake) => this.sleepers.push({ at: this.t + ms, wake }));
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
    await settle();
  }
}

/** Lets every promise that can move on do so. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const CONFIG: RequestBudgetConfig = {
  maxInFlight: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 8_000,
  maxPauseMs: 30_000,
};

function budgetOn(clock: FakeClock, config: Partial<RequestBudgetConfig> = {}, caller?: () => string) {
  return new OrgRequestBudget(
    'ORG@AdobeOrg',
    { ...CONFIG, ...config },
    { clock, ...(caller ? { caller } : {}) },
  );
}

/** Acquires and notes when the permit came. */
function track(budget: OrgRequestBudget) {
  const state: { permit?: RequestPermit } = {};
  const done = budget.acquire().then((p) => (state.permit = p));
  return { state, done };
}

/** How long (fake ms, in steps) until a new request of the budget goes through; it then answers `status`. */
async function pauseLength(budget: OrgRequestBudget, clock: FakeClock, status = 200): Promise<number> {
  const step = 250;
  const next = track(budget);
  await settle();
  let waited = 0;
  while (!next.state.permit) {
    await clock.advance(step);
    waited += step;
  }
  next.state.permit.release({ status });
  return waited;
}

void describe('org request budget (fake clock)', () => {
  void it('a 429 with Retry-After seconds pauses every new request of the org, whoever makes it', async () => {
    const clock = new FakeClock();
    let caller = 'run-a';
    const budget = budgetOn(clock, {}, () => caller);
    const first = await budget.acquire();
    first.release({ status: 429, retryAfter: '2' });
    const waiting = ['run-b', 'run-c', 'run-b'].map((c) => {
      caller = c;
      return track(budget);
    });
    await clock.advance(1_999);
    assert.ok(
      waiting.every((w) => !w.state.permit),
      'nothing goes out during the pause',
    );
    assert.ok(budget.stats().pausedUntil !== undefined);
    await clock.advance(1);
    assert.ok(waiting.every((w) => w.state.permit));
    for (const w of waiting) w.state.permit!.release({ status: 200 });
    const stats = budget.stats();
    assert.equal(stats.throttled, 1);
    assert.equal(stats.pauses, 1);
    assert.equal(stats.delayedByPause, 3);
    assert.equal(stats.delayedCallers, 2, 'run-b and run-c');
    assert.equal(stats.inFlight, 0);
    assert.equal(stats.pausedUntil, undefined);
  });

  void it('honours Retry-After as an HTTP-date', async () => {
    const clock = new FakeClock();
    const budget = budgetOn(clock);
    (await budget.acquire()).release({
      status: 429,
      retryAfter: new Date(clock.now() + 3_000).toUTCString(),
    });
    assert.equal(await pauseLength(budget, clock), 3_000);
  });

  void it('without Retry-After: backoff doubles with consecutive 429s, up to the max, and resets on success', async () => {
    const clock = new FakeClock();
    const budget = budgetOn(clock);
    (await budget.acquire()).release({ status: 429 });
    // Each probe, sent when the pause ends, is throttled again: the next pause is twice as long.
    const pauses: number[] = [];
    for (let i = 0; i < 5; i++) pauses.push(await pauseLength(budget, clock, 429));
    assert.deepEqual(pauses, [1_000, 2_000, 4_000, 8_000, 8_000]);
    assert.equal(await pauseLength(budget, clock, 200), 8_000);
    // A success in between: the next 429 starts from the base again.
    (await budget.acquire()).release({ status: 429 });
    assert.equal(await pauseLength(budget, clock), 1_000);
  });

  void it('429s of requests already in flight make one pause, not a growing backoff', async () => {
    const clock = new FakeClock();
    const budget = budgetOn(clock);
    const burst = await Promise.all([1, 2, 3, 4].map(() => budget.acquire()));
    for (const p of burst) p.release({ status: 429 });
    assert.equal(budget.stats().pauses, 1);
    assert.equal(budget.stats().throttled, 4);
    assert.equal(await pauseLength(budget, clock), 1_000);
  });

  void it('a later, longer Retry-After of the same burst extends the pause; the cap bounds it', async () => {
    const clock = new FakeClock();
    const budget = budgetOn(clock, { maxPauseMs: 5_000 });
    const [a, b] = await Promise.all([budget.acquire(), budget.acquire()]);
    a.release({ status: 429, retryAfter: '1' });
    b.release({ status: 429, retryAfter: '3600' });
    assert.equal(await pauseLength(budget, clock), 5_000);
  });

  void it('caps the requests in flight; a released slot lets the next one go', async () => {
    const clock = new FakeClock();
    const budget = budgetOn(clock, { maxInFlight: 2 });
    const held = [await budget.acquire(), await budget.acquire()];
    const third = track(budget);
    await settle();
    assert.equal(third.state.permit, undefined);
    assert.equal(budget.stats().queued, 1);
    held[0]!.release({ status: 200 });
    held[0]!.release({ status: 200 }); // a second release of one permit gives nothing back
    await third.done;
    assert.equal(budget.stats().inFlight, 2);
    assert.equal(budget.stats().delayedByCap, 1);
    held[1]!.release();
    third.state.permit!.release();
    assert.equal(budget.stats().inFlight, 0);
  });

  void it('reads its knobs from the environment and refuses bad ones by name', () => {
    assert.deepEqual(loadRequestBudgetConfig({}), {
      maxInFlight: 8,
      backoffBaseMs: 1_000,
      backoffMaxMs: 30_000,
      maxPauseMs: 30_000,
    });
    assert.equal(loadRequestBudgetConfig({ AEP_MAX_IN_FLIGHT: '3' }).maxInFlight, 3);
    assert.throws(() => loadRequestBudgetConfig({ AEP_MAX_IN_FLIGHT: '0' }), /AEP_MAX_IN_FLIGHT must be/);
    assert.throws(
      () => loadRequestBudgetConfig({ AEP_RATE_LIMIT_BACKOFF_MS: 'x' }),
      /AEP_RATE_LIMIT_BACKOFF_MS/,
    );
  });
});

void describe('org request budget through the transport (MockAgent)', () => {
  const agent = mockAgent();
  mockIms(agent, ['tok-1']);
  const platform = agent.get(PLATFORM);
  const clock = new FakeClock();
  const budgets = new RequestBudgets(CONFIG, { clock });
  const one = createAepClient(testConfig(), { dispatcher: agent, budgets });
  // Another client of the same org (another run's view on another sandbox): the same budget.
  const other = createAepClient(testConfig(), { dispatcher: agent, budgets }).withSandbox('prod');
  after(async () => {
    await Promise.all([one.close(), other.close()]);
    await agent.close();
  });

  void it('the 429 still throws (no retry in the client) and pauses the other client of the org', async () => {
    let calls = 0;
    platform.intercept({ path: '/data/foundation/flowservice/connections/c1', method: 'GET' }).reply(() => {
      calls++;
      return {
        statusCode: 429,
        data: { message: 'slow down' },
        responseOptions: { headers: { 'retry-after': '2' } },
      };
    });
    platform.intercept({ path: '/data/foundation/flowservice/connections/c2', method: 'GET' }).reply(() => {
      calls++;
      return { statusCode: 200, data: { items: [{ id: 'c2' }] }, responseOptions: { headers: JSON_HEADERS } };
    });
    const err = await rejection(
      one.transport.request({ method: 'GET', service: 'flowservice', path: '/connections/c1' }),
      AepRateLimitError,
    );
    assert.equal(err.retryAfterMs, 2_000);
    assert.equal(calls, 1, 'the client did not retry');
    let answered = false;
    const next = other.transport
      .request({ method: 'GET', service: 'flowservice', path: '/connections/c2' })
      .then((r) => ((answered = true), r));
    await clock.advance(1_500);
    assert.equal(answered, false);
    assert.equal(calls, 1, 'the other client waits out the pause before sending');
    await clock.advance(500);
    assert.equal((await next).status, 200);
    assert.equal(calls, 2);
    const [stats] = budgets.stats();
    assert.equal(stats?.orgId, 'UNIT0000@AdobeOrg');
    assert.equal(stats?.pauses, 1);
    assert.equal(stats?.delayedByPause, 1);
  });

  void it('inlet posts (absolute URLs) neither wait for nor feed the budget', async () => {
    agent
      .get('https://dcs.test')
      .intercept({ path: '/collection/i1', method: 'POST' })
      .reply(429, {}, { headers: { 'retry-after': '60' } });
    await rejection(
      one.transport.request({
        method: 'POST',
        service: 'absolute',
        path: 'https://dcs.test/collection/i1',
        body: {},
      }),
      AepRateLimitError,
    );
    assert.equal(budgets.stats()[0]?.pausedUntil, undefined);
  });
});
