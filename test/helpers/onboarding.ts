// The onboarding under test, on real parts: a real Temporal server, the emulator over loopback HTTP, the real AEP
// client, the real activities and workflows (bundled once per test file).
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAepClient, type AepClient } from '../../src/aep';
import { startOnboarding } from '../../src/client/onboarding';
import { PresetRegistry } from '../../src/presets/registry';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { bundleOnboardingWorkflows, createOnboardingWorker } from '../../src/temporal/worker-factory';
import type { EmulatorOptions } from '../../src/emulator/core/types';
import { startEmulator, type StartedEmulator } from './emulator';
import { createDevServerEnv, uniqueName } from './temporal';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds: once per process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleOnboardingWorkflows();
  return bundle;
}

export function aepClientFor(
  emu: StartedEmulator,
  overrides: { sandbox?: string; clientSecret?: string } = {},
): AepClient {
  return createAepClient({
    platformUrl: emu.url,
    imsUrl: emu.url,
    clientId: emu.options.clientId,
    clientSecret: overrides.clientSecret ?? emu.options.clientSecret,
    orgId: emu.options.orgId,
    sandbox: overrides.sandbox ?? 'prod',
    scopes: 'openid,AdobeID',
    requestTimeoutMs: 5_000,
    connectTimeoutMs: 2_000,
  });
}

export interface Harness {
  env: TestWorkflowEnvironment;
  emu: StartedEmulator;
  aep: AepClient;
  presets: PresetRegistry;
  /** Runs `fn` while a worker on a fresh task queue serves it. */
  withWorker<R>(fn: (taskQueue: string) => Promise<R>, presets?: PresetRegistry): Promise<R>;
  /** Starts an onboarding on `taskQueue` with a unique workflow id. */
  start(taskQueue: string, input: unknown): ReturnType<typeof startOnboarding>;
  teardown(): Promise<void>;
}

export async function createHarness(emulatorOptions: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const [env, emu] = await Promise.all([
    createDevServerEnv(ONBOARDING_SEARCH_ATTRIBUTES),
    startEmulator(emulatorOptions),
  ]);
  const aep = aepClientFor(emu);
  const presets = PresetRegistry.fromEnv({});
  const wfBundle = await workflowBundle();
  return {
    env,
    emu,
    aep,
    presets,
    async withWorker(fn, workerPresets = presets) {
      const taskQueue = uniqueName('tq');
      const worker: Worker = await createOnboardingWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        aep,
        presets: workerPresets,
        tuning: { workflowBundle: wfBundle },
      });
      return worker.runUntil(fn(taskQueue));
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
      await aep.close();
      await emu.close();
      await env.teardown();
    },
  };
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
    // Runs are records of ingestion, and mapping-set versions the history of a mapping set: not resources.
    if (name === 'runs' || name === 'mappingSetVersions') continue;
    if ((items as unknown[]).length) out[name] = items;
  }
  return out;
}
