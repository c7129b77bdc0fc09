// Drift and health on real servers: a Temporal dev server running the sandbox's drift schedule (a short interval),
// the emulator over HTTP, a worker whose notification hook is a loopback HTTP server of this test. Behind the tool's
// back a flow is deleted and a mapping edited: the next scheduled check reports it, reconcile restores both (new
// flow, new webhook URL, said plainly), teardown deletes the new resources. A failing run turns the onboarding
// degraded (the hook called once), a good run later turns it healthy (called again).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import {
  ensureDriftSchedule,
  latestDriftCheck,
  reconcileOnboarding,
  runDriftCheck,
} from '../../src/client/drift';
import { planDesiredFile, startApply } from '../../src/client/apply';
import { readOnboardingRecord, teardownOnboarding } from '../../src/client/lifecycle';
import { startOnboarding } from '../../src/client/onboarding';
import type { DriftCheckResult, NotifyEvent, ReconcileResult } from '../../src/shared/contracts/drift';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import type { FlowBody, FlowList, MappingSetBody } from '../support/aep-bodies';
import { cli, useCliEnv } from '../support/cli';
import { eventually, platform } from '../support/lifecycle';
import { buildWorkerOnce } from '../support/infra';
import { startWorkerProcess } from '../support/processes';
import { resourcesIn, useHarness, workflowBundle } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

/** Short enough for a test, long enough that a check (a handful of GETs) ends well inside it. */
const EVERY_MS = 2_000;
const WATCHED = { source: 'chatlio', name: 'Drift watched' };

describe('drift and health (schedule, hook, reconcile)', { timeout: 240_000 }, () => {
  const h = useHarness();
  // A suite of its own, so its worker stops (its after hook) before the harness's server does.
  describe('on a worker with a notification hook', () => suite(h));
});

function suite(h: ReturnType<typeof useHarness>): void {
  let hook: Server;
  let hookUrl = '';
  const received: NotifyEvent[] = [];
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('tq-drift');
  const orgId = () => h.emu.options.orgId;

  let restoreEnv: () => void = () => undefined;
  before(async () => {
    restoreEnv = useCliEnv(h);
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as NotifyEvent);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/aep?token=in-the-url`;
    worker = await createOnboardingWorker({
      connection: h.env.nativeConnection,
      namespace: h.env.namespace ?? 'default',
      taskQueue,
      aep: h.aep,
      presets: h.presets,
      notifyUrl: hookUrl,
      tuning: { workflowBundle: await workflowBundle() },
    });
    running = worker.run();
  });
  after(async () => {
    restoreEnv();
    await h.env.client.schedule
      .getHandle(`aep-drift-${orgId()}-prod`)
      .delete()
      .catch(() => undefined);
    worker?.shutdown();
    await running;
    await new Promise((r) => hook.close(r));
  });

  const latestReconcile = (id: string) =>
    h.env.client.workflow.getHandle(`${id}--reconcile`).result() as Promise<ReconcileResult>;

  /** The first scheduled check that ends after `since` (the schedule runs every EVERY_MS). */
  async function nextCheck(since: number): Promise<DriftCheckResult> {
    const r = await eventually(
      () => latestDriftCheck(h.env.client, orgId(), 'prod'),
      (c) => c !== undefined && c.checkedAt > since,
      60_000,
    );
    assert.ok(r && r.checkedAt > since, 'no scheduled check completed');
    return r;
  }

  let onboarding: OnboardingResult;

  it('reports a deleted flow and an edited mapping at the next scheduled check, without a perpetual diff', async () => {
    // Under the id `start` derives from the name, so that an apply of the file it came from finds it.
    const { handle } = await startOnboarding(h.env.client, WATCHED, {
      orgId: orgId(),
      defaultSandbox: 'prod',
      taskQueue,
    });
    onboarding = await handle.result();
    const schedule = await ensureDriftSchedule(h.env.client, {
      orgId: orgId(),
      sandbox: 'prod',
      everyMs: EVERY_MS,
      taskQueue,
    });
    assert.equal(schedule.created, true);
    // Idempotent: the same options again update the schedule in place.
    assert.equal(
      (
        await ensureDriftSchedule(h.env.client, {
          orgId: orgId(),
          sandbox: 'prod',
          everyMs: EVERY_MS,
          taskQueue,
        })
      ).created,
      false,
    );

    const clean = await nextCheck(Date.now());
    const mine = clean.onboardings.find((o) => o.workflowId === onboarding.workflowId);
    assert.deepEqual(
      { drift: mine?.drift, health: mine?.health, changed: mine?.changed },
      { drift: 'none', health: 'healthy', changed: [] },
      'a fresh onboarding has no drift (nothing AEP sets or masks counts)',
    );

    // Behind the tool's back: the flow deleted, a mapping edited (a new mapping set version).
    const { call, ok } = await platform(h.emu);
    assert.equal((await call('DELETE', `/flowservice/flows/${onboarding.ids.flowId}`)).status, 204);
    const set = ok(
      await call<MappingSetBody>('GET', `/conversion/mappingSets/${onboarding.ids.mappingSetId}`),
      'mapping set',
    );
    const edited = set.mappings.map((m, i) => (i === 0 ? { ...m, source: 'edited_in_the_ui' } : m));
    ok(
      await call('PUT', `/conversion/mappingSets/${set.id}`, { ...set, mappings: edited }),
      'edit the mapping',
    );

    const drifted = await nextCheck(Date.now());
    const d = drifted.onboardings.find((o) => o.workflowId === onboarding.workflowId)!;
    assert.equal(d.drift, 'missing');
    assert.deepEqual(d.missing, ['flow']);
    assert.ok(
      d.changed.some((c) => c.resource === 'mappingSet' && c.field === 'mappings'),
      JSON.stringify(d.changed),
    );
    assert.equal(drifted.drift, 'missing');
  });

  it('reconcile restores both, says the webhook URL changed, and records the new ids (teardown deletes them)', async () => {
    const before = received.length;
    // From the CLI, as a person runs it: drift says what differs (exit 7), reconcile says the URL changed.
    const drift = await cli('drift', 'Drift watched', '--json', '--task-queue', taskQueue);
    assert.equal(drift.code, 7, drift.err);
    const shown = drift.json<{ drift: DriftCheckResult }>().drift.onboardings[0]!;
    assert.deepEqual([shown.drift, shown.missing], ['missing', ['flow']]);
    const human = await cli('reconcile', 'Drift watched', '--task-queue', taskQueue);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /THE WEBHOOK URL CHANGED \(the dataflow was re-created\)/);
    const r = await latestReconcile(onboarding.workflowId);
    assert.equal(r.webhookUrlChanged, true);
    assert.notEqual(r.webhookUrl, onboarding.webhookUrl);
    assert.equal(r.previousWebhookUrl, onboarding.webhookUrl);
    assert.deepEqual(r.unresolved, []);
    assert.notEqual(r.ids.flowId, onboarding.ids.flowId);
    assert.deepEqual(r.actions.map((a) => `${a.resource}:${a.action}`).sort(), [
      'flow:recreated',
      'mappingSet:reapplied',
    ]);
    const { call } = await platform(h.emu);
    const flow = (await call<FlowList<FlowBody>>('GET', `/flowservice/flows/${r.ids.flowId}`)).body.items[0]!;
    assert.equal(
      Number(flow.transformations.find((t) => t.params?.mappingId)?.params?.mappingVersion),
      r.mappingVersion,
    );

    // The record now names the new flow: a one-off check (no hook) finds nothing to report.
    const record = await readOnboardingRecord(h.env.client, onboarding.workflowId);
    assert.equal(record?.result?.ids.flowId, r.ids.flowId);
    assert.equal(record?.result?.webhookUrl, r.webhookUrl);
    const now = await runDriftCheck(
      h.env.client,
      { orgId: orgId(), sandbox: 'prod', workflowId: onboarding.workflowId },
      { taskQueue },
    );
    assert.deepEqual(
      now.onboardings.map((o) => [o.drift, o.health, o.changed]),
      [['none', 'healthy', []]],
    );
    assert.deepEqual(now.notified, []);

    // The scheduled check sees it healthy again: the hook hears it (it heard "degraded" when the flow went).
    await nextCheck(Date.now());
    const events = await eventually(
      async () => received.filter((e) => e.workflowId === onboarding.workflowId),
      (e) => e.at(-1)?.event === 'healthy',
    );
    assert.deepEqual(
      events.map((e) => e.event),
      ['degraded', 'healthy'],
    );
    assert.ok(received.length > before);
    onboarding = { ...onboarding, ids: { ...onboarding.ids, ...r.ids }, webhookUrl: r.webhookUrl };

    // The next apply of the file the onboarding came from has nothing to do.
    const apply = await startApply(
      h.env.client,
      { file: { version: 1, sandbox: 'prod', onboardings: [WATCHED] }, autoApprove: true },
      { orgId: orgId(), taskQueue },
    );
    const applied = await apply.result();
    assert.equal(applied.status, 'nothing-to-do', JSON.stringify(applied.reports));
    assert.deepEqual([applied.summary.create, applied.summary.change, applied.summary.delete], [0, 0, 0]);
  });

  it('a failing run turns it degraded (hook called once), a good run later healthy (called again)', async () => {
    const mine = () => received.filter((e) => e.workflowId === onboarding.workflowId);
    const seen = mine().length;
    await h.emu.control.run({
      flowId: onboarding.ids.flowId,
      input: 3,
      output: 1,
      failed: 2,
      errors: [{ code: 'MAPPER-1001', message: 'a record did not map' }],
    });
    const degraded = await nextCheck(Date.now());
    const d = degraded.onboardings.find((o) => o.workflowId === onboarding.workflowId)!;
    assert.equal(d.health, 'degraded');
    const list = await cli('list', '--json');
    assert.equal(
      list
        .json<Array<{ workflowId: string; health?: string }>>()
        .find((o) => o.workflowId === onboarding.workflowId)?.health,
      'degraded',
    );
    assert.match((await cli('status', 'Drift watched')).out, /drift none, degraded/);
    assert.deepEqual(d.errors, [{ code: 'MAPPER-1001', message: 'a record did not map' }]);
    // Two more checks: still degraded, and the hook is not called again (state changes only).
    await nextCheck((await nextCheck(Date.now())).checkedAt);
    const afterFailure = mine().slice(seen);
    assert.deepEqual(
      afterFailure.map((e) => e.event),
      ['degraded'],
    );
    const body = JSON.stringify(afterFailure[0]);
    assert.ok(!body.includes('token') && !body.includes(h.emu.options.clientSecret), body);
    assert.ok(!body.includes(onboarding.webhookUrl), 'the webhook URL is not sent');

    // The next hour's run succeeds: healthy again, the hook called again.
    await h.emu.control.run({ flowId: onboarding.ids.flowId, input: 1, output: 1, windowsAhead: 1 });
    const healthy = await nextCheck(Date.now());
    assert.equal(healthy.onboardings.find((o) => o.workflowId === onboarding.workflowId)?.health, 'healthy');
    const events = await eventually(
      async () => mine().slice(seen),
      (e) => e.length >= 2,
    );
    assert.deepEqual(
      events.map((e) => e.event),
      ['degraded', 'healthy'],
    );
  });

  it('a deleted target connection means a new flow too; a failed re-create is compensated', async () => {
    // Under the id `start` derives from the name, as a file's entry is found by plan -f.
    const { handle } = await startOnboarding(
      h.env.client,
      { source: 'chatlio', name: 'Drift target' },
      { orgId: orgId(), defaultSandbox: 'prod', taskQueue },
    );
    const other = await handle.result();
    const { call } = await platform(h.emu);
    // AEP refuses to delete a connection an enabled flow uses: the person disabled the flow first.
    assert.equal(
      (await call('POST', `/flowservice/flows/${other.ids.flowId}/action?op=disable`)).status,
      200,
    );
    assert.equal(
      (await call('DELETE', `/flowservice/targetConnections/${other.ids.targetConnectionId}`)).status,
      204,
    );
    const targets = async () =>
      ((await resourcesIn(h.emu)).targetConnections ?? []).map((t) => (t as { id: string }).id);
    const before = await targets();
    await h.emu.control.fault({
      method: 'POST',
      path: '^/data/foundation/flowservice/flows$',
      kind: 'status',
      status: 400,
    });
    const failed = await cli('reconcile', 'Drift target', '--task-queue', taskQueue, '--json');
    assert.notEqual(failed.code, 0, failed.out);
    assert.deepEqual(await targets(), before, 'the re-created target connection was undone');

    const r = await reconcileOnboarding(h.env.client, { workflowId: other.workflowId }, { taskQueue });
    assert.deepEqual(
      r.actions.map((a) => `${a.resource}:${a.action}`),
      ['targetConnection:recreated', 'flow:recreated'],
    );
    assert.equal(r.webhookUrlChanged, true);
    const check = await runDriftCheck(
      h.env.client,
      { orgId: orgId(), sandbox: 'prod', workflowId: other.workflowId },
      { taskQueue },
    );
    assert.deepEqual(
      check.onboardings.map((o) => [o.drift, o.changed]),
      [['none', []]],
    );
    // And the file the onboarding came from plans no change.
    const plan = await planDesiredFile(
      h.env.client,
      { file: { version: 1, sandbox: 'prod', onboardings: [{ source: 'chatlio', name: 'Drift target' }] } },
      { orgId: orgId(), taskQueue },
    );
    assert.deepEqual([plan.summary.create, plan.summary.change], [0, 0], JSON.stringify(plan.entries));
    const td = await teardownOnboarding(h.env.client, { workflowId: other.workflowId }, { taskQueue });
    assert.deepEqual(td.left, []);
    assert.ok(
      !(await targets()).includes(r.ids.targetConnectionId),
      'teardown deleted the new target connection',
    );
  });

  it('the worker ensures the schedules AEP_DRIFT_SANDBOXES names at start-up, never printing the hook URL', async () => {
    // The compiled worker and its prebuilt bundle, as the image runs them.
    const { workerJs, bundlePath } = await buildWorkerOnce();
    const proc = startWorkerProcess(
      {
        temporalAddress: h.env.address,
        namespace: h.env.namespace ?? 'default',
        emulatorUrl: h.emu.url,
        credentials: h.emu.options,
        workerJs,
      },
      uniqueName('tq-drift-worker'),
      {
        WORKFLOW_BUNDLE_PATH: bundlePath,
        AEP_DRIFT_SANDBOXES: 'dev',
        AEP_DRIFT_EVERY: '45m',
        AEP_NOTIFY_URL: hookUrl,
      },
    );
    try {
      await proc.waitFor(/aep-onboarding worker: /);
      const desc = await h.env.client.schedule.getHandle(`aep-drift-${orgId()}-dev`).describe();
      assert.deepEqual(
        desc.spec.intervals?.map((i) => i.every),
        [45 * 60_000],
      );
      assert.ok(!proc.output().includes('in-the-url'), 'the hook URL (its token) is not logged');
      await h.env.client.schedule.getHandle(`aep-drift-${orgId()}-dev`).delete();
    } finally {
      await proc.kill('SIGKILL');
    }
  });

  it('teardown deletes the resources reconcile made', async () => {
    const td = await teardownOnboarding(h.env.client, { workflowId: onboarding.workflowId }, { taskQueue });
    assert.deepEqual(td.left, []);
    assert.equal(td.outcomes.find((o) => o.step === 'flow')?.id, onboarding.ids.flowId);
    const left = await resourcesIn(h.emu);
    assert.deepEqual(left.flows ?? [], []);
  });
}
