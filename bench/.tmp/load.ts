import { startDevServer, pool } from '/work/main/bench/infra';
import { runTs } from '/work/main/test/helpers/processes';
import { execSync } from 'node:child_process';
async function main() {
  const env = await startDevServer();
  const proc = runTs('bench/baseline-worker.ts', [], {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: 'q',
  });
  await proc.waitFor(/baseline worker: /, 120000);
  const before = execSync(`ps -eo pid,cputime,rss,args --sort=-cputime | head -8`).toString();
  const t0 = performance.now();
  await pool(200, Number(process.argv[2] ?? 20), (i) =>
    env.client.workflow.execute('baselineOnboarding', { taskQueue: 'q', workflowId: 'w' + i, args: [] }),
  );
  const wall = performance.now() - t0;
  console.log('wall', wall, 'thr', 200 / (wall / 1000));
  console.log(before);
  console.log(execSync(`ps -eo pid,cputime,rss,args --sort=-cputime | head -8`).toString());
  console.log('bench self cpu', process.cpuUsage());
  await proc.kill('SIGKILL');
  await env.teardown();
}
main();
