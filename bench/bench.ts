// npm run bench -- [--n 200] [--concurrency 50] [--latency-ms 50] [--json out.json] [--growth]
//
// Runs onboardings on a Temporal dev server against the emulator (every call delayed by --latency-ms), with the
// worker as a child process, and prints latency, throughput and memory next to three references measured in the
// same run: the critical-path bound (L x the API calls on the longest dependency chain, counted from the emulator's
// call log), the same calls made one after the other by a plain script, and a bare workflow of as many no-op
// activities. --growth runs N=50 then N=500 and prints how each figure moves. --eager turns on the server's eager
// activity dispatch. Worker knobs pass through the environment (WORKER_MAX_CONCURRENT_ACTIVITIES, ...).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAepClient } from '../src/aep';
import { startOnboarding } from '../src/client/onboarding';
import { PresetRegistry } from '../src/presets/registry';
import type { CallRecord } from '../src/emulator/core/faults';
import { runTs } from '../test/support/processes';
import { startEmulator, type StartedEmulator } from '../test/support/emulator';
import { BASELINE_ACTIVITY_COUNT } from './baseline-workflows';
import { fetchHistory, profileHistory } from '../test/support/history';
import {
  devServerPid,
  measureCpu,
  parseFlags,
  percentile,
  pool,
  round,
  RssSampler,
  startDevServer,
  startWorker,
  table,
  WORKER_IMAGE_ENV,
  type WorkerTarget,
} from '../test/support/infra';
import { sequentialOnboarding } from './sequential';

interface BenchConfig {
  n: number;
  concurrency: number;
  latencyMs: number;
  warmup: number;
  sequentialRuns: number;
  profileSample: number;
}

/** Step -> the steps it waits for, as src/workflows/onboarding.ts provision() orders them. */
const DEPENDS_ON: Record<string, string[]> = {
  ims: [],
  tenant: ['ims'],
  sourceConnection: ['ims'],
  fieldGroup: ['tenant'],
  schema: ['fieldGroup'],
  dataset: ['schema'],
  mappingSet: ['schema'],
  targetConnection: ['dataset'],
  flow: ['sourceConnection', 'targetConnection', 'mappingSet'],
  inletUrl: ['flow'],
};

/** Which step an emulator call belongs to. */
const STEP_OF: Array<[method: string, path: RegExp, step: string]> = [
  ['POST', /^\/ims\/token/, 'ims'],
  ['GET', /\/schemaregistry\/stats$/, 'tenant'],
  ['*', /\/flowservice\/sourceConnections/, 'sourceConnection'],
  ['*', /\/schemaregistry\/tenant\/(fieldgroups|mixins)/, 'fieldGroup'],
  ['*', /\/schemaregistry\/tenant\/schemas/, 'schema'],
  ['*', /\/catalog\/dataSets/, 'dataset'],
  ['*', /mappingSets/, 'mappingSet'],
  ['*', /\/flowservice\/targetConnections/, 'targetConnection'],
  ['POST', /\/flowservice\/flows$/, 'flow'],
  ['GET', /\/flowservice\/flows$/, 'flow'],
  ['GET', /\/flowservice\/flows\/[^/]+$/, 'inletUrl'],
];

export function callsPerStep(calls: CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const step = STEP_OF.find(([m, re]) => (m === '*' || m === c.method) && re.test(c.path))?.[2] ?? 'other';
    out[step] = (out[step] ?? 0) + 1;
  }
  return out;
}

/** The chain of steps with the most calls, and that count. */
export function criticalPath(perStep: Record<string, number>): { steps: string[]; calls: number } {
  const memo = new Map<string, { steps: string[]; calls: number }>();
  const longest = (step: string): { steps: string[]; calls: number } => {
    const known = memo.get(step);
    if (known) return known;
    let best = { steps: [] as string[], calls: 0 };
    for (const dep of DEPENDS_ON[step] ?? []) {
      const d = longest(dep);
      if (d.calls > best.calls) best = d;
    }
    const own = perStep[step] ?? 0;
    const out = { steps: own ? [...best.steps, `${step}(${own})`] : best.steps, calls: best.calls + own };
    memo.set(step, out);
    return out;
  };
  return longest('inletUrl');
}

interface PhaseResult {
  latenciesMs: number[];
  wallMs: number;
  failures: string[];
}

async function timed(
  n: number,
  concurrency: number,
  one: (i: number) => Promise<unknown>,
): Promise<PhaseResult> {
  const failures: string[] = [];
  const started = performance.now();
  const latenciesMs = await pool(n, concurrency, async (i) => {
    const t0 = performance.now();
    try {
      await one(i);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
    return performance.now() - t0;
  });
  return { latenciesMs, wallMs: performance.now() - started, failures };
}

async function stopProc(p: { kill(s?: NodeJS.Signals): Promise<unknown> }): Promise<void> {
  await Promise.race([p.kill('SIGTERM'), new Promise((r) => setTimeout(r, 15_000))]);
  await p.kill('SIGKILL');
}

/** The baseline's bundle, built here so that its worker, like the onboarding's, never runs webpack. */
async function baselineBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./baseline-workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'aepo-baseline-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'baseline-bundle.js');
  writeFileSync(file, code);
  return file;
}

async function baselinePhase(env: TestWorkflowEnvironment, cfg: BenchConfig, tag: string) {
  const taskQueue = `bench-baseline-${tag}`;
  const imageEnv = Object.fromEntries(
    Object.entries(WORKER_IMAGE_ENV).map(([k, v]) => [k, process.env[k] || v]),
  );
  const proc = runTs('bench/baseline-worker.ts', [], {
    ...imageEnv,
    BASELINE_BUNDLE_PATH: await baselineBundle(),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  try {
    await proc.waitFor(/baseline worker: /, 120_000);
    const measure = async (type: 'baselineOnboarding' | 'baselineOnboardingMirrored', key: string) => {
      const run = (id: string) => env.client.workflow.execute(type, { taskQueue, workflowId: id, args: [] });
      await timed(cfg.warmup, cfg.concurrency, (i) => run(`bench-${tag}-${key}-warmup-${i}`));
      const sampler = new RssSampler(proc.child.pid!);
      const { result: r, cpuMs } = await measureCpu(
        { worker: proc.child.pid, server: devServerPid(env.address) },
        () => timed(cfg.n, cfg.concurrency, (i) => run(`bench-${tag}-${key}-${i}`)),
      );
      return { ...r, rss: sampler.stop(), cpuMs };
    };
    const remote = await measure('baselineOnboarding', 'baseline');
    const mirrored = await measure('baselineOnboardingMirrored', 'mirrored');
    return { ...remote, mirrored };
  } finally {
    await stopProc(proc);
  }
}

async function onboardingPhase(
  env: TestWorkflowEnvironment,
  emu: StartedEmulator,
  cfg: BenchConfig,
  tag: string,
) {
  const target: WorkerTarget = {
    env,
    taskQueue: `bench-onboarding-${tag}`,
    emulatorUrl: emu.url,
    emulator: emu.options,
  };
  const proc = await startWorker(target);
  const onboard = async (id: string, name: string) => {
    const { handle } = await startOnboarding(
      env.client,
      { source: 'chatlio', name },
      { orgId: emu.options.orgId, defaultSandbox: 'prod', taskQueue: target.taskQueue, workflowId: id },
    );
    return handle.result();
  };
  try {
    await timed(cfg.warmup, cfg.concurrency, (i) =>
      onboard(`bench-${tag}-warmup-${i}`, `Warmup ${tag} ${i}`),
    );
    // One onboarding alone on a warm worker: its calls give the per-step counts of the critical path.
    await emu.control.clearCalls();
    const probeStart = performance.now();
    await onboard(`bench-${tag}-probe`, `Probe ${tag}`);
    const probeMs = performance.now() - probeStart;
    const probeCalls = await emu.control.calls();

    const sampler = new RssSampler(proc.child.pid!);
    const { result: r, cpuMs } = await measureCpu(
      { worker: proc.child.pid, server: devServerPid(env.address) },
      () => timed(cfg.n, cfg.concurrency, (i) => onboard(`bench-${tag}-${i}`, `Bench ${tag} ${i}`)),
    );
    const rss = sampler.stop();

    // Where the time goes, from the histories of a sample of the measured runs.
    const sample = Array.from({ length: Math.min(cfg.profileSample, cfg.n) }, (_, k) =>
      Math.floor((k * cfg.n) / Math.max(1, Math.min(cfg.profileSample, cfg.n))),
    );
    const profiles = await Promise.all(
      sample.map(async (i) => profileHistory(await fetchHistory(env.client, `bench-${tag}-${i}`))),
    );
    const probeProfile = profileHistory(await fetchHistory(env.client, `bench-${tag}-probe`));
    return { ...r, rss, cpuMs, probeMs, probeCalls, profiles, probeProfile };
  } finally {
    await stopProc(proc);
  }
}

async function sequentialPhase(emu: StartedEmulator, cfg: BenchConfig, tag: string) {
  const aep = createAepClient({
    platformUrl: emu.url,
    imsUrl: emu.url,
    clientId: emu.options.clientId,
    clientSecret: emu.options.clientSecret,
    orgId: emu.options.orgId,
    sandbox: 'prod',
    scopes: 'openid,AdobeID',
    requestTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
  });
  const onboard = sequentialOnboarding({ aep, presets: PresetRegistry.fromEnv({}) });
  try {
    // The first run fetches the token (and the tenant id), as the worker's warm-up did.
    await onboard({ workflowId: `seq-${tag}-warmup`, name: `Sequential warmup ${tag}` });
    return await timed(cfg.sequentialRuns, 1, (i) =>
      onboard({ workflowId: `seq-${tag}-${i}`, name: `Sequential ${tag} ${i}` }),
    );
  } finally {
    await aep.close();
  }
}

const perRun = (cpu: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / n, 1)]));

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export interface BenchFigures {
  n: number;
  concurrency: number;
  latencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  unloadedMs: number;
  criticalPathCalls: number;
  criticalPath: string[];
  callsPerOnboarding: number;
  imsOnPath: boolean;
  criticalPathBoundMs: number;
  ratioToBound: number;
  sequentialP50Ms: number;
  ratioToSequential: number;
  throughputPerSec: number;
  baselineThroughputPerSec: number;
  throughputRatioToBaseline: number;
  baselineP50Ms: number;
  /** The same baseline with the onboarding's three local reads as local activities too. */
  mirroredBaselineThroughputPerSec: number;
  throughputRatioToMirroredBaseline: number;
  workerPeakRssMb: number;
  workerHwmMb: number;
  baselineWorkerPeakRssMb: number;
  failures: number;
  /** CPU ms per onboarding (and per baseline workflow) of the worker, the dev server, and this process. */
  cpuMsPerOnboarding: Record<string, number>;
  cpuMsPerBaselineWorkflow: Record<string, number>;
  profile: {
    workflowActivities: number;
    meanScheduleToStartMs: number;
    meanActivityRunMs: number;
    meanWorkflowTaskMs: number;
    workflowTasks: number;
    probeTotalMs: number;
  };
}

export async function runBench(
  infra: { env: TestWorkflowEnvironment; emu: StartedEmulator },
  cfg: BenchConfig,
  tag: string,
  log: (line: string) => void = (l) => console.error(l),
): Promise<BenchFigures> {
  const { env, emu } = infra;
  await emu.control.reset();
  log(
    `[${tag}] baselines: ${cfg.n} bare workflows of ${BASELINE_ACTIVITY_COUNT} no-op activities at ${cfg.concurrency}, ` +
      "all normal, then with the onboarding's 3 reads local",
  );
  const base = await baselinePhase(env, cfg, tag);
  log(`[${tag}] onboarding: ${cfg.n} onboardings at ${cfg.concurrency}, L=${cfg.latencyMs} ms`);
  const onb = await onboardingPhase(env, emu, cfg, tag);
  log(`[${tag}] sequential script: ${cfg.sequentialRuns} onboardings one by one`);
  const seq = await sequentialPhase(emu, cfg, tag);

  const perStep = callsPerStep(onb.probeCalls);
  const path = criticalPath(perStep);
  const p50 = percentile(onb.latenciesMs, 50);
  const seqP50 = percentile(seq.latenciesMs, 50);
  const throughput = (cfg.n - onb.failures.length) / (onb.wallMs / 1000);
  const baseThroughput = (cfg.n - base.failures.length) / (base.wallMs / 1000);
  const mirroredThroughput = (cfg.n - base.mirrored.failures.length) / (base.mirrored.wallMs / 1000);
  const profiles = onb.profiles;
  const all = (f: (p: (typeof profiles)[number]) => number[]) => profiles.flatMap(f);
  return {
    n: cfg.n,
    concurrency: cfg.concurrency,
    latencyMs: cfg.latencyMs,
    p50Ms: round(p50, 1),
    p95Ms: round(percentile(onb.latenciesMs, 95), 1),
    p99Ms: round(percentile(onb.latenciesMs, 99), 1),
    unloadedMs: round(onb.probeMs, 1),
    criticalPathCalls: path.calls,
    criticalPath: path.steps,
    callsPerOnboarding: onb.probeCalls.length,
    imsOnPath: (perStep['ims'] ?? 0) > 0,
    criticalPathBoundMs: path.calls * cfg.latencyMs,
    ratioToBound: round(p50 / (path.calls * cfg.latencyMs), 3),
    sequentialP50Ms: round(seqP50, 1),
    ratioToSequential: round(p50 / seqP50, 3),
    throughputPerSec: round(throughput, 2),
    baselineThroughputPerSec: round(baseThroughput, 2),
    throughputRatioToBaseline: round(throughput / baseThroughput, 3),
    baselineP50Ms: round(percentile(base.latenciesMs, 50), 1),
    mirroredBaselineThroughputPerSec: round(mirroredThroughput, 2),
    throughputRatioToMirroredBaseline: round(throughput / mirroredThroughput, 3),
    workerPeakRssMb: onb.rss.peakRssMb,
    workerHwmMb: onb.rss.hwmMb,
    baselineWorkerPeakRssMb: base.rss.peakRssMb,
    failures:
      onb.failures.length + base.failures.length + base.mirrored.failures.length + seq.failures.length,
    cpuMsPerOnboarding: perRun(onb.cpuMs, cfg.n),
    cpuMsPerBaselineWorkflow: perRun(base.cpuMs, cfg.n),
    profile: {
      workflowActivities: round(mean(profiles.map((p) => p.activityRunMs.length)), 1),
      meanScheduleToStartMs: round(mean(all((p) => p.scheduleToStartMs)), 1),
      meanActivityRunMs: round(mean(all((p) => p.activityRunMs)), 1),
      meanWorkflowTaskMs: round(mean(all((p) => p.workflowTaskMs)), 1),
      workflowTasks: round(mean(profiles.map((p) => p.workflowTaskMs.length)), 1),
      probeTotalMs: round(onb.probeProfile.totalMs, 1),
    },
  };
}

const TARGETS = {
  ratioToBound: 1.15,
  ratioToSequential: 0.7,
  throughputRatioToBaseline: 0.85,
  workerPeakRssMb: 250,
} as const;

function verdicts(f: BenchFigures): Record<keyof typeof TARGETS, { target: string; met: boolean }> {
  return {
    ratioToBound: { target: `<= ${TARGETS.ratioToBound}`, met: f.ratioToBound <= TARGETS.ratioToBound },
    ratioToSequential: {
      target: `<= ${TARGETS.ratioToSequential}`,
      met: f.ratioToSequential <= TARGETS.ratioToSequential,
    },
    throughputRatioToBaseline: {
      target: `>= ${TARGETS.throughputRatioToBaseline}`,
      met: f.throughputRatioToBaseline >= TARGETS.throughputRatioToBaseline,
    },
    workerPeakRssMb: {
      target: `<= ${TARGETS.workerPeakRssMb} (${f.concurrency} concurrent)`,
      met: f.workerPeakRssMb <= TARGETS.workerPeakRssMb,
    },
  };
}

function render(f: BenchFigures): string {
  const v = verdicts(f);
  const mark = (k: keyof typeof TARGETS) => ` (target ${v[k].target}: ${v[k].met ? 'met' : 'MISSED'})`;
  return table([
    ['onboardings / concurrency / L', `${f.n} / ${f.concurrency} / ${f.latencyMs} ms`],
    ['p50 / p95 / p99 ms', `${f.p50Ms} / ${f.p95Ms} / ${f.p99Ms}`],
    ['one onboarding alone, ms', f.unloadedMs],
    ['critical path', `${f.criticalPath.join(' > ')} = ${f.criticalPathCalls} calls`],
    ['calls per onboarding', f.callsPerOnboarding],
    ['criticalPathBoundMs', f.criticalPathBoundMs],
    ['ratioToBound (p50)', `${f.ratioToBound}${mark('ratioToBound')}`],
    ['sequential script p50 ms', f.sequentialP50Ms],
    ['ratioToSequential (p50)', `${f.ratioToSequential}${mark('ratioToSequential')}`],
    ['throughput /s', f.throughputPerSec],
    ['baseline throughput /s', `${f.baselineThroughputPerSec} (baseline p50 ${f.baselineP50Ms} ms)`],
    ['throughputRatioToBaseline', `${f.throughputRatioToBaseline}${mark('throughputRatioToBaseline')}`],
    [
      'mirrored baseline throughput /s (ratio)',
      `${f.mirroredBaselineThroughputPerSec} (${f.throughputRatioToMirroredBaseline})`,
    ],
    ['worker peak RSS MB (load)', `${f.workerPeakRssMb}${mark('workerPeakRssMb')}`],
    ['worker VmHWM MB (incl. start)', f.workerHwmMb],
    ['baseline worker peak RSS MB', f.baselineWorkerPeakRssMb],
    ['activity schedule->start ms', f.profile.meanScheduleToStartMs],
    ['activity run ms', f.profile.meanActivityRunMs],
    ['workflow task ms (x count)', `${f.profile.meanWorkflowTaskMs} (x ${f.profile.workflowTasks})`],
    ['CPU ms / onboarding', JSON.stringify(f.cpuMsPerOnboarding)],
    ['CPU ms / baseline workflow', JSON.stringify(f.cpuMsPerBaselineWorkflow)],
    ['failures', f.failures],
  ]);
}

const NUMERIC_FIGURES: Array<keyof BenchFigures> = [
  'p50Ms',
  'p95Ms',
  'ratioToBound',
  'ratioToSequential',
  'throughputPerSec',
  'baselineThroughputPerSec',
  'throughputRatioToBaseline',
  'throughputRatioToMirroredBaseline',
  'workerPeakRssMb',
];

async function main(): Promise<void> {
  const flags = parseFlags(
    process.argv.slice(2),
    { n: 200, concurrency: 50, 'latency-ms': 50, warmup: 10, 'sequential-runs': 20, 'profile-sample': 20 },
    ['growth', 'eager'],
  );
  const base = {
    concurrency: flags.concurrency,
    latencyMs: flags['latency-ms'],
    warmup: flags.warmup,
    sequentialRuns: flags['sequential-runs'],
    profileSample: flags['profile-sample'],
  };
  // --eager: the server hands the next activity back with the workflow task's completion (no poll round trip).
  const dynamicConfig = flags.eager ? ['system.enableActivityEagerExecution=true'] : [];
  const [env, emu] = await Promise.all([
    startDevServer(dynamicConfig),
    startEmulator({ latencyMs: base.latencyMs }),
  ]);
  try {
    const infra = { env, emu };
    if (!flags.growth) {
      const f = await runBench(infra, { ...base, n: flags.n }, 'n' + flags.n);
      console.log(render(f));
      if (flags.json) {
        writeFileSync(
          flags.json,
          JSON.stringify({ ...f, dynamicConfig, targets: verdicts(f) }, null, 2) + '\n',
        );
      }
      return;
    }
    const small = await runBench(infra, { ...base, n: 50 }, 'g50');
    const large = await runBench(infra, { ...base, n: 500 }, 'g500');
    const growth = Object.fromEntries(
      NUMERIC_FIGURES.map((k) => {
        const a = small[k] as number;
        const b = large[k] as number;
        return [k, { n50: a, n500: b, factor: round(b / a, 3) }];
      }),
    );
    console.log('N = 50\n' + render(small) + '\n\nN = 500\n' + render(large) + '\n\nGrowth 50 -> 500');
    console.log(table(Object.entries(growth).map(([k, g]) => [k, `${g.n50} -> ${g.n500} (x${g.factor})`])));
    if (flags.json) {
      writeFileSync(
        flags.json,
        JSON.stringify(
          {
            n50: small,
            n500: large,
            growth,
            dynamicConfig,
            targets: { n50: verdicts(small), n500: verdicts(large) },
          },
          null,
          2,
        ) + '\n',
      );
    }
  } finally {
    await emu.close();
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
