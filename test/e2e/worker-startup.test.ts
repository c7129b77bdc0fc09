// The worker process at its edges: it checks its AEP credential before it polls (and refuses to start on one AEP
// refuses, naming the fix and never the secret), and a SIGTERM ends it within the grace time even when an AEP call
// in flight takes longer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getProgressQuery } from '../../src/workflows/onboarding';
import { useHarnessWithWorkers, type Harness } from '../support/onboarding';
import { freePort, type Proc } from '../support/processes';
import { uniqueName } from '../support/temporal';

const WRONG_SECRET = 'wrong-secret-7f3a9c1e5b';

/** The worker's log as a person reads it: each JSON line's message (quotes and line breaks unescaped). */
function logText(p: Proc): string {
  return p
    .output()
    .split('\n')
    .map((l) => {
      if (!l.startsWith('{')) return l;
      try {
        return String((JSON.parse(l) as { msg?: unknown }).msg);
      } catch {
        return l;
      }
    })
    .join('\n');
}

describe('worker start-up check and shutdown', { timeout: 300_000 }, () => {
  const w = useHarnessWithWorkers();
  const startWorker = w.startWorker.bind(w);

  const refusals: Array<[string, Partial<Harness['emu']['options']>, NodeJS.ProcessEnv, RegExp]> = [
    [
      'a wrong secret',
      { clientSecret: WRONG_SECRET },
      {},
      /IMS refused the credential: check .*AEP_CLIENT_SECRET/,
    ],
    ['an unknown org', { orgId: 'NOSUCHORG@AdobeOrg' }, {}, /not entitled to this org \(AEP_ORG_ID\)/],
    ['an unknown sandbox', {}, { AEP_SANDBOX: 'nosuch' }, /AEP does not know sandbox "nosuch"/],
  ];
  for (const [label, credentials, env, fix] of refusals) {
    it(`refuses to start with ${label}: exit 1, the problem and its fix, no secret`, async () => {
      const worker = startWorker(uniqueName('refused'), credentials, env);
      const { code } = await worker.exited;
      const out = logText(worker);
      assert.equal(code, 1, out);
      assert.match(out, /AEP refused the worker's credential for org .*, sandbox ".*"/);
      assert.match(out, fix);
      assert.match(out, /WORKER_SKIP_AEP_CHECK=true/);
      assert.ok(!/aep-onboarding worker:/.test(out), 'it never started polling');
      assert.ok(!worker.output().includes(WRONG_SECRET), 'the secret is not in the output');
      assert.ok(!worker.output().includes(w.h.emu.options.clientSecret), 'the secret is not in the output');
    });
  }

  it('says in one line that the credential was accepted; WORKER_SKIP_AEP_CHECK=true starts without the check', async () => {
    const good = startWorker(uniqueName('accepted'));
    await good.waitFor(/aep-onboarding worker:/, 90_000);
    const accepted = logText(good)
      .split('\n')
      .filter((l) => l.startsWith('AEP credential accepted'));
    assert.equal(accepted.length, 1, good.output());
    assert.match(accepted[0]!, /schemaregistry\/stats for org .*, sandbox "prod"/);
    assert.equal((await good.kill('SIGTERM')).code, 0);

    const skipped = startWorker(
      uniqueName('skipped'),
      { clientSecret: WRONG_SECRET },
      { WORKER_SKIP_AEP_CHECK: 'true' },
    );
    await skipped.waitFor(/aep-onboarding worker:/, 90_000);
    assert.match(skipped.output(), /AEP credential check skipped/);
    assert.ok(!skipped.output().includes(WRONG_SECRET));
    await skipped.kill('SIGTERM');
  });

  it('starts, with a warning, when AEP cannot be reached (the activities retry that)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const worker = startWorker(
      uniqueName('unreachable'),
      {},
      { AEP_PLATFORM_URL: closed, AEP_IMS_URL: closed },
    );
    await worker.waitFor(/aep-onboarding worker:/, 90_000);
    assert.match(logText(worker), /Could not check the AEP credential for org .*; starting anyway/);
    assert.equal((await worker.kill('SIGTERM')).code, 0);
  });

  it('SIGTERM during a 25 s AEP call ends the worker after the grace time, without waiting for the call', async () => {
    await w.h.emu.control.reset();
    await w.h.emu.control.fault({
      method: 'POST',
      path: '^/data/foundation/flowservice/flows$',
      kind: 'latency',
      latencyMs: 25_000,
      count: 1,
    });
    const graceMs = 3_000;
    const taskQueue = uniqueName('grace');
    const worker = startWorker(taskQueue, {}, { WORKER_SHUTDOWN_GRACE_MS: String(graceMs) });
    await worker.waitFor(/aep-onboarding worker:/, 90_000);
    const { handle } = await w.h.start(taskQueue, { source: 'chatlio', name: 'Grace' });
    let flowRunning = false;
    for (let i = 0; i < 300 && !flowRunning; i++) {
      const p = await handle.query(getProgressQuery).catch(() => undefined);
      flowRunning = p?.steps.flow?.state === 'running';
      if (!flowRunning) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(flowRunning, 'the flow create is in flight');
    const signalledAt = Date.now();
    const { code } = await worker.kill('SIGTERM');
    const tookMs = Date.now() - signalledAt;
    assert.equal(code, 0, worker.output().slice(-2000));
    // Grace, then the 2 s margin, then process teardown. The bound only has to tell that from waiting out the held
    // call (25 s), so a loaded machine (other test files run beside this one) does not make it fail.
    assert.ok(tookMs < 20_000, `exited ${tookMs} ms after SIGTERM`);
    assert.ok(tookMs >= graceMs, `not before the grace time (${tookMs} ms)`);
    assert.match(logText(worker), /activities still running .* were abandoned/);
    await handle.terminate('test over');
  });
});
