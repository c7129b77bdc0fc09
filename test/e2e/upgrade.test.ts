// Safe upgrades on real servers: a worker running new workflow code picks up a drift schedule created by the old
// code. Worker A runs today's bundle; B runs test/fixtures/next-version/workflows.ts, today's code with a new step in
// checkDrift behind patched() (README "Rolling out a new worker version"). A check completes on A; the next is left
// in flight (a slow GET of the flow) when A stops; B finishes it without nondeterminism (no patch marker: the old
// path), and the next scheduled check succeeds on B with the new step taken (marker and timer in its history). A's
// histories replay on B's code; the same change without patched() fails replay, so the test can fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { ensureDriftSchedule } from '../../src/client/drift';
import { driftScheduleId, type DriftCheckResult } from '../../src/shared/contracts/drift';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { NEXT_STEP_PATCH } from '../fixtures/next-version/workflows';
import { fixtureWorkflowBundle } from '../support/build-cache';
import { eventually } from '../support/lifecycle';
import { useHarness, workflowBundle } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

type History = temporal.api.history.v1.IHistory;
const E = temporal.api.enums.v1.EventType;
const EVERY_MS = 2_000;
const A = 'worker-a-today';
const B = 'worker-b-next-version';

/** The patch ids a run's history records (the SDK's `core_patch` markers). */
function patchesIn(history: History): string[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === E.EVENT_TYPE_MARKER_RECORDED)
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      // Core writes `{ id, deprecated }` as JSON under one details key.
      const data = Object.values(e.markerRecordedEventAttributes?.details ?? {})[0]?.payloads?.[0]?.data;
      return data ? (JSON.parse(Buffer.from(data).toString()) as { id: string }).id : '?';
    });
}
const has = (history: History, type: temporal.api.enums.v1.EventType) =>
  (history.events ?? []).some((e) => e.eventType === type);
/** Which workers completed the run's workflow tasks, in order. */
const taskWorkers = (history: History) =>
  (history.events ?? [])
    .filter((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((e) => e.workflowTaskCompletedEventAttributes?.identity);

describe('upgrade: new workflow code takes over a schedule made by the old', { timeout: 120_000 }, () => {
  const h = useHarness();

  it('finishes the old code’s check in flight, then the next scheduled check succeeds on the new code', async () => {
    const orgId = h.emu.options.orgId;
    const taskQueue = uniqueName('tq-upgrade');
    const client = h.env.client;
    const [today, next, unpatched] = await Promise.all([
      workflowBundle(),
      fixtureWorkflowBundle('test/fixtures/next-version/workflows.ts'),
      fixtureWorkflowBundle('test/fixtures/next-version/unpatched.ts'),
    ]);
    const worker = (identity: string, bundle: WorkflowBundleWithSourceMap) =>
      createOnboardingWorker({
        connection: h.env.nativeConnection,
        namespace: h.env.namespace ?? 'default',
        taskQueue,
        aep: h.aep,
        presets: h.presets,
        tuning: { workflowBundle: bundle, identity },
      });
    const a = await worker(A, today);
    const runningA = a.run();
    let b: Worker | undefined;
    let runningB: Promise<void> | undefined;
    const schedule = client.schedule.getHandle(driftScheduleId(orgId, 'prod'));

    /** The schedule's runs so far (strongly consistent), with their histories. */
    const runs = async () =>
      Promise.all(
        (await schedule.describe()).info.recentActions.map(async ({ action: { workflow } }) => {
          const handle = client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId);
          const status = (await handle.describe()).status.name;
          return { workflowId: workflow.workflowId, handle, status, history: await handle.fetchHistory() };
        }),
      );
    const completed = async (n: number) =>
      (await eventually(runs, (r) => r.filter((x) => x.status === 'COMPLETED').length >= n, 30_000)).filter(
        (x) => x.status === 'COMPLETED',
      );

    try {
      const { handle } = await h.start(taskQueue, { source: 'chatlio', name: 'Upgrade watched' });
      const onboarding = await handle.result();
      await ensureDriftSchedule(client, { orgId, sandbox: 'prod', everyMs: EVERY_MS, taskQueue });
      const [onA] = await completed(1);
      assert.ok(onA);

      // The next check is mid-activity when A stops: its GET of the flow takes 3 s.
      const fault = await h.emu.control.fault({
        method: 'GET',
        path: `^/data/foundation/flowservice/flows/${onboarding.ids.flowId}$`,
        kind: 'latency',
        latencyMs: 3_000,
      });
      await eventually(
        () => h.emu.control.faults(),
        (f) => !f.some((x) => x.id === fault),
        30_000,
      );
      const inFlight = (await runs()).find((r) => r.status === 'RUNNING');
      assert.ok(inFlight, 'a check is in flight');
      a.shutdown();
      await runningA;
      // A rolling restart: the old worker gone, the new one on the same task queue.
      b = await worker(B, next);
      runningB = b.run();

      const carried = (await inFlight.handle.result()) as DriftCheckResult;
      const onB = await eventually(
        async () => (await completed(3)).filter((r) => r.workflowId !== onA.workflowId),
        (r) => r.some((x) => x.workflowId !== inFlight.workflowId),
        30_000,
      );
      const newRun = onB.find((x) => x.workflowId !== inFlight.workflowId)!;
      const finished = await inFlight.handle.fetchHistory();
      const checked = (await newRun.handle.result()) as DriftCheckResult;

      // Each ran where it should: the first on A, the one in flight started on A and finished on B, the new on B.
      assert.deepEqual([...new Set(taskWorkers(onA.history))], [A]);
      assert.equal(taskWorkers(finished)[0], A);
      assert.equal(taskWorkers(finished).at(-1), B);
      assert.deepEqual([...new Set(taskWorkers(newRun.history))], [B]);
      // The old runs took the old path (B replayed the one in flight without the step), the new run the patched one.
      assert.deepEqual(patchesIn(onA.history), []);
      assert.deepEqual(patchesIn(finished), []);
      assert.equal(has(finished, E.EVENT_TYPE_WORKFLOW_TASK_FAILED), false, 'no nondeterminism on B');
      assert.equal(has(finished, E.EVENT_TYPE_TIMER_STARTED), false);
      assert.deepEqual(patchesIn(newRun.history), [NEXT_STEP_PATCH]);
      assert.equal(has(newRun.history, E.EVENT_TYPE_TIMER_STARTED), true);
      // Both checks succeeded and saw the onboarding as it is.
      for (const r of [carried, checked]) {
        const mine = r.onboardings.find((o) => o.workflowId === onboarding.workflowId);
        assert.deepEqual([r.drift, mine?.drift, mine?.health], ['none', 'none', 'healthy']);
      }

      // Replay: the histories A wrote, and B's own, replay on B's code; A's fails on the change without patched().
      for await (const r of Worker.runReplayHistories({ workflowBundle: next }, [
        { workflowId: onA.workflowId, history: onA.history },
        { workflowId: inFlight.workflowId, history: finished },
        { workflowId: newRun.workflowId, history: newRun.history },
      ]))
        assert.equal(r.error, undefined, `${r.workflowId}: ${String(r.error)}`);
      await assert.rejects(
        Worker.runReplayHistory({ workflowBundle: unpatched }, onA.history, onA.workflowId),
        DeterminismViolationError,
      );
    } finally {
      await schedule.delete().catch(() => undefined);
      for (const w of [a, b]) if (w?.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled([runningA, runningB]);
    }
  });
});
