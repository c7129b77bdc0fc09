// The bench's phases, each on its own worker process: the bare baselines, the onboardings (optionally under the CPU
// profiler), and the plain sequential script. bench/regimes.ts puts them together.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startOnboarding } from '../src/client/onboarding';
import { PresetRegistry } from '../src/presets/registry';
import { runTs } from '../test/support/processes';
import type { StartedEmulator } from '../test/support/emulator';
import { aepClientFor } from '../test/support/onboarding';
import { fetchHistory, profileHistory } from '../test/support/history';
import {
  devServerPid,
  measureCpu,
  pool,
  RssSampler,
  startWorker,
  workerImageEnv,
  type WorkerTarget,
} from '../test/support/infra';
import { nowUs, type Window } from './cpu-profile';
import { sequentialOnboarding } from './sequential';

export interface PhaseConfig {
  n: number;
  concurrency: number;
  warmup: number;
  sequentialRuns: number;
  profileSample: number;
}

export interface PhaseResult {
  latenciesMs: number[];
  wallMs: number;
  failures: string[];
}

export async function timed(
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

export async function stopProc(p: { kill(s?: NodeJS.Signals): Promise<unknown> }): Promise<void> {
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

export async function baselinePhase(env: TestWorkflowEnvironment, cfg: PhaseConfig, tag: string) {
  const taskQueue = `bench-baseline-${tag}`;
  const proc = runTs('bench/baseline-worker.ts', [], {
    ...workerImageEnv(),
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

/** `nodeArgs`: the worker's node flags (`--cpu-prof`); `window` is the measured phase, for the profile. */
export async function onboardingPhase(
  env: TestWorkflowEnvironment,
  emu: StartedEmulator,
  cfg: PhaseConfig,
  tag: string,
  nodeArgs: string[] = [],
) {
  const target: WorkerTarget = {
    env,
    taskQueue: `bench-onboarding-${tag}`,
    emulatorUrl: emu.url,
    emulator: emu.options,
  };
  const proc = await startWorker(target, {}, nodeArgs);
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
    const window: Window = { fromUs: nowUs(), toUs: 0 };
    const { result: r, cpuMs } = await measureCpu(
      { worker: proc.child.pid, server: devServerPid(env.address) },
      () => timed(cfg.n, cfg.concurrency, (i) => onboard(`bench-${tag}-${i}`, `Bench ${tag} ${i}`)),
    );
    window.toUs = nowUs();
    const rss = sampler.stop();

    // Where the time goes, from the histories of a sample of the measured runs.
    const sample = Array.from({ length: Math.min(cfg.profileSample, cfg.n) }, (_, k) =>
      Math.floor((k * cfg.n) / Math.max(1, Math.min(cfg.profileSample, cfg.n))),
    );
    const profiles = await Promise.all(
      sample.map(async (i) => profileHistory(await fetchHistory(env.client, `bench-${tag}-${i}`))),
    );
    const probeProfile = profileHistory(await fetchHistory(env.client, `bench-${tag}-probe`));
    return { ...r, rss, cpuMs, probeMs, probeCalls, profiles, probeProfile, window };
  } finally {
    await stopProc(proc);
  }
}

export async function sequentialPhase(emu: StartedEmulator, cfg: PhaseConfig, tag: string) {
  const aep = aepClientFor(emu);
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
