// Docker HEALTHCHECK of the worker image. The worker serves no port, so "healthy" is what matters: Temporal
// lists a recent poller from this container (the SDK's default identity `<pid>@<hostname>`) for both the workflow
// and the activity tasks of the worker's task queue. It reads the same settings as the worker (envconfig:
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, TEMPORAL_PROFILE; TEMPORAL_TASK_QUEUE), so it also fails
// when Temporal is unreachable, which is when the worker cannot do anything either.
import os from 'node:os';
import process from 'node:process';
// Default imports: these packages are CommonJS.
import client from '@temporalio/client';
import envconfig from '@temporalio/envconfig';
import proto from '@temporalio/proto';

const { Connection } = client;
const { loadClientConnectConfig } = envconfig;
const { TaskQueueType, TaskQueueKind } = proto.temporal.api.enums.v1;

// A poll is a long poll of up to ~70 s, and its start is the poller's last access time: allow two of them.
const MAX_POLLER_AGE_MS = 150_000;

function toMs(ts) {
  return ts ? Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0;
}

async function main() {
  const config = loadClientConnectConfig();
  const namespace = config.namespace ?? 'default';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE || 'aep-onboarding';
  const suffix = `@${os.hostname()}`;
  const connection = await Connection.connect({ ...config.connectionOptions, connectTimeout: 5000 });
  try {
    for (const [label, type] of [
      ['workflow', TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
      ['activity', TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
    ]) {
      const res = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: type,
      });
      const mine = (res.pollers ?? []).filter((p) => (p.identity ?? '').endsWith(suffix));
      const newest = Math.max(0, ...mine.map((p) => toMs(p.lastAccessTime)));
      if (Date.now() - newest > MAX_POLLER_AGE_MS) {
        throw new Error(
          `no recent ${label} poller from ${os.hostname()} on task queue ${taskQueue} (${namespace})`,
        );
      }
    }
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`unhealthy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
