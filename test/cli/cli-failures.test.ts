// `aep-onboard` on runs that did not complete, and on a task queue no worker polls: a real dev server, the emulator
// over HTTP, the CLI in-process through runCli.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { EXIT } from '../../src/cli/main';
import { cli } from '../helpers/cli';
import { createHarness, type Harness } from '../helpers/onboarding';

describe('aep-onboard on failed and unserved runs', { timeout: 300_000 }, () => {
  let h: Harness;
  const saved = { ...process.env };
  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    h = await createHarness();
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: h.env.address,
      TEMPORAL_NAMESPACE: 'default',
      AEP_ORG_ID: h.emu.options.orgId,
      AEP_SANDBOX: 'prod',
    });
    delete process.env.TEMPORAL_TASK_QUEUE;
    delete process.env.TEMPORAL_PROFILE;
  });
  after(async () => {
    process.env = saved;
    await h?.teardown();
  });

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
      const { workflowId } = started.json();
      await h.env.client.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);
      await h.emu.control.clearFaults();

      for (const command of ['result', 'watch']) {
        const json = await cli(command, 'CLI failed run', '--json');
        assert.equal(json.code, EXIT.runFailed, `${command}: ${json.out}${json.err}`);
        const doc = json.json();
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
        assert.equal(r.json().status, 'cancelled');
        assert.match(r.json().error, /cancelled/);
      }
      await h.emu.control.clearFaults();
    });
  });
});
