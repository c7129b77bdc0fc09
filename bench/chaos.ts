// npm run chaos -- [--m 300] [--concurrency 40] [--seed 1] [--json out.json]
// Prints the counts of test/support/chaos-run.ts and exits non-zero when one that must be zero is not.
import { writeFileSync } from 'node:fs';
import { CHAOS_DEFAULTS, runChaos, type ChaosReport } from '../test/support/chaos-run';
import { parseFlags, table } from '../test/support/infra';

/** The counts that must be zero after any chaos run. */
export const MUST_BE_ZERO = [
  'duplicates',
  'orphans',
  'stuck',
  'secretsFound',
  'otherFailures',
  'incomplete',
] as const satisfies ReadonlyArray<keyof ChaosReport>;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    m: 300,
    concurrency: CHAOS_DEFAULTS.concurrency,
    seed: Date.now() % 100_000,
  });
  const report = await runChaos({ m: flags.m, concurrency: flags.concurrency, seed: flags.seed });
  console.log(
    table([
      ['onboardings (seed)', `${report.m} (${report.seed})`],
      [
        'planned normal / cancel / fail',
        `${report.planned.normal} / ${report.planned.cancel} / ${report.planned.fail}`,
      ],
      ['completed', report.completed],
      ['compensated', report.compensated],
      ['cancelled', report.cancelled],
      ['other failures', report.otherFailures],
      ['duplicates', report.duplicates],
      ['orphans', report.orphans],
      ['incomplete', report.incomplete],
      ['stuck', report.stuck],
      ['secretsFound', report.secretsFound],
      ['faults injected', report.injected.faults],
      ['token expiries', report.injected.tokenExpiries],
      ['worker SIGKILLs', report.injected.workerKills],
      ['emulator restarts', report.injected.emulatorRestarts],
      [
        'slow creates injected / committed late',
        `${report.injected.slowCreates} / ${report.slowCreatesCommitted}`,
      ],
      ['duplicates swept', report.duplicatesSwept],
      ['duration s', Math.round(report.durationMs / 1000)],
    ]),
  );
  for (const p of report.problems.slice(0, 50)) console.log(`  ! ${p}`);
  for (const f of report.unplannedFailures.slice(0, 20)) {
    console.log(`  unplanned failure ${f.workflowId} (plan ${f.plan}): ${f.reason}`);
  }
  if (flags.json) writeFileSync(flags.json, JSON.stringify(report, null, 2) + '\n');
  const bad = MUST_BE_ZERO.filter((k) => report[k] !== 0);
  if (bad.length) {
    console.error(`chaos: not zero: ${bad.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
