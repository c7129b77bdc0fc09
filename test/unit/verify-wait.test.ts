// The onboarding's verify step on the time-skipping server: the samples are posted once, then the workflow checks
// with durable timers between its checks. The real activities run over the in-memory AEP fake, whose clock is the
// server's (skipped) time: the fake counts a posted event only `countDelayMs` after it was posted, as AEP lands a
// streamed record and aggregates the run metrics minutes later. Minutes of waiting cost no wall time.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import type { VerificationFailureDetails } from '../../src/shared/contracts/lifecycle';
import type { OnboardingFailureDetails } from '../../src/shared/onboarding';
import { onboardStreamingSource } from '../../src/workflows/onboarding';
import { fakeActivities, type FakeAep } from '../support/fake-aep';
import { rejection } from '../support/failures';
import {
  assertNewestFirst,
  UNDONE_NEWEST_FIRST,
  workflowBundle,
  installQuietRuntime,
} from '../support/onboarding';
import { createTimeSkippingEnv, uniqueName } from '../support/temporal';

const MINUTE = 60_000;
const UNDONE = UNDONE_NEWEST_FIRST;

/**
 * A time-skipping server and a worker whose activities are the real ones over one FakeAep, its clock set to the
 * server's time at each activity's scheduling. One server per suite: after a long run this server may stop skipping
 * time for the next (see test/unit/workflows.test.ts).
 */
function useVerifyWorker(countDelayMs: number) {
  const ctx: { env?: TestWorkflowEnvironment; fake?: FakeAep; calls: Array<keyof Activities> } = {
    calls: [],
  };
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('unit-verify');
  before(async () => {
    installQuietRuntime();
    ctx.env = await createTimeSkippingEnv();
    const { fake, activities } = fakeActivities();
    fake.countDelayMs = countDelayMs;
    ctx.fake = fake;
    const clocked = Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        (input: unknown) => {
          const at = Context.current().info.currentAttemptScheduledTimestampMs;
          fake.now = () => at;
          ctx.calls.push(name as keyof Activities);
          return (fn as (i: unknown) => Promise<unknown>)(input);
        },
      ]),
    ) as Activities;
    worker = await Worker.create({
      connection: ctx.env.nativeConnection,
      namespace: ctx.env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: clocked,
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
    await ctx.env?.teardown();
  });
  const start = () =>
    ctx.env!.client.workflow.start(onboardStreamingSource, {
      taskQueue,
      workflowId: uniqueName('onboard-verify'),
      args: [{ source: 'chatlio', name: uniqueName('Verify'), verify: true }],
    });
  return { ctx, start };
}

const samples = Object.keys(chatlioSamples).sort();

/**
 * Workflow time from the run's start to its close, from the server. (The test server's clock after a result is no
 * measure: once the run has closed it may skip far ahead.)
 */
async function workflowTime(handle: { describe(): Promise<{ startTime: Date; closeTime?: Date }> }) {
  const d = await handle.describe();
  return d.closeTime!.getTime() - d.startTime.getTime();
}

describe('verify waits with timers: a 10 minute aggregation delay passes', { timeout: 60_000 }, () => {
  const { ctx, start } = useVerifyWorker(10 * MINUTE);

  it('posts each sample once, checks until AEP counts them, and completes without an undo', async () => {
    const handle = await start();
    const result = await handle.result();
    assert.deepEqual(result.verified?.samples.sort(), samples);
    const fake = ctx.fake!;
    assert.equal(fake.callsOf('inlet.postToWebhook').length, samples.length, 'each sample posted once');
    const checks = ctx.calls.filter((c) => c === 'checkVerifySamples').length;
    // 0, 5, 15, 35, 75, 135 s, then every 60 s: about 14 checks to reach 10 minutes, far fewer than 1 per second.
    assert.ok(checks >= 10 && checks <= 20, `checks: ${checks}`);
    assert.equal(ctx.calls.filter((c) => c === 'postVerifySamples').length, 1);
    const took = await workflowTime(handle);
    assert.ok(took >= 10 * MINUTE && took < 12 * MINUTE, `workflow time ${took} ms`);
    assert.deepEqual(
      ctx.calls.filter((c) => c.startsWith('remove')),
      [],
    );
  });
});

describe(
  'verify waits with timers: a 20 minute delay fails at the 15 minute default deadline',
  { timeout: 60_000 },
  () => {
    const { ctx, start } = useVerifyWorker(20 * MINUTE);

    it('fails as timed out, and the onboarding undoes what it created, newest first', async () => {
      const handle = await start();
      const err = await rejection(handle.result(), WorkflowFailedError);
      const took = await workflowTime(handle);
      assert.ok(took >= 15 * MINUTE && took < 16 * MINUTE, `workflow time ${took} ms`);

      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'OnboardingFailed');
      const details = err.cause.details?.[0] as OnboardingFailureDetails;
      assert.equal(details.failedStep, 'verify');
      assert.match(details.reason, /Verification timed out after 15 min/);
      assertNewestFirst(
        details.undone.map((u) => u.step),
        UNDONE,
      );
      assert.deepEqual(details.left, []);
      assert.match(
        err.cause.message,
        /timed out.*Undone: flow, (targetConnection, mappingSet|mappingSet, targetConnection)/,
      );

      // The verify step's own failure, in the chain: what was and was not counted.
      let inner: unknown = err.cause.cause;
      while (
        inner instanceof Error &&
        !(inner instanceof ApplicationFailure && inner.type === 'VerificationFailed')
      )
        inner = inner.cause;
      assert.ok(inner instanceof ApplicationFailure, 'the VerificationFailed cause');
      const verify = inner.details?.[0] as VerificationFailureDetails;
      assert.equal(verify.timedOut, true);
      assert.ok(
        verify.waitedMs! >= 15 * MINUTE && verify.waitedMs! < 16 * MINUTE,
        `waited ${verify.waitedMs} ms`,
      );
      assert.deepEqual(verify.landed, []);
      assert.match(verify.failed[0]!.reason, /not counted .* within 15 min/);

      const fake = ctx.fake!;
      assert.equal(fake.callsOf('inlet.postToWebhook').length, samples.length, 'each sample posted once');
      for (const c of ['fieldgroups', 'schemas', 'datasets', 'mappingSets', 'flows'] as const)
        assert.deepEqual(fake.all(c), [], `${c} left in the fake`);
    });
  },
);
