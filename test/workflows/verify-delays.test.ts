// Verification against an emulator that lands records late, over real HTTP, on the dev server: the workflow posts
// once and checks with timers until the record is counted, or fails at its deadline and undoes the onboarding.
// The delays are short (3 s); assertions are on outcomes (results, failure details, emulator state), not on time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { verifyOnboarding } from '../../src/client/lifecycle';
import { onboardingFailureDetails } from '../../src/client/onboarding';
import type { VerificationFailureDetails } from '../../src/shared/contracts/lifecycle';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import { rejection } from '../support/failures';
import { innermost } from '../support/lifecycle';
import { assertNewestFirst, resourcesIn, UNDONE_NEWEST_FIRST, useHarness } from '../support/onboarding';

const SAMPLES = Object.keys(chatlioSamples).sort();
const UNDONE = UNDONE_NEWEST_FIRST;

describe('verify over real HTTP with a landing delay', { timeout: 180_000 }, () => {
  const h = useHarness();

  /** Records land 3 s after the inlet's 200, and are counted then. */
  const lateLanding = async () => {
    await h.emu.control.reset();
    await h.emu.control.setIngestion({ landingDelayMs: 3_000 });
  };
  const inletPosts = async () =>
    (await h.emu.control.calls()).filter((c) => c.method === 'POST' && c.path.startsWith('/collection/'))
      .length;

  it('a 30 s deadline passes: each sample posted once, counted once it landed', async () => {
    await lateLanding();
    const result = await h.withWorker(async (tq) =>
      (
        await h.start(tq, { source: 'chatlio', name: 'Lands late', verify: true, verifyTimeoutMs: 30_000 })
      ).handle.result(),
    );
    assert.deepEqual(result.verified?.samples.sort(), SAMPLES);
    assert.equal(await inletPosts(), SAMPLES.length);
    // The dataset's Observability Insights metrics were read (the baseline, then each check).
    const metrics = (await h.emu.control.calls()).filter((c) => c.path.endsWith('/insights/metrics'));
    assert.ok(metrics.length >= 2 && metrics.every((c) => c.status === 200));
  });

  it('a deadline shorter than the delay fails as timed out and undoes the onboarding, newest first', async () => {
    await lateLanding();
    const err = await h.withWorker(async (tq) =>
      rejection(
        (
          await h.start(tq, { source: 'chatlio', name: 'Too late', verify: true, verifyTimeoutMs: 1_000 })
        ).handle.result(),
        WorkflowFailedError,
      ),
    );
    const details = onboardingFailureDetails(err)!;
    assert.equal(details.failedStep, 'verify');
    assert.match(details.reason, /Verification timed out after 1 s/);
    assertNewestFirst(
      details.undone.map((u) => u.step),
      UNDONE,
    );
    assert.deepEqual(details.left, []);
    assert.deepEqual(await resourcesIn(h.emu), {}, 'nothing left behind');
    assert.equal(await inletPosts(), SAMPLES.length, 'each sample posted once');
  });

  it('the verify workflow (aep-onboard verify) waits the same way; a bad timeout is refused before any call', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const r = await (await h.start(tq, { source: 'chatlio', name: 'Verify later' })).handle.result();
      await h.emu.control.setIngestion({ landingDelayMs: 3_000 });
      const ok = await verifyOnboarding(
        h.env.client,
        { workflowId: r.workflowId, timeoutMs: 30_000 },
        { taskQueue: tq },
      );
      assert.deepEqual(ok.landed.sort(), SAMPLES);

      const late = innermost(
        await rejection(
          verifyOnboarding(h.env.client, { workflowId: r.workflowId, timeoutMs: 1_000 }, { taskQueue: tq }),
          WorkflowFailedError,
        ),
      );
      assert.ok(late instanceof ApplicationFailure);
      assert.equal(late.type, 'VerificationFailed');
      assert.equal((late.details?.[0] as VerificationFailureDetails).timedOut, true);

      const before = await inletPosts();
      const bad = innermost(
        await rejection(
          verifyOnboarding(h.env.client, { workflowId: r.workflowId, timeoutMs: 500 }, { taskQueue: tq }),
          WorkflowFailedError,
        ),
      );
      assert.equal(bad.type, 'InvalidInput');
      assert.match(bad.message, /timeoutMs: must be between 1000 ms/);
      assert.equal(await inletPosts(), before, 'nothing posted');
    });
  });

  it('syncValidation: the inlet refuses an invalid sample at once, and the failure names each sample', async () => {
    await h.emu.control.reset();
    const err = await h.withWorker(async (tq) =>
      rejection(
        (
          await h.start(tq, {
            source: 'chatlio',
            name: 'Sync validated',
            verify: true,
            verifySyncValidation: true,
            dropMappings: ['_id'],
          })
        ).handle.result(),
        WorkflowFailedError,
      ),
    );
    const details = onboardingFailureDetails(err)!;
    assert.equal(details.failedStep, 'verify');
    for (const sample of SAMPLES)
      assert.match(details.reason, new RegExp(`${sample} \\(the inlet refused it`));
    const syncPosts = (await h.emu.control.calls()).filter(
      (c) => c.path.startsWith('/collection/') && c.query.includes('syncValidation=true'),
    );
    assert.equal(syncPosts.length, SAMPLES.length);
    assert.ok(syncPosts.every((c) => c.status === 400));
  });
});
