// `npm run worker`: config -> telemetry -> Temporal connection (envconfig) -> AEP client -> activities -> Worker.
import { GracefulShutdownPeriodExpiredError, NativeConnection, Runtime } from '@temporalio/worker';
import { createAepClient, loadAepConfig, redactConfig } from './aep';
import { checkAepCredential } from './aep/preflight';
import { DEFAULT_TASK_QUEUE } from './shared/naming';
import { dataConverterFromEnv } from './temporal/codec';
import { aepCallCounter, installRuntime, loadObservabilityConfig } from './temporal/observability';
import { createRequestBudgets } from './temporal/request-budget';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { createOnboardingWorker, workflowBundleFile } from './temporal/worker-factory';
import { loadTemporalConnectConfig } from './temporal/connect-config';
import { loadDriftConfig } from './temporal/drift-config';
import { ensureDriftSchedule } from './client/drift';
import { Client } from '@temporalio/client';

function intEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** After the grace time, how long cancelled activities get to report before the worker stops waiting for them. */
const SHUTDOWN_FORCE_MARGIN_MS = 2_000;

/** The Runtime's logger buffers lines for a moment (to order them with Core's); process.exit would drop them. */
function exitWithLogs(code: number): never {
  Runtime.instance().flushLogs();
  process.exit(code);
}

async function main(): Promise<void> {
  const aepConfig = loadAepConfig();
  // Checked before anything connects: a bad hook URL or interval is a configuration error, not a runtime one.
  const drift = loadDriftConfig();
  const observability = loadObservabilityConfig();
  const temporalConfig = loadTemporalConnectConfig();
  const namespace = temporalConfig.namespace ?? 'default';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE;
  const address = temporalConfig.connectionOptions.address ?? 'localhost:7233';
  // A prebuilt bundle (`npm run build:bundle`, set in the Docker image) keeps webpack out of this process's memory.
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH || undefined;
  const workflowBundle = bundlePath ? await workflowBundleFile(bundlePath) : undefined;

  // The client exists before the Runtime so the log redaction knows its secret and every token it gets later.
  let aepSecrets: () => readonly string[] = () => [aepConfig.clientSecret];
  installRuntime(observability, () => aepSecrets());
  const log = Runtime.instance().logger;
  // One budget per org for the whole process: every run's calls of that org share its pauses and in-flight cap.
  const budgets = createRequestBudgets();
  const aep = createAepClient(aepConfig, { onResponse: aepCallCounter(), budgets });
  aepSecrets = () => aep.ims.secrets();

  if (process.env.WORKER_SKIP_AEP_CHECK === 'true') {
    log.warn('AEP credential check skipped (WORKER_SKIP_AEP_CHECK=true)');
  } else {
    const check = await checkAepCredential(aep);
    if (check.outcome === 'refused') {
      log.error(check.message);
      await aep.close();
      exitWithLogs(1);
    }
    if (check.outcome === 'ok') log.info(check.message);
    else log.warn(check.message);
  }

  const graceMs = intEnv('WORKER_SHUTDOWN_GRACE_MS') ?? 30_000;
  const connection = await NativeConnection.connect(temporalConfig.connectionOptions).catch((err: Error) => {
    throw new Error(
      `Cannot reach Temporal at ${address} (${err.message}). Start one with 'temporal server start-dev', ` +
        `or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY (or a TEMPORAL_PROFILE).`,
    );
  });
  const sa = await ensureSearchAttributes(connection, namespace);
  if (sa.added.length) log.info('Added search attributes', { added: sa.added, namespace });

  const worker = await createOnboardingWorker({
    connection,
    namespace,
    taskQueue,
    aep,
    dataConverter: dataConverterFromEnv(),
    notifyUrl: drift.notifyUrl,
    tuning: {
      maxConcurrentActivityTaskExecutions: intEnv('WORKER_MAX_CONCURRENT_ACTIVITIES'),
      maxConcurrentWorkflowTaskExecutions: intEnv('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'),
      maxCachedWorkflows: intEnv('WORKER_MAX_CACHED_WORKFLOWS'),
      // Time for in-flight activities to finish after SIGINT/SIGTERM before they are cancelled.
      shutdownGraceTime: graceMs,
      // An activity that ignores its cancellation (an AEP call in flight does) would hold the worker past the grace
      // time indefinitely; after the margin the SDK gives up on it and run() rejects, and the process exits.
      shutdownForceTime: graceMs + SHUTDOWN_FORCE_MARGIN_MS,
      workflowBundle,
    },
  });
  if (drift.sandboxes.length) {
    const dataConverter = dataConverterFromEnv();
    const client = new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) });
    for (const sandbox of drift.sandboxes) {
      const s = await ensureDriftSchedule(client, {
        orgId: aepConfig.orgId,
        sandbox,
        everyMs: drift.everyMs,
        silenceMs: drift.silenceMs,
        taskQueue,
      });
      log.info(
        `Drift schedule ${s.scheduleId} ${s.created ? 'created' : 'up to date'} (every ${s.everyMs} ms)`,
      );
    }
  }
  log.info(
    `aep-onboarding worker: Temporal ${address} namespace ${namespace} task queue ${taskQueue}` +
      (observability.metricsBind ? `; metrics http://${observability.metricsBind}/metrics` : ''),
    {
      aep: redactConfig(aepConfig),
      requestBudget: budgets.config,
      workflowBundle: bundlePath ?? '(bundled at start-up)',
      notifyHook: drift.notifyUrlShown ?? 'off',
    },
  );
  // The Runtime's default shutdown signals (SIGINT, SIGTERM, ...) make run() resolve after in-flight tasks drain.
  // Noted here only to tell a shutdown forced past its grace time from a failure.
  let signalledAt: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => (signalledAt ??= Date.now()));
  try {
    await worker.run();
  } catch (err) {
    // Past the force time the SDK abandons what still runs; run() then rejects (GracefulShutdownPeriodExpiredError,
    // or the native worker's "still in use" as it finalises with an activity in flight).
    const forced =
      err instanceof GracefulShutdownPeriodExpiredError ||
      (signalledAt !== undefined && Date.now() - signalledAt >= graceMs);
    if (!forced) throw err;
    // What was still running is retried elsewhere once its heartbeat times out; its create finds what it made.
    log.warn(
      `Shutdown: activities still running ${graceMs + SHUTDOWN_FORCE_MARGIN_MS} ms after the signal were abandoned ` +
        `(WORKER_SHUTDOWN_GRACE_MS=${graceMs}); another worker retries them`,
    );
    // Closing the AEP client would wait for the very calls that held the shutdown; they end with the process.
    exitWithLogs(0);
  } finally {
    await aep.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
