// The sandbox is resolved once, by the client (issue 11): a CLI with AEP_SANDBOX=dev and a worker whose own
// AEP_SANDBOX is prod onboard into dev, and the workflow id, the result, the search attribute and the emulator's
// resources all agree; so do plan and the day-two commands. Also: no emulator org outside the dev setup.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../../src/cli/main';
import { AepSandbox } from '../../src/shared/search-attributes';
import {
  cli,
  type CliErrorDoc,
  type PlanDoc,
  type ResultDoc,
  type StatusDoc,
  type ListDoc,
  type TeardownDoc,
  type UpdateDoc,
  type VerifyDoc,
} from '../support/cli';
import { createHandMadeFlow } from '../support/lifecycle';
import { useHarness, resourcesIn } from '../support/onboarding';

describe('one sandbox per onboarding, resolved by the client', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: { AEP_SANDBOX: 'dev' } });

  it('start, plan, status, runs, list, update, disable, enable, verify, result and teardown with AEP_SANDBOX=dev act on dev, whatever the worker says', async () => {
    await h.emu.control.reset();
    // The harness's worker uses an AEP client whose own sandbox is prod (its AEP_SANDBOX).
    assert.equal(h.aep.config.sandbox, 'prod');
    await h.withWorker(async (tq) => {
      const plan = await cli('plan', 'Sandboxed', '--task-queue', tq, '--json');
      assert.equal(plan.json<PlanDoc>().plan.sandbox, 'dev', plan.out);
      assert.match(plan.json<PlanDoc>().plan.workflowId, /^onboard-chatlio-dev-/);

      const started = await cli('start', 'Sandboxed', '--task-queue', tq, '--json');
      assert.equal(started.code, EXIT.ok, started.out + started.err);
      const result = started.json<ResultDoc>().result;
      assert.match(result.workflowId, /^onboard-chatlio-dev-sandboxed-/);
      assert.equal(result.sandbox, 'dev');
      const desc = await h.env.client.workflow.getHandle(result.workflowId).describe();
      assert.deepEqual(desc.typedSearchAttributes.get(AepSandbox), 'dev');
      assert.equal(Object.keys(await resourcesIn(h.emu, 'prod')).length, 0, 'nothing in prod');
      assert.equal((await resourcesIn(h.emu, 'dev')).flows?.length, 1, 'the flow is in dev');

      const status = await cli('status', 'Sandboxed', '--task-queue', tq, '--json');
      assert.equal(status.code, EXIT.ok, status.out + status.err);
      assert.equal(status.json<StatusDoc>().result!.sandbox, 'dev');
      const runs = await cli('runs', 'Sandboxed', '--task-queue', tq, '--json');
      assert.equal(runs.code, EXIT.ok, runs.out + runs.err);

      // The day-two commands act on the run's own sandbox: what they change is in dev, and prod stays empty.
      const q = ['--task-queue', tq, '--json'];
      const flowInDev = async () =>
        (await resourcesIn(h.emu, 'dev')).flows?.[0] as { name: string; state: string };
      const list = await cli('list', ...q);
      assert.equal(list.code, EXIT.ok, list.out + list.err);
      assert.equal(list.json<ListDoc>().find((r) => r.workflowId === result.workflowId)?.sandbox, 'dev');
      const update = await cli('update', 'Sandboxed', '--flow-name', 'Sandboxed (renamed)', ...q);
      assert.equal(update.code, EXIT.ok, update.out + update.err);
      assert.equal((await flowInDev()).name, 'Sandboxed (renamed)');
      const off = await cli('disable', 'Sandboxed', ...q);
      assert.deepEqual([off.code, off.json<UpdateDoc>().update.state], [EXIT.ok, 'disabled']);
      assert.equal((await flowInDev()).state, 'disabled');
      const on = await cli('enable', 'Sandboxed', ...q);
      assert.deepEqual([on.code, on.json<UpdateDoc>().update.state], [EXIT.ok, 'enabled']);
      const verify = await cli('verify', 'Sandboxed', ...q);
      assert.equal(verify.code, EXIT.ok, verify.out + verify.err);
      assert.ok(verify.json<VerifyDoc>().verify.landed.length > 0, verify.out);
      const res = await cli('result', 'Sandboxed', ...q);
      assert.equal(res.json<ResultDoc>().result.sandbox, 'dev');
      assert.equal(Object.keys(await resourcesIn(h.emu, 'prod')).length, 0, 'still nothing in prod');

      const teardown = await cli('teardown', 'Sandboxed', '--yes', '--task-queue', tq, '--json');
      assert.equal(teardown.code, EXIT.ok, teardown.out + teardown.err);
      assert.equal(teardown.json<TeardownDoc>().teardown.sandbox, 'dev');
      assert.deepEqual(await resourcesIn(h.emu, 'dev'), {});
    });
  });

  it('adopt with AEP_SANDBOX=dev adopts the flow in dev, and its teardown deletes there', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const hand = await createHandMadeFlow(h.emu, { sandbox: 'dev' });
      const q = ['--task-queue', tq, '--json'];
      const adopt = await cli('adopt', 'Sandboxed adopted', '--flow-id', hand.flowId, ...q);
      assert.equal(adopt.code, EXIT.ok, adopt.out + adopt.err);
      const adopted = adopt.json<ResultDoc>().result;
      assert.equal(adopted.sandbox, 'dev');
      assert.equal(adopted.ids.flowId, hand.flowId);
      const teardown = await cli('teardown', 'Sandboxed adopted', '--yes', ...q);
      assert.equal(teardown.code, EXIT.ok, teardown.out + teardown.err);
      assert.equal(teardown.json<TeardownDoc>().teardown.sandbox, 'dev');
      assert.equal((await resourcesIn(h.emu, 'dev')).flows, undefined, 'the adopted flow is gone from dev');
    });
  });

  it('outside the dev setup (Temporal not on loopback) AEP_ORG_ID is required, not the emulator org', async () => {
    const saved = { org: process.env.AEP_ORG_ID, address: process.env.TEMPORAL_ADDRESS };
    delete process.env.AEP_ORG_ID;
    process.env.TEMPORAL_ADDRESS = 'temporal.example.invalid:7233';
    try {
      const r = await cli('status', 'Anything', '--json');
      assert.equal(r.code, EXIT.usage, r.out);
      assert.match(r.json<CliErrorDoc>().error, /AEP_ORG_ID is not set/);
    } finally {
      process.env.AEP_ORG_ID = saved.org;
      process.env.TEMPORAL_ADDRESS = saved.address;
    }
  });
});
