// Issue 14: "a 429 burst during an apply of 20 onboardings: every run slows, and none fails". 20 onboardings at once
// in one worker whose AEP client has the org request budget (as src/worker.ts wires it), while the emulator answers
// a burst of platform requests with 429 (Retry-After: 1). The budget turns the runs' 429s into one shared pause:
// requests of several other runs wait it out instead of meeting the throttle; Temporal retries the throttled
// attempts; every run completes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REQUEST_BUDGET } from '../../src/aep';
import { createRequestBudgets } from '../../src/temporal/request-budget';
import { createHarness, installQuietRuntime, resourcesIn, type Harness } from '../support/onboarding';

const RUNS = 20;
const BURST = 12;

describe('org request budget: a 429 burst during 20 concurrent onboardings', { timeout: 240_000 }, () => {
  const budgets = createRequestBudgets({ config: DEFAULT_REQUEST_BUDGET, metrics: false });
  let h: Harness;
  before(async () => {
    installQuietRuntime();
    h = await createHarness({}, { budgets });
  });
  after(async () => h.teardown());

  it(`${RUNS} runs share one pause per 429 wave; none fails`, async (t) => {
    await h.withWorker(async (tq) => {
      const faultId = await h.emu.control.fault({
        path: '^/data/foundation/',
        kind: 'status',
        status: 429,
        retryAfterSeconds: 1,
        count: BURST,
      });
      const runs = await Promise.all(
        Array.from({ length: RUNS }, (_, i) => h.start(tq, { source: 'chatlio', name: `Budget burst ${i}` })),
      );
      const outcomes = await Promise.allSettled(runs.map((r) => r.handle.result()));
      const failed = outcomes.flatMap((o, i) =>
        o.status === 'rejected' ? [`run ${i}: ${String(o.reason)}`] : [],
      );
      assert.deepEqual(failed, []);

      // The whole burst was served (the rule is gone once its hits are used) and every run made its flow.
      assert.ok(!(await h.emu.control.faults()).some((f) => f.id === faultId));
      assert.equal((await resourcesIn(h.emu)).flows?.length, RUNS);

      const [stats] = budgets.stats();
      const summary = JSON.stringify(stats);
      t.diagnostic(summary);
      assert.equal(stats?.orgId, h.emu.options.orgId);
      assert.equal(stats?.throttled, BURST, summary);
      assert.ok(stats.pauses >= 1, summary);
      // Not only the runs that got a 429 slowed: requests of several different runs waited for a pause.
      assert.ok(stats.delayedByPause >= 3, summary);
      assert.ok(stats.delayedCallers >= 3, summary);
      assert.equal(stats.inFlight, 0, summary);
    });
  });
});
