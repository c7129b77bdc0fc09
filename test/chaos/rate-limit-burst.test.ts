// Issue 14: "a 429 burst during an apply of 20 onboardings: every run slows, and none fails". One auto-approved
// apply of a desired-state file of 20 onboardings, all 20 children at once (`concurrency: 20`), in one worker whose
// AEP client has the org request budget (as src/worker.ts wires it). Once the children run, the emulator answers a
// burst of platform requests with 429 (Retry-After: 1). The budget turns the runs' 429s into shared pauses that
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
// Several waves of 429s (each wave: the requests in flight when it starts; measured: 4 pauses). With the default
// in-flight cap of 8, one pause holds back directly only the requests that reach it: the slots' next waiters and
// new requests; the rest of the org's queue waits behind the cap (slowed too, but counted as cap waits). The queue
// is first-in first-out, so successive waves reach other runs: this many hits reach every one of the 20.
const BURST = 24;

describe('org request budget: a 429 burst during an apply of 20 onboardings', { timeout: 240_000 }, () => {
  // The worker's wiring (createRequestBudgets: caller = the activity's workflow id), plus a test hook that names
  // the run of each request that waited for a pause. The budget's own stats count those callers; the hook runs
  // inside the same acquire(), in the activity's async context, so it names the same workflow id.
  const delayedRuns = new Set<string>();
  const budgets = new RequestBudgets(DEFAULT_REQUEST_BUDGET, {
    caller: activityWorkflowId,
    events: {
      onDelayed: (e) => {
        const id = activityWorkflowId();
        if (e.reason === 'pause' && id) delayedRuns.add(id);
      },
    },
  });
  let h: Harness;
  before(async () => {
    installQuietRuntime();
    h = await createHarness({}, { budgets });
  });
  after(async () => h.teardown());

  it(`one apply of ${RUNS}: every run waits for a pause; none fails; the second plan is empty`, async (t) => {
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
        retryAfterSeconds: 1,
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
      // "Every run slows": not only the runs that got a 429, every child had a request held back by a pause (the
      // budget records the caller as the activity's workflow id, so a child's activities name the child). Nothing
      // else ran activities during the burst (the apply's plan was done), so the callers the budget counted are
      // exactly the children the hook named.
      assert.deepEqual([...delayedRuns].sort(), [...children].sort(), summary);
      assert.equal(stats.delayedCallers, RUNS, summary);
      assert.ok(stats.delayedByPause >= RUNS, summary);

      const again = await planDesiredFile(h.env.client, { file }, { orgId, taskQueue: tq });
      assert.deepEqual([again.summary.create, again.summary.change, again.summary.delete], [0, 0, 0]);
      assert.equal(again.summary.noop, RUNS);
    });
  });
});
