// The baseline's worker, a child process like the onboarding worker so both are measured the same way: the same
// image environment (heap flags, cache size; test/support/infra.ts WORKER_IMAGE_ENV) and a workflow bundle built before
// it starts (BASELINE_BUNDLE_PATH), as the onboarding worker's is.
// Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, BASELINE_BUNDLE_PATH, WORKER_MAX_CACHED_WORKFLOWS.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { BaselineActivities } from './baseline-workflows';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'bench-baseline';
  const bundlePath = process.env.BASELINE_BUNDLE_PATH;
  const cached = Number(process.env.WORKER_MAX_CACHED_WORKFLOWS);
  const connection = await NativeConnection.connect({ address });
  const activities: BaselineActivities = { noop: async (step) => step };
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath: require.resolve('./baseline-workflows') }),
    ...(Number.isInteger(cached) && cached > 0 ? { maxCachedWorkflows: cached } : {}),
    activities,
  });
  console.log(`baseline worker: task queue ${taskQueue}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
