// The apply workflow's wait for approval on the time-skipping server, with its two activities faked: the plan is
// computed again on the timer while it waits, so a live change makes the hash shown stale and the `approve`
// Update's validator refuses it; `reject` ends the run with nothing applied.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { approveApply, rejectApply, StalePlanError } from '../../src/client/apply';
import type { DesiredPlan, PlanDesiredInput } from '../../src/shared/contracts/desired';
import type { DesiredState } from '../../src/shared/desired-state';
import { DESIRED_WORKFLOW_TYPES } from '../../src/shared/naming';
import type { applyDesiredState } from '../../src/workflows';
import { getApplyProgressQuery } from '../../src/workflows/apply';
import { workflowBundle } from '../support/onboarding';
import { createTimeSkippingEnv, uniqueName } from '../support/temporal';

const STATE: DesiredState = {
  version: 1,
  sandboxes: ['prod'],
  onboardings: [{ source: 'chatlio', name: 'Support chat', sandbox: 'prod' }],
};

describe('applyDesiredState: approval (time-skipping, fake activities)', { timeout: 60_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('unit-apply');
  /** What the fake plan reads as the live state: a change moves the hash. */
  let live = 1;
  let plans = 0;

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    env = await createTimeSkippingEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        validateDesiredState: () => Promise.resolve(STATE),
        computeDesiredPlan: (input: PlanDesiredInput): Promise<DesiredPlan> => {
          plans++;
          const e = input.state.onboardings[0]!;
          return Promise.resolve({
            hash: `live-${live}`,
            prune: false,
            entries: [{ action: 'create', workflowId: 'onboard-x', ...e, index: 0 }],
            summary: { create: 1, change: 0, delete: 0, noop: 0, conflict: 0, keep: 0 },
          });
        },
      },
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
    await env.teardown();
  });

  it('re-plans on its timer while waiting: the hash shown before a live change is refused; reject ends it', async () => {
    const handle = await env.client.workflow.start<typeof applyDesiredState>(DESIRED_WORKFLOW_TYPES.apply, {
      taskQueue,
      workflowId: uniqueName('aep-apply-unit'),
      args: [{ file: {}, replanEveryMs: 60_000 }],
    });
    // The query, not waitForPlan: awaiting a result lets the time-skipping server skip time at will.
    const hash = async () => (await handle.query(getApplyProgressQuery)).plan?.hash;
    assert.ok(await waitUntil(async () => (await hash()) === 'live-1'));
    assert.equal((await handle.query(getApplyProgressQuery)).phase, 'awaiting-approval');
    assert.equal(plans, 1);

    live = 2;
    await env.sleep('61s');
    // The timer's plan is the latest: the hash shown is refused by the validator, without a plan of its own.
    assert.ok(await waitUntil(async () => (await hash()) === 'live-2'), 'the timer planned again');
    const before = plans;
    await assert.rejects(approveApply(handle, 'live-1'), StalePlanError);
    assert.equal(plans, before, 'refused by the validator: no plan ran for it');

    await rejectApply(handle, 'not today');
    const result = await handle.result();
    assert.deepEqual([result.status, result.reports], ['rejected', []]);
  });
});

async function waitUntil(check: () => Promise<boolean>, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
