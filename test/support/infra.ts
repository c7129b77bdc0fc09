// What the benchmark and the chaos run share: flags, the worker as a child process (so its memory is its own),
// its RSS read from /proc, a bounded-concurrency loop, percentiles.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerDynamicConfigArgs } from '../../src/dev/dev-server-config';
import { devServerExecutable } from '../../src/dev/temporal-binaries';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import type { EmulatorOptions } from '../../src/emulator/core/types';
import { buildOnce, sourceHash, workflowBundle } from './build-cache';
import { run, type Proc } from './processes';

export const WORKER_READY = /aep-onboarding worker: /;

/** A dev server with the onboarding's search attributes; `dynamicConfig` as `key=value` server settings. */
export function startDevServer(dynamicConfig: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      searchAttributes: ONBOARDING_SEARCH_ATTRIBUTES,
      // The project's dev-server settings (src/dev/dev-server-config.ts), then the run's own.
      extraArgs: [
        ...devServerDynamicConfigArgs(),
        ...dynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
      ],
    },
  });
}

/** Integer flags, `--json <file>` and boolean switches, with defaults; anything unknown is refused. */
export function parseFlags<N extends string, B extends string>(
  argv: string[],
  numbers: Record<N, number>,
  switches: readonly B[] = [],
): { [K in N]: number } & { [K in B]: boolean } & { json?: string } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'string' } };
  for (const k of Object.keys(numbers)) options[k] = { type: 'string' };
  for (const k of switches) options[k] = { type: 'boolean' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const out: Record<string, unknown> = { json: values['json'] };
  for (const [k, def] of Object.entries<number>(numbers)) {
    const raw = values[k];
    const n = raw === undefined ? def : Number(raw);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${k} must be a non-negative number, got "${String(raw)}"`);
    out[k] = n;
  }
  for (const k of switches) out[k] = values[k] === true;
  return out as { [K in N]: number } & { [K in B]: boolean } & { json?: string };
}

export interface WorkerTarget {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  emulatorUrl: string;
  emulator: Pick<EmulatorOptions, 'clientId' | 'clientSecret' | 'orgId'>;
}

interface ProductionBuild {
  workerJs: string;
  bundlePath: string;
}
let productionBuild: Promise<ProductionBuild> | undefined;

/**
 * `npm run build` and `npm run build:bundle` of the current sources, as the Docker image's build stage does them:
 * compiled into a directory under node_modules/.cache (the compiled files find node_modules from there, and no one
 * else's dist/ is overwritten), once per change of the sources for every process (test/support/build-cache.ts).
 * The bundle is the tests' own: `npm run build:bundle` writes the same `code` (scripts/bundle-workflows.ts).
 */
export function buildWorkerOnce(): Promise<ProductionBuild> {
  productionBuild ??= (async () => {
    const outDir = await buildOnce('worker-build', sourceHash(['tsconfig.build.json']), async (out) => {
      const tsc = run(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
        {},
      );
      const [{ code }, bundle] = await Promise.all([tsc.exited, workflowBundle()]);
      if (code !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${code}):\n${tsc.output()}`);
      writeFileSync(path.join(out, 'workflow-bundle.js'), bundle.code);
    });
    return { workerJs: path.join(outDir, 'worker.js'), bundlePath: path.join(outDir, 'workflow-bundle.js') };
  })();
  return productionBuild;
}

/** The worker image's environment (Dockerfile, target `worker`; test/deploy checks the two agree). */
export const WORKER_IMAGE_ENV = {
  NODE_ENV: 'production',
  NODE_OPTIONS: '--max-old-space-size=160 --max-semi-space-size=4',
  MALLOC_ARENA_MAX: '2',
  WORKER_MAX_CACHED_WORKFLOWS: '100',
} as const;

/** The image's environment, where a knob set in this process's environment wins (as with `docker run -e`). */
export function workerImageEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(WORKER_IMAGE_ENV).map(([k, v]) => [k, process.env[k] || v]));
}

/**
 * The worker as the Docker image runs it (compiled JS, prebuilt workflow bundle, the image's environment), pointed at
 * the dev server and the emulator; resolves once it polls. Not `tsx src/worker.ts`: tsx alone adds 50-60 MB of RSS
 * that production never has (README, "Memory"), and RSS is what the benchmark measures.
 */
export async function startWorker(
  t: WorkerTarget,
  extraEnv: NodeJS.ProcessEnv = {},
  /** Node's own flags (`--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs: string[] = [],
): Promise<Proc> {
  const { workerJs, bundlePath } = await buildWorkerOnce();
  const proc = run(process.execPath, [...nodeArgs, workerJs], {
    ...workerImageEnv(),
    WORKFLOW_BUNDLE_PATH: bundlePath,
    TEMPORAL_ADDRESS: t.env.address,
    TEMPORAL_NAMESPACE: t.env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: t.taskQueue,
    AEP_PLATFORM_URL: t.emulatorUrl,
    AEP_IMS_URL: t.emulatorUrl,
    AEP_CLIENT_ID: t.emulator.clientId,
    AEP_CLIENT_SECRET: t.emulator.clientSecret,
    AEP_ORG_ID: t.emulator.orgId,
    AEP_SANDBOX: 'prod',
    // Several workers (and other checkouts' tests) share this machine: no fixed metrics port.
    WORKER_METRICS_BIND: 'off',
    // Histories must stay readable for the secret scan.
    PAYLOAD_ENCRYPTION_KEY: '',
    ...extraEnv,
  });
  try {
    await proc.waitFor(WORKER_READY, 120_000);
  } catch (err) {
    await proc.kill('SIGKILL');
    throw err;
  }
  return proc;
}

/** kB values of /proc/<pid>/status, or undefined once the process is gone. */
export function procStatusKb(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process's resident memory while a phase runs. VmHWM covers the whole life of the process (the workflow
 * bundle is built at start-up), so the phase's own peak is the highest VmRSS sample.
 */
export class RssSampler {
  private peakKb = 0;
  private samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const s = procStatusKb(this.pid);
    if (!s || !Number.isFinite(s.rss)) return;
    this.samples++;
    this.peakKb = Math.max(this.peakKb, s.rss);
  }

  stop(): { peakRssMb: number; hwmMb: number; samples: number } {
    clearInterval(this.timer);
    this.sample();
    const hwm = procStatusKb(this.pid)?.hwm ?? NaN;
    return { peakRssMb: mb(this.peakKb), hwmMb: mb(hwm), samples: this.samples };
  }
}

/** CPU time (user + system) a process has used so far, in ms; NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux the project runs on. */
const CLOCK_TICKS = 100;

/** The dev server's process (found by its port), for its CPU time. */
export function devServerPid(address: string): number | undefined {
  const port = address.split(':').pop();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('start-dev') && args[args.indexOf('--port') + 1] === port) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** CPU ms that each process (and this one) spends while `fn` runs. */
export async function measureCpu<T>(
  pids: Record<string, number | undefined>,
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuMs(pid) : NaN]));
  const self = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(self);
  const out: Record<string, number> = { self: (used.user + used.system) / 1000 };
  for (const [k, pid] of Object.entries(pids)) out[k] = pid ? cpuMs(pid) - before[k]! : NaN;
  return { result, cpuMs: out };
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** Runs fn(0..n-1) with at most `concurrency` in flight; results in index order. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
  return out;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A deadline to race against: it does not keep the process alive once everything else is done. */
export const deadline = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

/** A two-column table for the terminal. */
export function table(rows: Array<[string, string | number | boolean | undefined]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v === undefined ? '-' : String(v)}`).join('\n');
}
