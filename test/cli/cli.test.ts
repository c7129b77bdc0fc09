// `aep-onboard` on real runs: a Temporal dev server, the emulator over HTTP and a worker in this process; the CLI
// is called in-process through runCli with captured output (and once as a child process), `--json` parsed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { EXIT } from '../../src/cli/main';
import type { VerificationFailureDetails } from '../../src/shared/contracts';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import {
  cli,
  cliAnswering,
  type CliErrorDoc,
  type ConnectionDoc,
  type ListDoc,
  type PlanDoc,
  type ResultDoc,
  type RunFailureDoc,
  type RunsDoc,
  type StatusDoc,
  type TeardownDoc,
  type UpdateDoc,
  type VerifyDoc,
} from '../support/cli';
import { useHarness, resourcesIn } from '../support/onboarding';
import { run, runTs } from '../support/processes';
import { createHandMadeFlow, eventually } from '../support/lifecycle';

const COMMANDS = [
  'start',
  'plan',
  'status',
  'watch',
  'list',
  'result',
  'cancel',
  'teardown',
  'update',
  'enable',
  'disable',
  'runs',
  'verify',
  'adopt',
  'connection',
  'doctor',
  'sources',
  'preset',
  'ui-link',
];
const SAMPLES = Object.keys(chatlioSamples);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('aep-onboard CLI', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: {} });

  it('has --help on every command; usage mistakes exit 2', async () => {
    for (const command of COMMANDS) {
      const r = await cli(command, '--help');
      assert.equal(r.code, EXIT.ok, command);
      assert.match(r.out, new RegExp(`Usage: aep-onboard ${command}`), command);
    }
    const top = await cli('--help');
    assert.equal(top.code, EXIT.ok);
    for (const command of COMMANDS) assert.match(top.out, new RegExp(`^  ${command} `, 'm'));
    assert.equal((await cli()).code, EXIT.usage);
    assert.equal((await cli('frobnicate')).code, EXIT.usage);
    assert.equal((await cli('update', 'x', '--bogus')).code, EXIT.usage);
    const noChange = await cli('update', 'x', '--partial-ingestion', '140', '--json');
    assert.equal(noChange.code, EXIT.usage);
    assert.match(noChange.json<CliErrorDoc>().error, /partialIngestionPercent/);
  });

  it('Temporal unreachable: exit 3 and how to start it', async () => {
    const address = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await closedPort()}`;
    try {
      const r = await cli('list', '--json');
      assert.equal(r.code, EXIT.temporalUnreachable);
      assert.match(r.json<CliErrorDoc>().error, /not reachable at 127\.0\.0\.1:\d+/);
      assert.match(r.json<CliErrorDoc>().error, /npm start/);
    } finally {
      process.env.TEMPORAL_ADDRESS = address;
    }
  });

  it('plan, start, status, result, watch, list; a duplicate name says which run holds it', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const plan = await cli('plan', 'CLI one', '--task-queue', tq, '--json');
      assert.equal(plan.code, EXIT.ok, plan.out);
      assert.equal(plan.json<PlanDoc>().plan.create.length, 7);

      const start = await cli('start', 'CLI one', '--task-queue', tq, '--json');
      assert.equal(start.code, EXIT.ok, start.out);
      const { workflowId, result } = start.json<ResultDoc>();
      assert.equal(start.json<ResultDoc>().status, 'completed');
      assert.match(result.webhookUrl, /\/collection\/[0-9a-f]{64}\?x-adobe-flow-id=/);

      const dup = await cli('start', 'CLI one', '--task-queue', tq, '--json');
      assert.equal(dup.code, EXIT.duplicate);
      const runId = (await h.env.client.workflow.getHandle(workflowId).describe()).runId;
      const dupError = dup.json<CliErrorDoc>().error;
      assert.ok(dupError.includes(workflowId) && dupError.includes(runId), dupError);
      assert.match(dupError, /Tear it down first/);

      const status = await cli('status', 'CLI one', '--json');
      assert.equal(status.code, EXIT.ok);
      assert.deepEqual(
        [status.json<StatusDoc>().lifecycle, status.json<StatusDoc>().progress!.phase],
        ['completed', 'completed'],
      );
      const human = await cli('status', 'CLI one');
      assert.match(human.out, /completed/);
      assert.match(human.out, /✓ flow/);

      const res = await cli('result', workflowId, '--json');
      assert.equal(res.code, EXIT.ok);
      assert.deepEqual(res.json<ResultDoc>().result, result);
      const watch = await cli('watch', 'CLI one', '--json');
      assert.equal(watch.code, EXIT.ok);
      assert.equal(watch.json<ResultDoc>().result.ids.flowId, result.ids.flowId);

      const list = await eventually(
        () => cli('list', '--json'),
        (r) => r.json<ListDoc>().some((x) => x.workflowId === workflowId),
      );
      const row = list.json<ListDoc>().find((x) => x.workflowId === workflowId)!;
      assert.deepEqual(
        [row.name, row.lifecycle, row.sandbox, row.source],
        ['CLI one', 'completed', 'prod', 'chatlio'],
      );

      const taken = await cli('plan', 'CLI one', '--task-queue', tq, '--json');
      assert.equal(taken.code, EXIT.conflict);
      assert.ok(taken.json<PlanDoc>().plan.conflict.some((i) => i.step === 'onboarding'));
      assert.equal((await cli('status', 'No such onboarding', '--json')).code, EXIT.notFound);
    });
  });

  it('update, disable, enable, runs and verify; a dropped required field fails verify with exit 8', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      assert.equal((await cli('start', 'CLI two', '--task-queue', tq, '--json')).code, EXIT.ok);
      const q = ['--task-queue', tq, '--json'];
      const update = await cli(
        'update',
        'CLI two',
        '--flow-name',
        'CLI two (renamed)',
        '--error-diagnostics',
        'on',
        ...q,
      );
      assert.equal(update.code, EXIT.ok, update.out);
      assert.deepEqual(update.json<UpdateDoc>().update.changed.sort(), [
        '/name',
        '/options/errorDiagnosticsEnabled',
      ]);
      const flows = (await resourcesIn(h.emu)).flows as Array<{ name: string; state: string }>;
      assert.equal(flows[0]!.name, 'CLI two (renamed)');

      const off = await cli('disable', 'CLI two', ...q);
      assert.deepEqual([off.code, off.json<UpdateDoc>().update.state], [EXIT.ok, 'disabled']);
      assert.equal(((await resourcesIn(h.emu)).flows![0] as { state: string }).state, 'disabled');
      const on = await cli('enable', 'CLI two', ...q);
      assert.deepEqual([on.code, on.json<UpdateDoc>().update.state], [EXIT.ok, 'enabled']);

      const verify = await cli('verify', 'CLI two', ...q);
      assert.equal(verify.code, EXIT.ok, verify.out);
      assert.deepEqual(verify.json<VerifyDoc>().verify.landed, SAMPLES);
      const runs = await cli('runs', 'CLI two', ...q);
      assert.equal(runs.code, EXIT.ok);
      assert.equal(runs.json<RunsDoc>().runs.totals.outputRecords, SAMPLES.length);

      const drop = await cli('update', 'CLI two', '--drop-mapping', '_id', ...q);
      assert.equal(drop.code, EXIT.ok, drop.out);
      assert.ok(drop.json<UpdateDoc>().update.changed.includes('mappingSet'));
      const bad = await cli('verify', 'CLI two', '--timeout', '5', ...q);
      assert.equal(bad.code, EXIT.notVerified, bad.out);
      assert.equal(bad.json<CliErrorDoc>().type, 'VerificationFailed');
      assert.equal(bad.json<CliErrorDoc<VerificationFailureDetails>>().details.failed.length, SAMPLES.length);
      const humanRuns = await cli('runs', 'CLI two', '--task-queue', tq);
      assert.match(humanRuns.out, /✗ .* failed/);
      assert.match(humanRuns.out, /_id/);
    });
  });

  it('adopt a hand-made flow, tear it down, the name is free again; a torn-down onboarding refuses updates', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const hand = await createHandMadeFlow(h.emu);
      const q = ['--task-queue', tq, '--json'];
      const adopt = await cli('adopt', 'CLI adopted', '--flow-id', hand.flowId, ...q);
      assert.equal(adopt.code, EXIT.ok, adopt.out);
      assert.equal(adopt.json<ResultDoc>().result.ids.flowId, hand.flowId);
      const again = await cli('adopt', 'CLI adopted', '--flow-id', hand.flowId, ...q);
      assert.equal(again.code, EXIT.duplicate);
      // The same flow under another name: one flow, one record (two would tear down the same resources).
      const twice = await cli('adopt', 'CLI adopted again', '--flow-id', hand.flowId, ...q);
      assert.notEqual(twice.code, EXIT.ok, twice.out);
      assert.equal(twice.json<CliErrorDoc>().type, 'NotAdoptable');
      assert.match(
        twice.json<CliErrorDoc>().error,
        /managed already by the adopted onboarding "CLI adopted"/,
      );

      // A teardown deletes: with no terminal to ask on it needs --yes; a person who answers no keeps everything.
      const flowsBefore = (await resourcesIn(h.emu)).flows;
      const unconfirmed = await cli('teardown', 'CLI adopted', ...q);
      assert.equal(unconfirmed.code, EXIT.usage, unconfirmed.out);
      assert.match(unconfirmed.out + unconfirmed.err, /--yes/);
      const declined = { yes: false, asked: [] as string[] };
      const no = await cliAnswering(declined, 'teardown', 'CLI adopted', '--task-queue', tq);
      assert.equal(no.code, EXIT.cancelled, no.err);
      assert.equal(declined.asked.length, 1);
      assert.ok(declined.asked[0]!.includes(`flow ${hand.flowId}`), declined.asked[0]);
      assert.ok(!declined.asked[0]!.includes('dataset'), 'a kept dataset is not listed');
      assert.deepEqual((await resourcesIn(h.emu)).flows, flowsBefore, 'nothing deleted');

      const teardown = await cli('teardown', 'CLI adopted', '--yes', ...q);
      assert.equal(teardown.code, EXIT.ok, teardown.out);
      assert.equal(teardown.json<TeardownDoc>().status, 'torn-down');
      assert.deepEqual(
        teardown.json<TeardownDoc>().teardown.outcomes.map((o) => o.outcome),
        ['deleted', 'deleted', 'deleted', 'deleted', 'kept', 'kept'],
      );
      const listed = await eventually(
        () => cli('list', '--json'),
        (r) => r.json<ListDoc>().some((x) => x.name === 'CLI adopted' && x.lifecycle === 'torn-down'),
      );
      assert.ok(listed.json<ListDoc>().some((x) => x.name === 'CLI adopted' && x.lifecycle === 'torn-down'));
      const refused = await cli('update', 'CLI adopted', '--flow-name', 'x', ...q);
      assert.equal(refused.code, EXIT.notFound);
      assert.match(refused.json<CliErrorDoc>().error, /torn-down/);

      const restart = await cli('start', 'CLI adopted', ...q);
      assert.equal(restart.code, EXIT.ok, restart.out);
      assert.equal(
        restart.json<ResultDoc>().workflowId,
        adopt.json<ResultDoc>().workflowId,
        'same name, same workflow id, new run',
      );
    });
  });

  it('cancel exits 6; a failed run exits 1 with what was undone; an AEP 403 names the permission and sandbox (9)', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const q = ['--task-queue', tq, '--json'];
      await h.emu.control.fault({
        method: 'POST',
        path: '/flowservice/targetConnections$',
        kind: 'latency',
        latencyMs: 3000,
      });
      const started = await cli('start', 'CLI cancel', '--no-wait', ...q);
      assert.equal(started.code, EXIT.ok);
      const cancel = await cli('cancel', 'CLI cancel', ...q);
      assert.equal(cancel.code, EXIT.cancelled, cancel.out);
      assert.equal(cancel.json<RunFailureDoc>().status, 'cancelled');

      await h.emu.control.fault({
        method: 'POST',
        path: '/catalog/dataSets$',
        kind: 'status',
        status: 400,
        count: -1,
      });
      const failed = await cli('start', 'CLI fails', ...q);
      assert.equal(failed.code, EXIT.runFailed, failed.out);
      assert.equal(failed.json<RunFailureDoc>().details.failedStep, 'dataset');
      assert.ok(failed.json<RunFailureDoc>().details.undone.length >= 2);
      await h.emu.control.clearFaults();

      await h.emu.control.fault({
        method: 'POST',
        path: '/schemaregistry/tenant/schemas$',
        kind: 'status',
        status: 403,
        count: -1,
        body: {
          type: 'http://ns.adobe.com/aep/errors/XDM-1401-403',
          title: 'Forbidden',
          status: 403,
          detail: 'The user does not have the required permissions',
        },
      });
      const forbidden = await cli('start', 'CLI forbidden', ...q);
      assert.equal(forbidden.code, EXIT.aepAccess, forbidden.out);
      assert.match(forbidden.json<RunFailureDoc>().message, /'Manage Schemas'/);
      assert.match(forbidden.json<RunFailureDoc>().message, /sandbox "prod"/);
      await h.emu.control.clearFaults();

      assert.equal((await cli('start', 'CLI runs 403', ...q)).code, EXIT.ok);
      await h.emu.control.fault({
        method: 'GET',
        path: '/flowservice/runs$',
        kind: 'status',
        status: 403,
        count: -1,
        body: { type: 'https://ns.adobe.com/aep/errors/FLOW-2120-403', title: 'Forbidden', status: 403 },
      });
      const runs = await cli('runs', 'CLI runs 403', ...q);
      assert.equal(runs.code, EXIT.aepAccess, runs.out);
      assert.match(runs.json<CliErrorDoc>().error, /'View Sources' and 'Manage Sources' for sandbox "prod"/);
      await h.emu.control.clearFaults();
    });
  });

  it('base connection: update, and delete refused (7) while a flow uses it', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const hand = await createHandMadeFlow(h.emu, { baseConnection: true });
      const q = ['--task-queue', tq, '--json'];
      const update = await cli(
        'connection',
        'update',
        hand.baseConnectionId!,
        '--name',
        'Renamed account',
        ...q,
      );
      assert.equal(update.code, EXIT.ok, update.out);
      assert.deepEqual(update.json<ConnectionDoc<'update'>>().connection.changed, ['/name']);
      const refused = await cli('connection', 'delete', hand.baseConnectionId!, ...q);
      assert.equal(refused.code, EXIT.conflict, refused.out);
      assert.ok(refused.json<CliErrorDoc>().error.includes(hand.flowId));
    });
  });

  it('runs as a process: bin/aep-onboard.js lists as JSON, and a missing onboarding exits 5', async () => {
    const env = {
      TEMPORAL_ADDRESS: h.env.address,
      TEMPORAL_NAMESPACE: h.env.namespace ?? 'default',
      AEP_ORG_ID: h.emu.options.orgId,
    };
    const list = run(process.execPath, ['bin/aep-onboard.js', 'list', '--json'], env);
    const code = (await list.exited).code;
    assert.equal(code, EXIT.ok, list.output());
    const rows = JSON.parse(list.output().slice(list.output().indexOf('['))) as Array<{ workflowId: string }>;
    assert.ok(rows.length >= 5, `${rows.length} onboardings listed`);
    const missing = runTs('src/cli/main.ts', ['status', 'Never started', '--json'], env);
    assert.equal((await missing.exited).code, EXIT.notFound, missing.output());
  });
});
