// The worker process killed (SIGKILL) in the middle of a create, then started again: the run completes with exactly
// one of each resource (the retried create finds what the dead worker's attempt made).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getProgressQuery } from '../../src/workflows/onboarding';
import { resourcesIn, useHarnessWithWorkers } from '../support/onboarding';
import type { Proc } from '../support/processes';
import { uniqueName } from '../support/temporal';

describe('worker crash mid-run', { timeout: 300_000 }, () => {
  const w = useHarnessWithWorkers();
  const startWorker = (taskQueue: string, extra: NodeJS.ProcessEnv = {}): Proc =>
    w.startWorker(taskQueue, {}, extra);

  it('completes after SIGKILL and restart with exactly one of each resource', async () => {
    await w.h.emu.control.reset();
    // The dataflow create is slow, so the kill lands while it is in flight (the emulator still commits it).
    await w.h.emu.control.fault({
      method: 'POST',
      path: '^/data/foundation/flowservice/flows$',
      kind: 'latency',
      latencyMs: 4000,
      count: 1,
    });
    const taskQueue = uniqueName('crash');
    const first = startWorker(taskQueue);
    await first.waitFor(/aep-onboarding worker: /, 90_000);
    const { handle } = await w.h.start(taskQueue, { source: 'chatlio', name: 'Crash test' });
    for (let i = 0; i < 300; i++) {
      const p = await handle.query(getProgressQuery).catch(() => undefined);
      if (p?.steps.flow?.state === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const killed = await first.kill('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');

    const second = startWorker(taskQueue);
    await second.waitFor(/aep-onboarding worker: /, 90_000);
    const result = await handle.result();
    assert.ok(result.webhookUrl);
    const resources = await resourcesIn(w.h.emu);
    assert.deepEqual(Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, v.length])), {
      fieldgroups: 1,
      schemas: 1,
      dataSets: 1,
      sourceConnections: 1,
      targetConnections: 1,
      mappingSets: 1,
      flows: 1,
    });
    const flowPosts = (await w.h.emu.control.calls()).filter(
      (c) => c.method === 'POST' && c.path.endsWith('/flows'),
    );
    assert.equal(flowPosts.length, 1, 'the retry found the flow instead of creating a second one');
    await second.kill('SIGTERM');
    const out = first.output() + second.output();
    assert.ok(!out.includes(w.h.emu.options.clientSecret), 'no secret in worker output');
  });
});
