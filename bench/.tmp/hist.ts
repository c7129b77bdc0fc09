import { startDevServer } from '/work/main/bench/infra';
import { runTs } from '/work/main/test/helpers/processes';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
async function main() {
  const env = await startDevServer();
  const proc = runTs('bench/baseline-worker.ts', [], {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'q',
  });
  await proc.waitFor(/baseline worker: /, 120000);
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    await env.client.workflow.execute('baselineOnboarding', {
      taskQueue: 'q',
      workflowId: 'w' + k,
      args: [],
    });
    console.log('total', performance.now() - t0);
  }
  const h = await env.client.workflow.getHandle('w2').fetchHistory();
  let prev = 0;
  for (const e of h.events ?? []) {
    const t = tsToMs(e.eventTime!);
    console.log(String(t - (prev || t)).padStart(5), temporal.api.enums.v1.EventType[e.eventType!]);
    prev = t;
  }
  await proc.kill('SIGKILL');
  await env.teardown();
}
main();
