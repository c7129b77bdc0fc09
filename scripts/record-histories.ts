// Records the event histories that test/workflows/replay.test.ts replays (determinism guard): a completed
// onboarding, one compensated after a failure, one cancelled midway, one verified (`verify: true`), and an HTTP API
// onboarding (base connection, verified); a plan of a desired-state file and two applies of it (auto-approved with
// a child onboarding; approved by the Update after a stale refusal, with a child update); a drift check and a
// reconcile; then one run of
// every other workflow type the worker exports (runs, update, plan, adopt, base connection, verify, teardown, and the
// name lock the teardown released): the replay test fails when a type has none. The `*-one-activity.json` histories
// and `*-before-lean.json` histories there are not made here (see the replay test). Re-run after an intended workflow change
// (`npx tsx scripts/record-histories.ts`) and commit the files; an
// unintended change fails the replay test instead. Names given as arguments (`… onboarding-http-api`) limit what is
// written to those histories, so a new one is added without re-recording the others.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import {
  adoptFlow,
  baseConnectionOperation,
  onboardingRuns,
  planOnboarding,
  teardownOnboarding,
  updateOnboarding,
  verifyOnboarding,
} from '../src/client/lifecycle';
import { nameLockWorkflowId } from '../src/shared/naming';
import { approveApply, planDesiredFile, startApply, waitForPlan } from '../src/client/apply';
import { getProgressQuery } from '../src/workflows/onboarding';
import { createHandMadeFlow, platform } from '../test/support/lifecycle';
import { createHarness, type Harness } from '../test/support/onboarding';

type Save = (
  name: string,
  handle: { fetchHistory(): Promise<Parameters<typeof historyToJSON>[0]> },
) => Promise<void>;

/** One run of each day-two workflow type, on the completed onboarding `workflowId` (torn down last). */
async function recordLifecycle(h: Harness, taskQueue: string, save: Save, workflowId: string): Promise<void> {
  const client = h.env.client;
  const orgId = h.emu.options.orgId;
  let started = '';
  const opts = { taskQueue, onStarted: (id: string) => void (started = id) };
  const saveStarted = (name: string) => save(name, client.workflow.getHandle(started));

  await onboardingRuns(client, { workflowId }, opts);
  await saveStarted('runs');
  await updateOnboarding(client, { workflowId, flowName: 'Replay renamed by update' }, opts);
  await saveStarted('update');
  await planOnboarding(
    client,
    { source: 'chatlio', name: 'Replay planned' },
    { ...opts, orgId, defaultSandbox: 'prod' },
  );
  await saveStarted('plan');

  // A hand-made flow adopted; another, under a base connection, has its base connection renamed.
  const hand = await createHandMadeFlow(h.emu, { title: 'Replay hand made' });
  await adoptFlow(
    client,
    { name: 'Replay adopted', source: 'chatlio', sandbox: 'prod', flowId: hand.flowId },
    { ...opts, orgId },
  );
  await saveStarted('adopt');
  const based = await createHandMadeFlow(h.emu, { title: 'Replay based', baseConnection: true });
  await baseConnectionOperation(
    client,
    { sandbox: 'prod', connectionId: based.baseConnectionId!, op: 'update', name: 'Replay account' },
    opts,
  );
  await saveStarted('base-connection-update');

  // Today's verify (the waiting in the workflow; verify-one-activity.json is the older code's).
  await verifyOnboarding(client, { workflowId }, opts);
  await saveStarted('verify');
  await teardownOnboarding(client, { workflowId }, opts);
  await saveStarted('teardown');
  // The teardown released the onboarding's name: its lock workflow has ended.
  const lock = client.workflow.getHandle(
    nameLockWorkflowId({ orgId, sandbox: 'prod', source: 'chatlio', name: 'Replay completed' }),
  );
  await lock.result();
  await save('name-lock', lock);
}

const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
/**
 * The desired-state types: a plan of a file, an apply auto-approved (a child onboarding), and an apply approved by
 * the Update after a stale refusal (the flow changed after the plan was shown; the handler's re-plan saw it), with a
 * child update.
 */
async function recordDesiredState(h: Harness, taskQueue: string, save: Save): Promise<void> {
  const opts = { orgId: h.emu.options.orgId, taskQueue };
  const entry = { source: 'chatlio', name: 'Replay applied' };
  const file = { version: 1, sandbox: 'prod', onboardings: [entry] };
  await planDesiredFile(h.env.client, { file }, { ...opts, workflowId: 'aep-plan-replay' });
  await save('plan-file', h.env.client.workflow.getHandle('aep-plan-replay'));
  const created = await startApply(h.env.client, { file, autoApprove: true }, opts);
  await created.result();
  await save('apply-auto-approved', created);
  const changed = { ...file, onboardings: [{ ...entry, description: 'Applied' }] };
  const apply = await startApply(h.env.client, { file: changed }, opts);
  const shown = (await waitForPlan(apply))!.plan!;
  const flowId = shown.entries[0]!.ids!.flowId;
  const flow = await h.aep.flowService.get('flows', flowId);
  await h.aep.flowService.patch(
    'flows',
    flowId,
    [{ op: 'replace', path: '/name', value: 'Renamed' }],
    flow.etag,
  );
  await approveApply(apply, shown.hash).catch(() => undefined);
  await approveApply(apply, (await waitForPlan(apply))!.plan!.hash);
  await apply.result();
  await save('apply-approved', apply);
}

const ONLY = new Set(process.argv.slice(2));

async function main(): Promise<void> {
  const h = await createHarness();
  try {
    await h.withWorker(async (tq) => {
      const save: Save = async (name, handle) => {
        if (ONLY.size && !ONLY.has(name)) return;
        const json = historyToJSON(await handle.fetchHistory());
        writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
        console.log(`wrote ${name}.json`);
      };

      const ok = await h.start(tq, { source: 'chatlio', name: 'Replay completed' });
      await ok.handle.result();
      await save('onboarding-completed', ok.handle);

      // The verification's post, checks and timers: one check before the record landed, one after.
      await h.emu.control.setIngestion({ landingDelayMs: 2_000 });
      const verified = await h.start(tq, { source: 'chatlio', name: 'Replay verified', verify: true });
      await verified.handle.result();
      await save('onboarding-verified', verified.handle);
      await h.emu.control.setIngestion({ landingDelayMs: 0 });

      // HTTP API: the base connection before the source connection (patch `base-connection-step`), its inlet.
      const httpApi = await h.start(tq, { source: 'http-api', name: 'Replay HTTP API', verify: true });
      await httpApi.handle.result();
      await save('onboarding-http-api', httpApi.handle);

      await h.emu.control.fault({
        method: 'POST',
        path: '^/data/foundation/flowservice/flows$',
        kind: 'status',
        status: 400,
        count: 1,
      });
      const failed = await h.start(tq, { source: 'chatlio', name: 'Replay compensated' });
      await failed.handle.result().catch(() => undefined);
      await save('onboarding-compensated', failed.handle);

      await h.emu.control.fault({
        method: 'POST',
        path: '^/data/foundation/flowservice/targetConnections$',
        kind: 'latency',
        latencyMs: 2000,
        count: 1,
      });
      const cancelled = await h.start(tq, { source: 'chatlio', name: 'Replay cancelled' });
      for (let i = 0; i < 100; i++) {
        const p = await cancelled.handle.query(getProgressQuery);
        if (p.steps.targetConnection?.state === 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await cancelled.handle.cancel();
      await cancelled.handle.result().catch(() => undefined);
      await save('onboarding-cancelled', cancelled.handle);

      await recordDesiredState(h, tq, save);

      // The drift check (hook activity included: no hook configured answers false) and a reconcile of the completed
      // onboarding whose flow was deleted behind its back.
      const done = await ok.handle.result();
      const { call } = await platform(h.emu);
      await call('DELETE', `/flowservice/flows/${done.ids.flowId}`);
      const check = await h.env.client.workflow.start('checkDrift', {
        taskQueue: tq,
        workflowId: 'replay-drift-check',
        args: [{ orgId: h.emu.options.orgId, sandbox: 'prod', workflowId: done.workflowId, notify: true }],
      });
      await check.result();
      await save('drift-check', check);
      const reconcile = await h.env.client.workflow.start('reconcileOnboarding', {
        taskQueue: tq,
        workflowId: `${done.workflowId}--reconcile`,
        args: [{ workflowId: done.workflowId }],
      });
      await reconcile.result();
      await save('reconcile', reconcile);

      await recordLifecycle(h, tq, save, ok.handle.workflowId);
    });
  } finally {
    await h.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
