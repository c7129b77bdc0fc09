// The onboarding under test, on real parts: a real Temporal server, the emulator over loopback HTTP, the real AEP
// client, the real activities and workflows (bundled once per test file).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAepClient, type AepClient, type Exchange, type RequestBudgets } from '../../src/aep';
import { startOnboarding } from '../../src/client/onboarding';
import { PresetRegistry } from '../../src/presets/registry';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { workflowBundle } from './build-cache';
import type { EmulatorOptions } from '../../src/emulator/core/types';
import { startEmulator, type StartedEmulator } from './emulator';
import { buildWorkerOnce } from './infra';
import { startWorkerProcess, type Proc } from './processes';
import { createOnboardingServerEnv, terminateOpen, uniqueName } from './temporal';

export { workflowBundle } from './build-cache';

export function aepClientFor(
  emu: StartedEmulator,
  overrides: {
    sandbox?: string;
    clientSecret?: string;
    onExchange?: (exchange: Exchange) => void;
    budgets?: RequestBudgets;
  } = {},
): AepClient {
  const hooks = {
    ...(overrides.onExchange ? { onExchange: overrides.onExchange } : {}),
    ...(overrides.budgets ? { budgets: overrides.budgets } : {}),
  };
  return createAepClient(
    {
      platformUrl: emu.url,
      imsUrl: emu.url,
      clientId: emu.options.clientId,
      clientSecret: overrides.clientSecret ?? emu.options.clientSecret,
      orgId: emu.options.orgId,
      sandbox: overrides.sandbox ?? 'prod',
      scopes: 'openid,AdobeID',
      requestTimeoutMs: 5_000,
      connectTimeoutMs: 2_000,
    },
    hooks,
  );
}

export interface Harness {
  env: TestWorkflowEnvironment;
  emu: StartedEmulator;
  aep: AepClient;
  presets: PresetRegistry;
  /**
   * Runs `fn` while a worker serves its task queue: the suite's one worker, with no run of an earlier test left on
   * the queue; a worker of its own when `presets` differ from the harness's.
   */
  withWorker<R>(fn: (taskQueue: string) => Promise<R>, presets?: PresetRegistry): Promise<R>;
  /** The same with a new worker on a fresh task queue: nothing it remembers (the tenant id it read) carries over. */
  withFreshWorker<R>(fn: (taskQueue: string) => Promise<R>, presets?: PresetRegistry): Promise<R>;
  /** Starts an onboarding on `taskQueue` with a unique workflow id. */
  start(taskQueue: string, input: unknown): ReturnType<typeof startOnboarding>;
  teardown(): Promise<void>;
}

export async function createHarness(
  emulatorOptions: Partial<EmulatorOptions> = {},
  /** `budgets`: the worker's org request budgets, as src/worker.ts wires them (none by default). */
  opts: { budgets?: RequestBudgets } = {},
): Promise<Harness> {
  const [env, emu] = await Promise.all([createOnboardingServerEnv(), startEmulator(emulatorOptions)]);
  const aep = aepClientFor(emu, opts.budgets ? { budgets: opts.budgets } : {});
  const presets = PresetRegistry.fromEnv({});
  const wfBundle = await workflowBundle();
  const createWorker = (taskQueue: string, workerPresets: PresetRegistry): Promise<Worker> =>
    createOnboardingWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      aep,
      presets: workerPresets,
      tuning: { workflowBundle: wfBundle },
    });
  let shared: Promise<{ worker: Worker; running: Promise<void> }> | undefined;
  const withFreshWorker: Harness['withFreshWorker'] = async (fn, workerPresets = presets) => {
    const worker = await createWorker(uniqueName('tq'), workerPresets);
    return worker.runUntil(fn(worker.options.taskQueue));
  };
  return {
    env,
    emu,
    aep,
    presets,
    withFreshWorker,
    async withWorker(fn, workerPresets) {
      if (workerPresets && workerPresets !== presets) return withFreshWorker(fn, workerPresets);
      // Worker.create costs about two seconds of CPU (a thread that loads the bundle), and most suites ask for a
      // worker in every test: the harness keeps one and gives each test what a fresh worker would have left, no
      // run of an earlier test still going on its task queue.
      shared ??= createWorker(uniqueName('tq'), presets).then((worker) => ({
        worker,
        running: worker.run(),
      }));
      const { worker, running } = await shared;
      const taskQueue = worker.options.taskQueue;
      try {
        return await Promise.race([
          fn(taskQueue),
          running.then(() => Promise.reject(new Error('the shared test worker stopped'))),
        ]);
      } finally {
        await terminateRunning(env.client, taskQueue);
      }
    },
    start(taskQueue, input) {
      return startOnboarding(env.client, input, {
        orgId: emu.options.orgId,
        defaultSandbox: 'prod',
        taskQueue,
        workflowId: uniqueName('onboard-test'),
      });
    },
    async teardown() {
      if (shared) {
        const { worker, running } = await shared;
        worker.shutdown();
        await running;
      }
      await aep.close();
      await emu.close();
      await env.teardown();
    },
  };
}

/**
 * Ends every run still open on `taskQueue` (a test's cancelled or abandoned runs), as stopping a worker of its own
 * would have: the next test then starts on a quiet queue. Visibility can lag a start by a moment, so it looks twice.
 */
async function terminateRunning(client: Client, taskQueue: string): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    const ended = await terminateOpen(
      client,
      'the test that started it has ended',
      `TaskQueue = '${taskQueue}'`,
    );
    if (ended === 0 && pass === 0) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every resource of every tenant in the emulator, as `collection:id` strings (records excluded). */
export async function resourcesIn(
  emu: StartedEmulator,
  sandbox = 'prod',
): Promise<Record<string, unknown[]>> {
  const state = await emu.control.state();
  const tenant = state.tenants.find((t) => t.org === emu.options.orgId && t.sandbox === sandbox);
  const out: Record<string, unknown[]> = {};
  for (const [name, items] of Object.entries(tenant?.collections ?? {})) {
    // Runs and Observability Insights counters are records of ingestion, and mapping-set versions the history of a
    // mapping set: not resources. Spec overrides are the control plane's provisioning of the org.
    if (['runs', 'insightsMetrics', 'mappingSetVersions', 'specOverrides'].includes(name)) continue;
    if ((items as unknown[]).length) out[name] = items;
  }
  return out;
}

/**
 * Call inside a `describe`: the suite's harness, set up in its `before` hook and torn down in its `after` hook.
 * The object stands for the harness from `before` on; `cliEnv` also points the in-process CLI at it.
 */
export function useHarness(opts: { cliEnv?: Record<string, string>; quiet?: boolean } = {}): Harness {
  let real: Harness | undefined;
  let saved: NodeJS.ProcessEnv | undefined;
  before(async () => {
    // Expected activity failures (conflicts, refused deletes, scripted faults) would otherwise log as warnings.
    if (opts.quiet !== false) installQuietRuntime();
    real = await createHarness();
    if (opts.cliEnv) {
      saved = { ...process.env };
      Object.assign(process.env, {
        TEMPORAL_ADDRESS: real.env.address,
        TEMPORAL_NAMESPACE: real.env.namespace ?? 'default',
        AEP_ORG_ID: real.emu.options.orgId,
        AEP_SANDBOX: 'prod',
        ...opts.cliEnv,
      });
      delete process.env.TEMPORAL_TASK_QUEUE;
      delete process.env.TEMPORAL_PROFILE;
    }
  });
  after(async () => {
    if (saved) process.env = saved;
    await real?.teardown();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!real) throw new Error('the harness is set up in the suite’s before hook');
      const value: unknown = Reflect.get(real, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
  });
}

let quiet = false;
/** The SDK's runtime logs errors only; once per process, before the first connection. */
export function installQuietRuntime(): void {
  if (quiet) return;
  quiet = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by a connection made earlier in this process: keep it.
  }
}

/**
 * A suite's harness, and `src/worker.ts` processes (compiled, as the image runs it) against it: every process is
 * killed when the suite ends.
 */
export interface HarnessWithWorkers {
  /** Stands for the harness from the suite's `before` on. */
  readonly h: Harness;
  startWorker(
    taskQueue: string,
    credentials?: Partial<Harness['emu']['options']>,
    extra?: NodeJS.ProcessEnv,
  ): Proc;
}

/**
 * Call inside a `describe`: registers the suite's before/after hooks. Workers load the suite's workflow bundle
 * from a file (WORKFLOW_BUNDLE_PATH), as a deployment that ran `npm run build:bundle` does, instead of bundling
 * for seconds at each start; pass `WORKFLOW_BUNDLE_PATH: ''` in `extra` to have a worker bundle at start-up.
 */
export function useHarnessWithWorkers(): HarnessWithWorkers {
  const procs: Proc[] = [];
  const h = useHarness({ quiet: false });
  let dir: string | undefined;
  let bundlePath = '';
  let workerJs = '';
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aep-workers-'));
    bundlePath = path.join(dir, 'workflow-bundle.js');
    const [bundle, build] = await Promise.all([workflowBundle(), buildWorkerOnce()]);
    writeFileSync(bundlePath, bundle.code);
    workerJs = build.workerJs;
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    h,
    startWorker(taskQueue, credentials = {}, extra = {}) {
      const p = startWorkerProcess(
        {
          temporalAddress: h.env.address,
          namespace: h.env.namespace ?? 'default',
          emulatorUrl: h.emu.url,
          credentials: { ...h.emu.options, ...credentials },
          workerJs,
        },
        taskQueue,
        { WORKFLOW_BUNDLE_PATH: bundlePath, ...extra },
      );
      procs.push(p);
      return p;
    },
  };
}

/** A Chatlio onboarding's creates in the order it registers them; its undos run in the reverse order. */
export const REGISTRATION = [
  'sourceConnection',
  'fieldGroup',
  'schema',
  'dataset',
  'mappingSet',
  'targetConnection',
  'flow',
] as const;
/** What compensation undoes after a failure at the last step, newest first (one of the orders assertNewestFirst takes). */
export const UNDONE_NEWEST_FIRST: string[] = [...REGISTRATION].reverse();

/** Each step and the steps its resource refers to, which must be undone after it. */
const REFERS_TO: Record<string, string[]> = {
  flow: ['targetConnection', 'mappingSet', 'sourceConnection'],
  targetConnection: ['dataset', 'schema'],
  mappingSet: ['schema'],
  dataset: ['schema'],
  schema: ['fieldGroup'],
  sourceConnection: ['baseConnection'],
};

/**
 * Undone newest first: exactly `expected` (any order), each step before every step it refers to. The two branches
 * after the schema (dataset then target connection; validation then mapping set) register in the order their steps
 * end, which a test does not fix, so no order between them is asserted.
 */
export function assertNewestFirst(undone: readonly string[], expected: readonly string[]): void {
  assert.deepEqual([...undone].sort(), [...expected].sort(), `undone: ${undone.join(', ')}`);
  for (const [step, after] of Object.entries(REFERS_TO)) {
    for (const later of after) {
      if (undone.includes(step) && undone.includes(later))
        assert.ok(
          undone.indexOf(step) < undone.indexOf(later),
          `${step} before ${later}: ${undone.join(', ')}`,
        );
    }
  }
}
