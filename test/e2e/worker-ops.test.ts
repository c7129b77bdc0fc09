// The worker process as operators run it: Prometheus metrics (Temporal's and its own counters), structured JSON logs
// with workflow/activity context and no secrets, and a graceful shutdown that lets in-flight activities finish.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getProgressQuery } from '../../src/workflows/onboarding';
import { resourcesIn, useHarnessWithWorkers } from '../support/onboarding';
import { freePort, type Proc } from '../support/processes';
import { uniqueName } from '../support/temporal';

describe('worker operations', { timeout: 300_000 }, () => {
  const w = useHarnessWithWorkers();
  const issuedTokens = new Set<string>();
  const startWorker = (taskQueue: string, extra: NodeJS.ProcessEnv = {}): Proc =>
    w.startWorker(taskQueue, {}, extra);

  it('serves Prometheus metrics and writes JSON logs with context and no secrets', async () => {
    await w.h.emu.control.reset();
    const port = await freePort();
    const taskQueue = uniqueName('ops');
    const worker = startWorker(taskQueue, { WORKER_METRICS_BIND: `127.0.0.1:${port}`, LOG_LEVEL: 'DEBUG' });
    await worker.waitFor(/aep-onboarding worker/, 90_000);
    const { handle } = await w.h.start(taskQueue, { source: 'chatlio', name: 'Metrics' });
    await handle.result();
    for (const t of w.h.emu.state.tokens.keys()) issuedTokens.add(t);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (name: string, labels: RegExp = /.*/) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(name) && labels.test(l))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    assert.ok(value('aep_onboardings_started') >= 1, 'own counter: onboardings started');
    assert.ok(value('aep_onboardings_completed') >= 1, 'own counter: onboardings completed');
    assert.ok(value('aep_api_calls', /status="201"/) >= 4, 'AEP calls by status');
    assert.ok(value('aep_api_calls', /status="200"/) >= 1);
    assert.ok(
      /temporal_activity_execution_latency|temporal_workflow_completed/.test(metrics),
      'Runtime metrics',
    );

    await worker.kill('SIGTERM');
    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    assert.ok(lines.length > 5, 'JSON log lines');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of entries) assert.ok(e.time && e.level && typeof e.msg === 'string', JSON.stringify(e));
    assert.ok(
      entries.some((e) => e.workflowId === handle.workflowId && e.activityType),
      'activity lines carry workflow and activity context',
    );
    const out = worker.output();
    assert.ok(!out.includes(w.h.emu.options.clientSecret), 'no client secret in the logs');
    for (const t of issuedTokens) assert.ok(!out.includes(t), 'no access token in the logs');
  });

  it('SIGTERM lets an in-flight activity finish; another worker completes the run with one of each', async () => {
    await w.h.emu.control.reset();
    await w.h.emu.control.fault({
      method: 'POST',
      path: '^/data/foundation/flowservice/flows$',
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    const taskQueue = uniqueName('graceful');
    const first = startWorker(taskQueue);
    await first.waitFor(/aep-onboarding worker/, 90_000);
    const { handle } = await w.h.start(taskQueue, { source: 'chatlio', name: 'Graceful' });
    for (let i = 0; i < 300; i++) {
      const p = await handle.query(getProgressQuery).catch(() => undefined);
      if (p?.steps.flow?.state === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const stopped = await first.kill('SIGTERM');
    assert.equal(stopped.code, 0, first.output().slice(-2000));
    const flowPosts = (await w.h.emu.control.calls()).filter(
      (c) => c.method === 'POST' && c.path.endsWith('/flows'),
    );
    assert.equal(flowPosts.length, 1);
    assert.equal(flowPosts[0]!.status, 201, 'the in-flight create finished before the worker exited');

    const second = startWorker(taskQueue);
    await second.waitFor(/aep-onboarding worker/, 90_000);
    await handle.result();
    const flows = (await resourcesIn(w.h.emu)).flows ?? [];
    assert.equal(flows.length, 1);
    await second.kill('SIGTERM');
  });
});
