// The bench's two regimes, measured apart because they answer different questions. "Alone" (one onboarding at a
// time, C 1) is latency: how close an onboarding gets to the calls it cannot avoid making one after the other, and
// to a plain script making the same calls. "Load" (C 25 and C 50) is capacity: throughput against a bare workflow of
// as many no-op activities on the same worker set-up, CPU per onboarding, memory. The profile pass runs the worker
// under `node --cpu-prof` (its own runs, never the measured ones: the profiler costs CPU) and folds the samples of
// the measured window into the top functions by self time, and the workflow thread's CPU per workflow task.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { StartedEmulator } from '../test/support/emulator';
import { percentile, round } from '../test/support/infra';
import { callsPerStep, criticalPath } from './critical-path';
import { profileLine, summariseCpuProfiles, type ProfileSummary } from './cpu-profile';
import { baselinePhase, onboardingPhase, sequentialPhase, type PhaseConfig } from './phases';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const perRun = (cpu: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / n, 1)]));

/** What the issue asked for (#15), each figure taken inside one run. */
export const GOALS = {
  aloneL50RatioToBound: { max: 1.15 },
  aloneL300RatioToBound: { max: 1.05 },
  aloneL300RatioToSequential: { max: 0.78 },
  loadC25ThroughputRatio: { min: 0.9 },
  loadWorkerPeakRssMb: { max: 200 },
  loadCpuRatioToBaseline: { max: 1.2 },
} as const;

export interface AloneFigures {
  latencyMs: number;
  n: number;
  p50Ms: number;
  p95Ms: number;
  criticalPath: string[];
  criticalPathCalls: number;
  criticalPathBoundMs: number;
  ratioToBound: number;
  callsPerOnboarding: number;
  /** Calls off the chain: look-ups of a retry or of the sweep for duplicates. */
  lookupCalls: number;
  sequentialP50Ms: number;
  ratioToSequential: number;
  workflowTasks: number;
  meanWorkflowTaskMs: number;
  meanActivityRunMs: number;
}

export interface LoadFigures {
  concurrency: number;
  n: number;
  p50Ms: number;
  p95Ms: number;
  throughputPerSec: number;
  baselineThroughputPerSec: number;
  throughputRatioToBaseline: number;
  workerPeakRssMb: number;
  baselineWorkerPeakRssMb: number;
  /** CPU ms per onboarding (worker, dev server, the bench process hosting the emulator) and per baseline run. */
  cpuMsPerOnboarding: Record<string, number>;
  cpuMsPerBaselineWorkflow: Record<string, number>;
  /** Worker CPU per onboarding over the baseline worker's per bare workflow. */
  cpuRatioToBaseline: number;
  workflowTasks: number;
  failures: number;
}

export interface ProfileFigures {
  concurrency: number;
  n: number;
  summary: ProfileSummary;
  line: string;
  /** The workflow thread's busy CPU per workflow task (activation), and the whole worker's per onboarding. */
  workflowThreadMsPerWorkflowTask: number;
  workerBusyMsPerOnboarding: number;
}

export async function alone(
  env: TestWorkflowEnvironment,
  emu: StartedEmulator,
  latencyMs: number,
  cfg: Pick<PhaseConfig, 'n' | 'warmup' | 'sequentialRuns' | 'profileSample'>,
): Promise<AloneFigures> {
  const tag = `alone-l${latencyMs}`;
  await emu.control.reset();
  const onb = await onboardingPhase(env, emu, { ...cfg, concurrency: 1 }, tag);
  const seq = await sequentialPhase(emu, { ...cfg, concurrency: 1 }, tag);
  const perStep = callsPerStep(onb.probeCalls);
  const chain = criticalPath(perStep);
  const p50 = percentile(onb.latenciesMs, 50);
  const seqP50 = percentile(seq.latenciesMs, 50);
  const bound = chain.calls * latencyMs;
  return {
    latencyMs,
    n: cfg.n,
    p50Ms: round(p50, 1),
    p95Ms: round(percentile(onb.latenciesMs, 95), 1),
    criticalPath: chain.steps,
    criticalPathCalls: chain.calls,
    criticalPathBoundMs: bound,
    ratioToBound: round(p50 / bound, 3),
    callsPerOnboarding: onb.probeCalls.length,
    lookupCalls: perStep['lookup'] ?? 0,
    sequentialP50Ms: round(seqP50, 1),
    ratioToSequential: round(p50 / seqP50, 3),
    workflowTasks: round(mean(onb.profiles.map((p) => p.workflowTaskMs.length)), 1),
    meanWorkflowTaskMs: round(mean(onb.profiles.flatMap((p) => p.workflowTaskMs)), 1),
    meanActivityRunMs: round(mean(onb.profiles.flatMap((p) => p.activityRunMs)), 1),
  };
}

export async function load(
  env: TestWorkflowEnvironment,
  emu: StartedEmulator,
  concurrency: number,
  cfg: Pick<PhaseConfig, 'n' | 'warmup' | 'profileSample'>,
): Promise<LoadFigures> {
  const tag = `load-c${concurrency}-n${cfg.n}`;
  await emu.control.reset();
  const phase = { ...cfg, concurrency, sequentialRuns: 0 };
  const base = await baselinePhase(env, phase, tag);
  const onb = await onboardingPhase(env, emu, phase, tag);
  const throughput = (cfg.n - onb.failures.length) / (onb.wallMs / 1000);
  const baseThroughput = (cfg.n - base.failures.length) / (base.wallMs / 1000);
  const cpu = perRun(onb.cpuMs, cfg.n);
  const baseCpu = perRun(base.cpuMs, cfg.n);
  return {
    concurrency,
    n: cfg.n,
    p50Ms: round(percentile(onb.latenciesMs, 50), 1),
    p95Ms: round(percentile(onb.latenciesMs, 95), 1),
    throughputPerSec: round(throughput, 2),
    baselineThroughputPerSec: round(baseThroughput, 2),
    throughputRatioToBaseline: round(throughput / baseThroughput, 3),
    workerPeakRssMb: onb.rss.peakRssMb,
    baselineWorkerPeakRssMb: base.rss.peakRssMb,
    cpuMsPerOnboarding: cpu,
    cpuMsPerBaselineWorkflow: baseCpu,
    cpuRatioToBaseline: round(cpu['worker']! / baseCpu['worker']!, 3),
    workflowTasks: round(mean(onb.profiles.map((p) => p.workflowTaskMs.length)), 1),
    failures: onb.failures.length + base.failures.length + base.mirrored.failures.length,
  };
}

export async function profilePass(
  env: TestWorkflowEnvironment,
  emu: StartedEmulator,
  concurrency: number,
  cfg: Pick<PhaseConfig, 'n' | 'warmup' | 'profileSample'>,
): Promise<ProfileFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aepo-cpu-prof-'));
  await emu.control.reset();
  try {
    const onb = await onboardingPhase(
      env,
      emu,
      { ...cfg, concurrency, sequentialRuns: 0 },
      `profile-c${concurrency}`,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    );
    const summary = summariseCpuProfiles(dir, { window: onb.window });
    if (summary.threads === 0) throw new Error(`the profiled worker wrote no .cpuprofile in ${dir}`);
    const tasks = mean(onb.profiles.map((p) => p.workflowTaskMs.length)) * cfg.n;
    return {
      concurrency,
      n: cfg.n,
      summary,
      line: profileLine(summary),
      // Thread 1 is the workflow thread (the SDK's default: one, with a reused V8 context).
      workflowThreadMsPerWorkflowTask: round((summary.perThreadMs[1] ?? NaN) / tasks, 2),
      workerBusyMsPerOnboarding: round(summary.busyMs / cfg.n, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RegimeReport {
  alone?: { l50: AloneFigures; l300: AloneFigures };
  load?: { c25: LoadFigures; c50: LoadFigures };
  profile?: { c1: ProfileFigures; c25: ProfileFigures };
}

export function verdicts(r: RegimeReport): Record<string, { value: number; goal: string; met: boolean }> {
  const out: Record<string, { value: number; goal: string; met: boolean }> = {};
  const check = (key: keyof typeof GOALS, value: number | undefined) => {
    if (value === undefined) return;
    const g: { max?: number; min?: number } = GOALS[key];
    const met = g.max !== undefined ? value <= g.max : value >= g.min!;
    out[key] = { value, goal: g.max !== undefined ? `<= ${g.max}` : `>= ${g.min}`, met };
  };
  check('aloneL50RatioToBound', r.alone?.l50.ratioToBound);
  check('aloneL300RatioToBound', r.alone?.l300.ratioToBound);
  check('aloneL300RatioToSequential', r.alone?.l300.ratioToSequential);
  check('loadC25ThroughputRatio', r.load?.c25.throughputRatioToBaseline);
  if (r.load) {
    check('loadWorkerPeakRssMb', Math.max(r.load.c25.workerPeakRssMb, r.load.c50.workerPeakRssMb));
    check('loadCpuRatioToBaseline', r.load.c25.cpuRatioToBaseline);
  }
  return out;
}
