// The baseline's worker, a child process like the onboarding worker so both are measured the same way.
// Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { BaselineActivities } from './baseline-workflows';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'bench-baseline';
  const connection = await NativeConnection.connect({ address });
  const activities: BaselineActivities = { noop: async (step) => step };
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath: require.resolve('./baseline-workflows'),
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
