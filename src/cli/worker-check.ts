// `start` with no worker on the task queue would wait in silence: a run is durable and simply queues. After a short
// while the CLI asks Temporal who polls the queue and, when nobody does, says so and how to start a worker.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Ctx } from './context';

/** How long `start` waits before checking for a worker: AEP_ONBOARD_WORKER_WARNING_MS, 0 turns the check off. */
export function workerWarningDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AEP_ONBOARD_WORKER_WARNING_MS;
  const n = raw === undefined || raw === '' ? 5_000 : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : 5_000;
}

/** Whether any worker has polled the queue's workflow tasks recently (the server keeps pollers for a few minutes). */
export async function hasWorkflowPoller(client: Client, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers?.length ?? 0) > 0;
}

export function noWorkerMessage(taskQueue: string, afterMs: number): string {
  return (
    `No worker polls task queue "${taskQueue}" (checked after ${afterMs / 1000} s). The run is saved and starts ` +
    `as soon as one does: start one with 'npm run worker' (TEMPORAL_TASK_QUEUE=${taskQueue}, same ` +
    `TEMPORAL_ADDRESS and namespace), or 'npm start' for Temporal, the emulator and a worker locally. Still waiting.`
  );
}

/** Warns once on stderr (stdout stays one JSON document with --json); returns a function that stops the check. */
export function warnWhenNoWorker(ctx: Ctx, client: Client, taskQueue: string): () => void {
  const delay = workerWarningDelayMs();
  if (delay === 0) return () => undefined;
  let stopped = false;
  const timer = setTimeout(() => {
    hasWorkflowPoller(client, taskQueue).then(
      (polled) => {
        if (!polled && !stopped) ctx.err(noWorkerMessage(taskQueue, delay));
      },
      // A server that cannot describe the queue (permissions, an old version) only loses the warning.
      () => undefined,
    );
  }, delay);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
