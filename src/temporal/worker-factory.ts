// Builds the onboarding worker from its parts; src/worker.ts, `npm start` and the tests all wire it through here.
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities';
import type { AepClient } from '../aep';
import { PresetRegistry } from '../presets/registry';
import { DEFAULT_TASK_QUEUE } from '../shared/naming';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  aep: AepClient;
  presets?: PresetRegistry;
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
      | 'workflowBundle'
      | 'identity'
    >
  >;
}

export async function createOnboardingWorker(opts: OnboardingWorkerOptions): Promise<Worker> {
  const { workflowBundle, ...rest } = opts.tuning ?? {};
  // Unset knobs must not override the SDK's defaults with `undefined`.
  const tuning = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ aep: opts.aep, presets: opts.presets ?? PresetRegistry.fromEnv() }),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...tuning,
  });
}
