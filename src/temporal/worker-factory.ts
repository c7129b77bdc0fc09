// Builds the onboarding worker from its parts; src/worker.ts, `npm start` and the tests all wire it through here.
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  bundleWorkflowCode,
  Worker,
  type Logger,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundle,
  type WorkflowBundlePath,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities';
import type { AepClient } from '../aep';
import { PresetRegistry } from '../presets/registry';
import { onboardingRecords } from '../records';
import { DEFAULT_TASK_QUEUE } from '../shared/naming';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Webpack's progress chatter would bury the worker's own log lines; its warnings and errors are kept. */
const bundlerLogger: Logger = {
  log: (level, message) => {
    if (level === 'WARN' || level === 'ERROR') console.error(message);
  },
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => console.error(message),
  error: (message) => console.error(message),
};

/**
 * The workflow bundle exactly as the SDK would build it from `workflowsPath` for this worker (no converter or
 * interceptor modules): the start-up bundling below and `npm run build:bundle` both come through here (tests pass
 * another `workflowsPath`: a fixture standing for the next version's code).
 */
export function bundleOnboardingWorkflows(
  workflowsPath = WORKFLOWS_PATH,
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: bundlerLogger });
}

/** What the SDK looks for in a bundle file: the inline source map that bundleWorkflowCode appends. */
const INLINE_SOURCE_MAP = '//# sourceMappingURL=data:';

/**
 * A prebuilt bundle file (WORKFLOW_BUNDLE_PATH) as `workflowBundle`, checked up front: the SDK would otherwise fail
 * later, inside Worker.create, with a message that names neither the file nor how to make one.
 */
export async function workflowBundleFile(codePath: string): Promise<WorkflowBundlePath> {
  const hint = `build it with 'npm run build:bundle', or unset WORKFLOW_BUNDLE_PATH to bundle at start-up`;
  let code: string;
  try {
    code = await readFile(codePath, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`Cannot read the workflow bundle WORKFLOW_BUNDLE_PATH=${codePath} (${reason}): ${hint}`);
  }
  if (!code.includes(INLINE_SOURCE_MAP)) {
    throw new Error(
      `WORKFLOW_BUNDLE_PATH=${codePath} is not a workflow bundle (no inline source map): ${hint}`,
    );
  }
  return { codePath };
}

/** Of the parent's node flags, only those that load code (tsx under `npm run worker`): no --inspect port clash. */
function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(arg))
      out.push(arg, execArgv[++i] ?? '');
    else if (/^(--import|--require|--loader|--experimental-loader)=/.test(arg)) out.push(arg);
  }
  return out;
}

/**
 * Bundles the workflows in a short-lived child process (this module run as a script). Webpack, once loaded, keeps
 * ~100 MB of the worker's RSS for the life of the process; in a child it is gone when the bundle is made. Bundled
 * afresh at every start, from the sources the worker runs, so it is never stale; it takes what in-process bundling
 * took (a few seconds).
 */
export function bundleInChildProcess(): Promise<WorkflowBundle> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      execArgv: loaderArgs(process.execArgv),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let code: string | undefined;
    child.once('message', (m: { code?: unknown }) => {
      if (typeof m.code === 'string') code = m.code;
    });
    child.once('error', reject);
    child.once('exit', (status, signal) => {
      if (code !== undefined) resolve({ code });
      else
        reject(new Error(`Bundling the workflows failed (bundler process ended with ${signal ?? status})`));
    });
  });
}

if (require.main === module && process.send) {
  // The bundler process of bundleInChildProcess: its parent gone, it has no one to hand the bundle to.
  process.once('disconnect', () => process.exit(1));
  bundleOnboardingWorkflows().then(
    ({ code }) => process.send!({ code }, () => process.exit(0)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  aep: AepClient;
  presets?: PresetRegistry;
  /** The drift check's notification hook (AEP_NOTIFY_URL, checked by loadDriftConfig). */
  notifyUrl?: string;
  /** Payload encryption (src/temporal/codec.ts); clients must use the same. */
  dataConverter?: DataConverter;
  /** Worker tuning and test overrides (concurrency, cache size, bundle...). */
  tuning?: Partial<
    Pick<
      WorkerOptions,
      | 'maxConcurrentActivityTaskExecutions'
      | 'maxConcurrentWorkflowTaskExecutions'
      | 'maxCachedWorkflows'
      | 'shutdownGraceTime'
      | 'shutdownForceTime'
      | 'workflowBundle'
      | 'identity'
    >
  >;
}

export async function createOnboardingWorker(opts: OnboardingWorkerOptions): Promise<Worker> {
  const { workflowBundle, ...rest } = opts.tuning ?? {};
  // Unset knobs must not override the SDK's defaults with `undefined`.
  const tuning = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const namespace = opts.namespace ?? 'default';
  // The activities read onboarding records through a client on the worker's own connection, namespace and data
  // converter (results may be encrypted): what the SDK's ambient activity client was, now injected.
  const client = new Client({
    connection: opts.connection,
    namespace,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
  });
  return Worker.create({
    connection: opts.connection,
    namespace,
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    // Without a prebuilt bundle, bundled aside rather than by Worker.create's in-process webpack (see above).
    workflowBundle: workflowBundle ?? (await bundleInChildProcess()),
    activities: createActivities({
      aep: opts.aep,
      presets: opts.presets ?? PresetRegistry.fromEnv(),
      records: onboardingRecords(client),
      ...(opts.notifyUrl ? { notifyUrl: opts.notifyUrl } : {}),
    }),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...tuning,
  });
}
