// `npm run worker`: config -> Temporal connection (envconfig) -> AEP client -> activities -> Worker.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { createAepClient, loadAepConfig, redactConfig } from './aep';
import { DEFAULT_TASK_QUEUE } from './shared/naming';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { createOnboardingWorker } from './temporal/worker-factory';

function intEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const aepConfig = loadAepConfig();
  const temporalConfig = loadClientConnectConfig();
  const namespace = temporalConfig.namespace ?? 'default';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE;
  const address = temporalConfig.connectionOptions.address ?? 'localhost:7233';

  const connection = await NativeConnection.connect(temporalConfig.connectionOptions).catch((err: Error) => {
    throw new Error(
      `Cannot reach Temporal at ${address} (${err.message}). Start one with 'temporal server start-dev', ` +
        `or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY (or a TEMPORAL_PROFILE).`,
    );
  });
  const sa = await ensureSearchAttributes(connection, namespace);
  if (sa.added.length) console.log(`Added search attributes: ${sa.added.join(', ')}`);

  const aep = createAepClient(aepConfig);
  const worker = await createOnboardingWorker({
    connection,
    namespace,
    taskQueue,
    aep,
    tuning: {
      maxConcurrentActivityTaskExecutions: intEnv('WORKER_MAX_CONCURRENT_ACTIVITIES'),
      maxConcurrentWorkflowTaskExecutions: intEnv('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'),
      maxCachedWorkflows: intEnv('WORKER_MAX_CACHED_WORKFLOWS'),
      shutdownGraceTime: intEnv('WORKER_SHUTDOWN_GRACE_MS') ?? 10_000,
    },
  });
  console.log(
    `aep-onboarding worker: Temporal ${address} namespace ${namespace} task queue ${taskQueue}; ` +
      `AEP ${JSON.stringify(redactConfig(aepConfig))}`,
  );
  // The Runtime's default shutdown signals (SIGINT, SIGTERM, ...) make run() resolve after in-flight tasks drain.
  try {
    await worker.run();
  } finally {
    await aep.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
