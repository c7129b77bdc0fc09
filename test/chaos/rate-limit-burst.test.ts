// Issue 14: "a 429 burst during an apply of 20 onboardings: every run slows, and none fails". One auto-approved
// apply of a desired-state file of 20 onboardings, all 20 children at once (`concurrency: 20`), in one worker whose
// AEP client has the org request budget (as src/worker.ts wires it). Once the children run, the emulator answers a
// burst of platform requests with 429 (Retry-After: 4). The budget turns the runs' 429s into shared pauses that
// requests of the other runs wait out; Temporal retries the throttled attempts; every child completes, the apply
// reports 20 created, and a second plan of the file has nothing to do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REQUEST_BUDGET, RequestBudgets } from '../../src/aep';
import { getApplyProgressQuery } from '../../src/workflows/apply';
import { planDesiredFile, startApply } from '../../src/client/apply';
import { activityWorkflowId } from '../../src/temporal/request-budget';
import { createHarness, installQuietRuntime, resourcesIn, type Harness } from '../support/onboarding';

const RUNS = 20;
// Several waves of 429s (a wave: the requests in flight when it starts; measured: 3 to 4 pauses), so that the
// pauses meet requests of every run, not only of the 8 the in-flight cap lets through at a time.
const BURST = 24;
// Long enough that every run, even on a loaded machine (four test files at once in CI, each run then taking tens of
// seconds), sends a request while a pause holds: with 1 s pauses a CI run saw only 14 of the 20 held.
const RETRY_AFTER_S = 4;

describe('org request budget: a 429 burst during an apply of 20 onboardings', { timeout: 240_000 }, () => {
  // The worker's wiring (createRequestBudgets: the default config; the caller is the activity's workflow id, so a
  // child's requests name the child), plus test hooks that say which run each delayed request belongs to. They are
  // called inside the request's acquire(), in its activity's async context, so they name the same workflow id.
  // With the cap of 8, a pause holds back directly only the requests that reach it (the slots' next waiters and
  // new ones): the rest of the org's queue stays behind the cap while the pause holds, slowed by it too, but counted
  // as cap waits. So a run "slowed by the burst" is one with a request that waited for a pause, or that waited
  // behind the cap while a pause was on (its wait overlaps a pause's first window; extensions are not reported, so
  // this undercounts).
  const pausedRuns = new Set<string>();
  const queuedInPause = new Set<string>();
  const pauses: { from: number; to: number }[] = [];
  const budgets = new RequestBudgets(DEFAULT_REQUEST_BUDGET, {
    caller: activityWorkflowId,
    events: {
      onPause: (e) => pauses.push({ from: Date.now(), to: Date.now() + e.pauseMs }),
      onDelayed: (e) => {
        const id = activityWorkflowId();
        if (!id) return;
        const [now, since] = [Date.now(), Date.now() - e.waitedMs];
        if (e.reason === 'pause') pausedRuns.add(id);
        else if (pauses.some((p) => since < p.to && now > p.from)) queuedInPause.add(id);
      },
    },
  });
  let h: Harness;
  before(async () => {
    installQuietRuntime();
    h = await createHarness({}, { budgets });
  });
  after(async () => h.teardown());

  it(`one apply of ${RUNS}: every run slows, none fails; the second plan is empty`, async (t) => {
    await h.withWorker(async (tq) => {
      const file = {
        version: 1,
        onboardings: Array.from({ length: RUNS }, (_, i) => ({
          source: 'chatlio',
          name: `Burst apply ${i}`,
        })),
      };
      const orgId = h.emu.options.orgId;
      const handle = await startApply(
        h.env.client,
        { file, autoApprove: true, concurrency: RUNS },
        { orgId, taskQueue: tq },
      );

      // The children are started in the workflow task that sets `applying`: the burst meets them, not the plan.
      for (;;) {
        const p = await handle.query(getApplyProgressQuery).catch(() => undefined);
        if (p?.phase === 'applying' || p?.phase === 'done') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const faultId = await h.emu.control.fault({
        path: '^/data/foundation/',
        kind: 'status',
        status: 429,
        retryAfterSeconds: RETRY_AFTER_S,
        count: BURST,
      });

      const result = await handle.result();
      const failed = result.reports.filter((r) => r.outcome !== 'created');
      assert.deepEqual(failed, [], JSON.stringify(failed));
      assert.equal(result.status, 'applied');
      assert.equal(result.summary.create, RUNS);
      assert.equal(result.reports.length, RUNS);
      const children = result.reports.map((r) => r.workflowId);
      assert.equal(new Set(children).size, RUNS);
      for (const r of result.reports) assert.ok(r.ids?.flowId && r.webhookUrl, JSON.stringify(r));
      const statuses = await Promise.all(
        children.map(async (id) => (await h.env.client.workflow.getHandle(id).describe()).status.name),
      );
      assert.deepEqual(statuses, Array<string>(RUNS).fill('COMPLETED'));

      // The whole burst was served (the rule is gone once its hits are used) and every run made its flow.
      assert.ok(!(await h.emu.control.faults()).some((f) => f.id === faultId));
      assert.equal((await resourcesIn(h.emu)).flows?.length, RUNS);

      const [stats] = budgets.stats();
      const summary = JSON.stringify(stats);
      t.diagnostic(summary);
      assert.equal(stats?.orgId, orgId);
      assert.equal(stats?.throttled, BURST, summary);
      assert.ok(stats.pauses >= 1, summary);
      assert.equal(stats.inFlight, 0, summary);
      // Not only the runs that got a 429: most children had a request held by a pause (the budget's own count of
      // callers; nothing else ran activities during the burst, the apply's plan was done, so they are children).
      const sorted = (ids: Iterable<string>) => [...ids].sort();
      t.diagnostic(`held by a pause: ${pausedRuns.size}; queued during one: ${queuedInPause.size}`);
      assert.equal(stats.delayedCallers, pausedRuns.size, summary);
      assert.deepEqual(
        [...pausedRuns].filter((id) => !children.includes(id)),
        [],
        'only children were held',
      );
      assert.ok(pausedRuns.size >= RUNS / 2, summary);
      // "Every run slows": every child was held back by the burst, in the pause or behind the cap while it held.
      assert.deepEqual(sorted(new Set([...pausedRuns, ...queuedInPause])), sorted(children), summary);

      const again = await planDesiredFile(h.env.client, { file }, { orgId, taskQueue: tq });
      assert.deepEqual([again.summary.create, again.summary.change, again.summary.delete], [0, 0, 0]);
      assert.equal(again.summary.noop, RUNS);
    });
  });
});
