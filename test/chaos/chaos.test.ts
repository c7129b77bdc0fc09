// The suite's small chaos run (test/support/chaos-run.ts; `npm run chaos` runs the full one, 300 onboardings): 12 under
// random 5xx, 429 bursts, latency spikes, lost and failed-after-commit creates, token expiry, a worker SIGKILLed and
// restarted, the emulator killed and restarted on its data file, some runs cancelled, some failing for good.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../support/chaos-run';

const SEED = Number(process.env.CHAOS_SEED ?? 42);
// Small enough to keep `npm test` near five minutes, large enough that both outcomes and both crashes happen.
const M = 12;

describe('chaos', { timeout: 300_000 }, () => {
  it(`${M} onboardings under faults, crashes and restarts (seed ${SEED}): nothing duplicated, orphaned, stuck or leaked`, async (t) => {
    const report = await runChaos({
      m: M,
      concurrency: M,
      seed: SEED,
      cancelShare: 0.25,
      failShare: 0.25,
      faultEveryMs: 300,
      workerKillEveryMs: 20_000,
      emulatorRestartEveryMs: 20_000,
      chaosWindowMs: 45_000,
      settleMs: 90_000,
      // Latency spikes stay under it (1-5 s); a dropped create then waits 20 s (twice it), not 60 s, before a retry
      // trusts an empty look-up.
      requestTimeoutMs: 10_000,
      log: () => undefined,
    });
    const summary = JSON.stringify({ ...report, problems: report.problems.slice(0, 20) }, null, 2);
    t.diagnostic(JSON.stringify({ ...report, problems: report.problems.length }));
    assert.equal(report.duplicates, 0, summary);
    assert.equal(report.orphans, 0, summary);
    assert.equal(report.stuck, 0, summary);
    assert.equal(report.workflowTaskFailures, 0, summary);
    assert.equal(report.secretsFound, 0, summary);
    assert.equal(report.otherFailures, 0, summary);
    assert.equal(report.incomplete, 0, summary);
    assert.equal(report.completed + report.compensated + report.cancelled, M, summary);
    // Both outcomes happened, and the chaos really did: otherwise the zeros above prove little.
    assert.ok(report.completed > 0, summary);
    assert.ok(report.compensated > 0, summary);
    assert.ok(report.injected.faults > 10, summary);
    assert.ok(report.injected.workerKills >= 1, summary);
    assert.ok(report.injected.emulatorRestarts >= 1, summary);
  });
});
