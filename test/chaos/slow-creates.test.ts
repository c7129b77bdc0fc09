// Slow creates (issue 10, bug 4): a POST create that the emulator holds past the worker's request timeout, then
// still commits. The worker gives up on the request and retries; the retry's look-up must wait for the earlier
// create to land (createSettleMs, twice the request timeout) rather than create a second one, and whatever still
// lands twice is the sweep's to remove. 14 onboardings under slow creates and commit-then-fail, with a 3 s request
// timeout so that "past the timeout" costs seconds, not the default 30 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../support/chaos-run';

const SEED = Number(process.env.CHAOS_SEED ?? 7);
const M = 14;
const REQUEST_TIMEOUT_MS = 3000;

describe('chaos: slow creates', { timeout: 300_000 }, () => {
  it(`${M} onboardings whose creates outlast the request timeout and still commit (seed ${SEED}): one of each resource, nothing orphaned`, async (t) => {
    const report = await runChaos({
      m: M,
      concurrency: M,
      seed: SEED,
      cancelShare: 0,
      failShare: 0.2,
      faultEveryMs: 300,
      faultKinds: ['slow-create', 'slow-create', 'commit-then-fail'],
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      workerKillEveryMs: 0,
      emulatorRestartEveryMs: 0,
      chaosWindowMs: 150_000,
      settleMs: 60_000,
      log: () => undefined,
    });
    const summary = JSON.stringify({ ...report, problems: report.problems.slice(0, 20) }, null, 2);
    t.diagnostic(JSON.stringify({ ...report, problems: report.problems.length }));
    assert.equal(report.duplicates, 0, summary);
    assert.equal(report.orphans, 0, summary);
    assert.equal(report.incomplete, 0, summary);
    assert.equal(report.stuck, 0, summary);
    assert.equal(report.workflowTaskFailures, 0, summary);
    assert.equal(report.otherFailures, 0, summary);
    assert.equal(report.secretsFound, 0, summary);
    // Every run ended as planned: slow creates alone never fail a run, a step refused for good always does.
    assert.equal(report.completed, report.planned.normal, summary);
    assert.equal(report.compensated, report.planned.fail, summary);
    assert.ok(report.planned.fail > 0, summary);
    // The slow creates really happened: creates the emulator held past the worker's timeout and still committed,
    // and retries the workers made because a request timed out. Otherwise the zeros above prove nothing.
    // Floors well under what a run of 14 sees, so that only a run where the slow creates did not happen fails them.
    assert.ok(report.injected.slowCreates >= 4, summary);
    assert.ok(report.slowCreatesCommitted >= 3, summary);
    assert.ok(report.requestTimeoutsSeen >= 2, summary);
  });
});
