// npm run bench -- [--alone] [--load] [--no-profile] [--json bench/results/F.json] [--growth]
//
// Runs onboardings on a Temporal dev server against the emulator (every call delayed by L), with the worker as a
// child process run as the image runs it, and reports the two regimes of bench/regimes.ts apart: alone (C 1, at
// L = 50 and 300 ms: the latency ratios to the critical-path bound and to a plain sequential script) and load
// (C 25 and C 50 at L = 50 ms: throughput against a bare baseline, CPU per onboarding, RSS), then a profile pass
// (the worker under --cpu-prof at C 1 and C 25: the top five functions by self time). With neither --alone nor
// --load, both. --growth adds load at C 50 for N = 50 and N = 500. Worker knobs pass through the environment
// (WORKER_MAX_CONCURRENT_ACTIVITIES, ...); sizes through --n-alone, --n-alone-slow, --n-load, --n-profile.
import { writeFileSync } from 'node:fs';
import { startEmulator } from '../test/support/emulator';
import { parseFlags, startDevServer, table } from '../test/support/infra';
import {
  alone,
  load,
  profilePass,
  verdicts,
  type AloneFigures,
  type LoadFigures,
  type ProfileFigures,
  type RegimeReport,
} from './regimes';

function renderAlone(a: AloneFigures): string {
  return table([
    [`alone, C 1, L ${a.latencyMs} ms (N ${a.n}) p50 / p95`, `${a.p50Ms} / ${a.p95Ms} ms`],
    ['  critical path', `${a.criticalPath.join(' > ')} = ${a.criticalPathCalls} calls`],
    ['  p50 / bound', `${a.ratioToBound} (bound ${a.criticalPathBoundMs} ms)`],
    ['  p50 / sequential script', `${a.ratioToSequential} (script p50 ${a.sequentialP50Ms} ms)`],
    ['  calls (look-ups off the chain)', `${a.callsPerOnboarding} (${a.lookupCalls})`],
    [
      '  workflow tasks x ms, activity run ms',
      `${a.workflowTasks} x ${a.meanWorkflowTaskMs}, ${a.meanActivityRunMs}`,
    ],
  ]);
}

function renderLoad(l: LoadFigures): string {
  return table([
    [`load, C ${l.concurrency} (N ${l.n}) p50 / p95`, `${l.p50Ms} / ${l.p95Ms} ms`],
    [
      '  throughput / baseline',
      `${l.throughputPerSec} / ${l.baselineThroughputPerSec} = ${l.throughputRatioToBaseline}`,
    ],
    ['  worker CPU ms / onboarding', JSON.stringify(l.cpuMsPerOnboarding)],
    ['  baseline CPU ms / workflow', JSON.stringify(l.cpuMsPerBaselineWorkflow)],
    ['  worker CPU / baseline worker CPU', l.cpuRatioToBaseline],
    ['  worker peak RSS MB (baseline)', `${l.workerPeakRssMb} (${l.baselineWorkerPeakRssMb})`],
    ['  workflow tasks / onboarding', l.workflowTasks],
    ['  failures', l.failures],
  ]);
}

function renderProfile(p: ProfileFigures): string {
  return table([
    [`profile, C ${p.concurrency} (N ${p.n})`, p.line],
    [
      '  worker busy ms / onboarding (threads)',
      `${p.workerBusyMsPerOnboarding} (${p.summary.perThreadMs.map((ms) => Math.round(ms / p.n)).join(' + ')})`,
    ],
    ['  workflow thread ms / workflow task', p.workflowThreadMsPerWorkflowTask],
  ]);
}

async function main(): Promise<void> {
  const flags = parseFlags(
    process.argv.slice(2),
    { 'n-alone': 30, 'n-alone-slow': 12, 'n-load': 200, 'n-profile': 100, warmup: 10, 'sequential-runs': 10 },
    ['alone', 'load', 'no-profile', 'growth'],
  );
  const both = !flags.alone && !flags.load;
  const [env, fast, slow] = await Promise.all([
    startDevServer(),
    startEmulator({ latencyMs: 50 }),
    startEmulator({ latencyMs: 300 }),
  ]);
  const report: RegimeReport & { growth?: { n50: LoadFigures; n500: LoadFigures } } = {};
  const log = (line: string) => console.error(line);
  try {
    const small = { warmup: flags.warmup, sequentialRuns: flags['sequential-runs'], profileSample: 20 };
    if (both || flags.alone) {
      log('alone: C 1 at L = 50 ms, then 300 ms');
      const l50 = await alone(env, fast, 50, { ...small, n: flags['n-alone'] });
      console.log(renderAlone(l50));
      const l300 = await alone(env, slow, 300, { ...small, warmup: 3, n: flags['n-alone-slow'] });
      console.log(renderAlone(l300));
      report.alone = { l50, l300 };
    }
    if (both || flags.load) {
      log('load: C 25, then C 50, at L = 50 ms');
      const c25 = await load(env, fast, 25, { ...small, n: flags['n-load'] });
      console.log(renderLoad(c25));
      const c50 = await load(env, fast, 50, { ...small, n: flags['n-load'] });
      console.log(renderLoad(c50));
      report.load = { c25, c50 };
    }
    if (flags.growth) {
      log('growth: C 50, N = 50 then 500');
      const n50 = await load(env, fast, 50, { ...small, n: 50 });
      const n500 = await load(env, fast, 50, { ...small, n: 500 });
      console.log(renderLoad(n50) + '\n' + renderLoad(n500));
      report.growth = { n50, n500 };
    }
    if (!flags['no-profile']) {
      log('profile: the worker under --cpu-prof at C 1 and C 25');
      const c1 = await profilePass(env, fast, 1, { ...small, n: Math.min(30, flags['n-profile']) });
      console.log(renderProfile(c1));
      const c25 = await profilePass(env, fast, 25, { ...small, n: flags['n-profile'] });
      console.log(renderProfile(c25));
      report.profile = { c1, c25 };
    }
    const goals = verdicts(report);
    console.log(
      '\n' +
        table(
          Object.entries(goals).map(([k, v]) => [
            k,
            `${v.value} (goal ${v.goal}: ${v.met ? 'met' : 'MISSED'})`,
          ]),
        ),
    );
    if (flags.json) {
      const machine = { node: process.version, cpus: (await import('node:os')).cpus().length };
      writeFileSync(
        flags.json,
        JSON.stringify({ at: new Date().toISOString(), machine, ...report, goals }, null, 2) + '\n',
      );
    }
  } finally {
    await Promise.all([fast.close(), slow.close()]);
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
