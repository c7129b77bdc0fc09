// `aep-onboard` on runs that did not complete, and on a task queue no worker polls: a real dev server, the emulator
// over HTTP, the CLI in-process through runCli.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT, runCli } from '../../src/cli/main';
import { cli, type RunFailureDoc, type StartedDoc } from '../support/cli';
import { useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

describe('aep-onboard on failed and unserved runs', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: {} });

  it('result and watch on a failed run print the failure (exit 1), as one JSON document with --json', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      await h.emu.control.fault({
        method: 'POST',
        path: '/catalog/dataSets$',
        kind: 'status',
        status: 400,
        count: -1,
      });
      const started = await cli('start', 'CLI failed run', '--no-wait', '--task-queue', tq, '--json');
      assert.equal(started.code, EXIT.ok, started.out);
      const { workflowId } = started.json<StartedDoc>();
      await h.env.client.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);
      await h.emu.control.clearFaults();

      for (const command of ['result', 'watch']) {
        const json = await cli(command, 'CLI failed run', '--json');
        assert.equal(json.code, EXIT.runFailed, `${command}: ${json.out}${json.err}`);
        const doc = json.json<RunFailureDoc>();
        assert.equal(doc.status, 'failed', command);
        assert.equal(doc.workflowId, workflowId);
        assert.equal(doc.exitCode, EXIT.runFailed);
        assert.match(doc.error, /failed at dataset/, command);
        assert.equal(doc.type, 'AepValidationError', 'the innermost cause: the 400 of the dataset create');
        assert.equal(doc.details.failedStep, 'dataset');
        assert.ok(doc.details.undone.length >= 2, JSON.stringify(doc.details));
        assert.deepEqual(doc.details.left, []);

        const human = await cli(command, workflowId);
        assert.equal(human.code, EXIT.runFailed, command);
        assert.match(human.err, /Onboarding failed at dataset/, command);
        assert.match(human.err, /Undone \(newest first\): /, command);
      }
    });
  });

  it('result and watch on a cancelled run exit 6 with status cancelled', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      await h.emu.control.fault({
        method: 'POST',
        path: '/flowservice/targetConnections$',
        kind: 'latency',
        latencyMs: 3000,
      });
      const started = await cli('start', 'CLI cancelled run', '--no-wait', '--task-queue', tq, '--json');
      assert.equal(started.code, EXIT.ok, started.out);
      assert.equal((await cli('cancel', 'CLI cancelled run', '--json')).code, EXIT.cancelled);
      for (const command of ['result', 'watch']) {
        const r = await cli(command, 'CLI cancelled run', '--json');
        assert.equal(r.code, EXIT.cancelled, `${command}: ${r.out}`);
        assert.equal(r.json<RunFailureDoc>().status, 'cancelled');
        assert.match(r.json<RunFailureDoc>().error, /cancelled/);
      }
      await h.emu.control.clearFaults();
    });
  });

  it('start with no worker on the queue warns after the configured delay, names the queue, and keeps waiting', async () => {
    const tq = uniqueName('nobody-polls');
    const err: string[] = [];
    const out: string[] = [];
    process.env.AEP_ONBOARD_WORKER_WARNING_MS = '1500';
    const startedAt = Date.now();
    const running = runCli(['start', 'CLI unserved', '--task-queue', tq, '--json'], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    try {
      const warned = await waitUntil(() => err.some((l) => l.includes('No worker polls')), 20_000);
      assert.ok(warned, `no warning; stderr: ${err.join('\n')}`);
      assert.ok(Date.now() - startedAt >= 1500, 'not before the delay');
      const warning = err.find((l) => l.includes('No worker polls'))!;
      assert.ok(warning.includes(`"${tq}"`), warning);
      assert.match(warning, /npm run worker/);
      assert.match(warning, /Still waiting/);
      assert.deepEqual(out, [], 'stdout is kept for the one JSON document');

      // Still waiting: the run is there, running; it ends only when ended.
      let found: string[] = [];
      await waitUntil(
        () => found.length > 0,
        20_000,
        async () => {
          found = [];
          for await (const wf of h.env.client.workflow.list({ query: `TaskQueue = '${tq}'` }))
            found.push(wf.workflowId);
        },
      );
      assert.equal(found.length, 1);
      const handle = h.env.client.workflow.getHandle(found[0]!);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      await handle.terminate('test over');
    } finally {
      delete process.env.AEP_ONBOARD_WORKER_WARNING_MS;
      const code = await running;
      assert.equal(code, EXIT.runFailed, out.join('\n'));
    }
    assert.equal(err.filter((l) => l.includes('No worker polls')).length, 1, 'warned once');
  });
});

async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  refresh: () => Promise<void> = async () => undefined,
): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    await refresh();
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
