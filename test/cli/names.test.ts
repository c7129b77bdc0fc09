// One name, one onboarding (issue 10, bugs 5 and 6), on real parts: a Temporal dev server, the emulator over HTTP
// and a worker in this process; the CLI in-process through runCli, and starts "as the Web UI would" (any workflow
// id) through the client.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EXIT } from '../../src/cli/main';
import {
  cli,
  type CliErrorDoc,
  type PlanDoc,
  type ResultDoc,
  type RunFailureDoc,
  type StartedDoc,
  type StatusDoc,
  type TeardownDoc,
} from '../support/cli';
import { ONBOARDING_WORKFLOW_TYPE, onboardingWorkflowId } from '../../src/shared/naming';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { getProgressQuery } from '../../src/workflows/onboarding';
import { useHarness, resourcesIn } from '../support/onboarding';
import { uniqueName } from '../support/temporal';
import { createHandMadeFlow, eventually } from '../support/lifecycle';

/** Every id a completed onboarding recorded (the tenant is not a resource). */
function resourceIds(r: OnboardingResult): string[] {
  const { tenantId: _tenant, ...ids } = r.ids;
  return Object.values(ids).filter((v): v is string => typeof v === 'string' && v !== '');
}

describe('one name, one onboarding', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: {} });

  /** What the emulator holds, as one string: an id is there or it is not. */
  const held = async () => JSON.stringify(await resourcesIn(h.emu));
  /**
   * The same without flows: while the holder's own flow create is held, it may land at any moment (on a loaded
   * machine, during the refusals). A refused run would have made a source connection first, which this still sees.
   */
  const heldButFlows = async () => {
    const { flows: _flows, ...rest } = await resourcesIn(h.emu);
    return JSON.stringify(rest);
  };

  /** Starts as the Web UI or `temporal workflow start` would: an id of the user's choosing, the bare input. */
  const startAsUi = (tq: string, workflowId: string, name: string) =>
    h.env.client.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
      taskQueue: tq,
      workflowId,
      args: [{ source: 'chatlio', name }],
    });

  /** The run's failure, which must be a DuplicateOnboarding naming `holder`. */
  async function refusedFor(result: Promise<unknown>, holder: string): Promise<ApplicationFailure> {
    const err = await result.then(
      () => assert.fail('the second onboarding of one name completed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
    assert.equal(err.cause.type, 'DuplicateOnboarding');
    assert.ok(err.cause.message.includes(holder), err.cause.message);
    assert.equal((err.cause.details?.[0] as { workflowId: string }).workflowId, holder);
    return err.cause;
  }

  for (const [kept, removed] of [
    ['Chät 日本語', 'Chat 中文'],
    ['Ｃｈａｔ', 'Chat'],
  ] as const) {
    it(`"${kept}" and "${removed}" are two onboardings; a teardown of one leaves the other whole`, async () => {
      await h.emu.control.reset();
      await h.withWorker(async (tq) => {
        const q = ['--task-queue', tq, '--json'];
        const a = await cli('start', kept, ...q);
        assert.equal(a.code, EXIT.ok, a.out);
        const b = await cli('start', removed, ...q);
        assert.equal(b.code, EXIT.ok, b.out);
        const [first, second] = [a.json<ResultDoc>(), b.json<ResultDoc>()];
        assert.notEqual(first.workflowId, second.workflowId);
        assert.deepEqual([first.result.name, second.result.name], [kept, removed]);

        const status = await cli('status', kept, '--json');
        assert.equal(status.code, EXIT.ok);
        assert.equal(status.json<StatusDoc>().workflowId, first.workflowId);

        const teardown = await cli('teardown', removed, '--yes', ...q);
        assert.equal(teardown.code, EXIT.ok, teardown.out);
        assert.equal(teardown.json<TeardownDoc>().teardown.workflowId, second.workflowId);
        const state = await held();
        for (const id of resourceIds(first.result)) assert.ok(state.includes(id), `${kept}: ${id} kept`);
        for (const id of resourceIds(second.result)) assert.ok(!state.includes(id), `${removed}: ${id} gone`);
        assert.equal((await cli('status', kept, '--json')).json<StatusDoc>().lifecycle, 'completed');
      });
    });
  }

  it("a run under a name's derived id but of another name is not that name's: no teardown, no start over it", async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      // What a 48-bit name-hash collision would look like: "Other name" running under the id of "Colliding".
      const derived = onboardingWorkflowId({
        orgId: h.emu.options.orgId,
        sandbox: 'prod',
        source: 'chatlio',
        name: 'Colliding',
      });
      const other = (await (await startAsUi(tq, derived, 'Other name')).result()) as OnboardingResult;
      const q = ['--task-queue', tq, '--json'];
      const teardown = await cli('teardown', 'Colliding', '--yes', ...q);
      assert.equal(teardown.code, EXIT.notFound, teardown.out);
      const status = await cli('status', 'Colliding', '--json');
      assert.equal(status.code, EXIT.notFound, status.out);
      const start = await cli('start', 'Colliding', ...q);
      assert.notEqual(start.code, EXIT.ok, start.out);
      assert.match(start.json<CliErrorDoc>().error, /belongs to the onboarding "Other name"/);
      const state = await held();
      for (const id of resourceIds(other)) assert.ok(state.includes(id), `${id} kept`);
      assert.equal((await cli('status', 'Other name', '--json')).json<StatusDoc>().workflowId, derived);
    });
  });

  it('a second onboarding of one name under another workflow id is refused before any create, running or completed', async () => {
    await h.emu.control.reset();
    // The first run holds the name while its flow is being created.
    await h.emu.control.fault({
      method: 'POST',
      path: '/flowservice/flows$',
      kind: 'latency',
      latencyMs: 2000,
      count: 1,
    });
    await h.withWorker(async (tq) => {
      const q = ['--task-queue', tq, '--json'];
      const started = await cli('start', 'Held name', '--no-wait', ...q);
      assert.equal(started.code, EXIT.ok, started.out);
      const holder = started.json<StartedDoc>().workflowId;
      await eventually(
        () => h.env.client.workflow.getHandle(holder).query(getProgressQuery),
        (p) => p.steps.flow?.state === 'running',
      );
      const before = await heldButFlows();

      // Running: refused, and so is the same name in another spelling of its normal form.
      const running = await refusedFor((await startAsUi(tq, uniqueName('ui'), 'Held name')).result(), holder);
      assert.equal((running.details?.[0] as { lifecycle: string }).lifecycle, 'running');
      await refusedFor((await startAsUi(tq, uniqueName('ui'), '  Held   name ')).result(), holder);
      assert.equal(await heldButFlows(), before, 'a refused run creates nothing');

      const done = await cli('watch', holder, '--json');
      assert.equal(done.code, EXIT.ok, done.out);
      const afterFirst = await held();
      // Completed and not torn down: still refused.
      const completed = await refusedFor(
        (await startAsUi(tq, uniqueName('ui'), 'Held name')).result(),
        holder,
      );
      assert.equal((completed.details?.[0] as { lifecycle: string }).lifecycle, 'completed');
      assert.equal(await held(), afterFirst, 'a refused run creates nothing');
      assert.equal((await resourcesIn(h.emu)).flows?.length, 1);
      const status = await cli('status', 'Held name', '--json');
      assert.equal(
        status.json<StatusDoc>().workflowId,
        holder,
        'status finds the one onboarding of the name',
      );

      // Torn down, the name is free: the Web UI may onboard it, and then the CLI's own id is the one refused.
      assert.equal((await cli('teardown', 'Held name', '--yes', ...q)).code, EXIT.ok);
      const uiId = uniqueName('ui');
      const again = (await (await startAsUi(tq, uiId, 'Held name')).result()) as OnboardingResult;
      assert.equal(again.name, 'Held name');
      const cliAgain = await cli('start', 'Held name', ...q);
      assert.equal(cliAgain.code, EXIT.duplicate, cliAgain.out);
      assert.equal(cliAgain.json<RunFailureDoc>().type, 'DuplicateOnboarding');
      assert.ok(cliAgain.json<RunFailureDoc>().message.includes(uiId), cliAgain.out);
      const plan = await cli('plan', 'Held name', ...q);
      assert.equal(plan.code, EXIT.conflict, plan.out);
      assert.ok(
        plan.json<PlanDoc>().plan.conflict.some((i: { id?: string }) => i.id === uiId),
        JSON.stringify(plan.json<PlanDoc>().plan.conflict),
      );
      const holderStatus = await cli('status', 'Held name', '--json');
      assert.equal(
        holderStatus.json<StatusDoc>().workflowId,
        uiId,
        'the refused run under the derived id does not hide it',
      );
      assert.equal((await resourcesIn(h.emu)).flows?.length, 1);
    });
  });

  it('adopt claims the name too: refused while another onboarding holds it, accepted once that one is torn down', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const q = ['--task-queue', tq, '--json'];
      const uiId = uniqueName('ui');
      await (await startAsUi(tq, uiId, 'Adopt clash')).result();
      const hand = await createHandMadeFlow(h.emu);
      const refused = await cli('adopt', 'Adopt clash', '--flow-id', hand.flowId, ...q);
      assert.equal(refused.code, EXIT.duplicate, refused.out);
      assert.ok(refused.out.includes(uiId), refused.out);
      assert.equal((await cli('status', 'Adopt clash', '--json')).json<StatusDoc>().workflowId, uiId);

      const teardown = await cli('teardown', 'Adopt clash', '--yes', ...q);
      assert.equal(teardown.code, EXIT.ok, teardown.out);
      assert.equal(teardown.json<TeardownDoc>().teardown.workflowId, uiId);
      const adopted = await cli('adopt', 'Adopt clash', '--flow-id', hand.flowId, ...q);
      assert.equal(adopted.code, EXIT.ok, adopted.out);
      assert.equal(adopted.json<ResultDoc>().result.ids.flowId, hand.flowId);
    });
  });

  it('a failed (compensated) or cancelled run frees its name, and so does one terminated without releasing it', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      await h.emu.control.fault({
        method: 'POST',
        path: '/catalog/dataSets$',
        kind: 'status',
        status: 400,
        count: -1,
      });
      const failed = await startAsUi(tq, uniqueName('ui'), 'Fails then frees');
      await assert.rejects(failed.result(), (e: unknown) => {
        assert.ok(e instanceof WorkflowFailedError);
        assert.equal((e.cause as ApplicationFailure).type, 'OnboardingFailed');
        return true;
      });
      await h.emu.control.clearFaults();
      const retried = await cli('start', 'Fails then frees', '--task-queue', tq, '--json');
      assert.equal(retried.code, EXIT.ok, retried.out);

      // A terminated run never releases: the next claim finds its lock stale and takes the name.
      await h.emu.control.fault({
        method: 'POST',
        path: '/flowservice/flows$',
        kind: 'latency',
        latencyMs: 3000,
        count: 1,
      });
      const stuck = await startAsUi(tq, uniqueName('ui'), 'Terminated holder');
      await eventually(
        () => stuck.query(getProgressQuery),
        (p) => p.steps.flow?.state === 'running',
      );
      await stuck.terminate('test: a run that never releases its name');
      const next = await cli('start', 'Terminated holder', '--task-queue', tq, '--json');
      assert.equal(next.code, EXIT.ok, next.out);

      // A cancelled run releases after its undos.
      await h.emu.control.fault({
        method: 'POST',
        path: '/flowservice/flows$',
        kind: 'latency',
        latencyMs: 3000,
        count: 1,
      });
      const cancelled = await startAsUi(tq, uniqueName('ui'), 'Cancelled holder');
      await eventually(
        () => cancelled.query(getProgressQuery),
        (p) => p.steps.flow?.state === 'running',
      );
      await cancelled.cancel();
      await assert.rejects(cancelled.result());
      const afterCancel = await cli('start', 'Cancelled holder', '--task-queue', tq, '--json');
      assert.equal(afterCancel.code, EXIT.ok, afterCancel.out);
    });
  });
});
