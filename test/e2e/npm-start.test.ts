// `npm start` as a new user runs it: dev server with Web UI, emulator, worker, one Chatlio onboarding; the webhook URL
// works; Ctrl-C (SIGINT to the process group, as a terminal sends it) stops everything cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { freePort, ROOT } from '../support/processes';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';

describe('npm start', { timeout: 180_000 }, () => {
  it('runs a Chatlio onboarding end to end, prints the webhook URL, and stops cleanly on Ctrl-C', async () => {
    const [port, uiPort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_DEV_PORT: String(port),
      TEMPORAL_UI_PORT: String(uiPort),
      EMULATOR_PORT: String(emulatorPort),
    };
    for (const k of [
      'TEMPORAL_ADDRESS',
      'AEP_PLATFORM_URL',
      'AEP_IMS_URL',
      'AEP_CLIENT_SECRET',
      'ONBOARDING_INPUT',
    ])
      delete env[k];
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 150_000;
      while (!/Press Ctrl-C to stop everything/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null)
          assert.fail(`npm start did not get ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.match(out, new RegExp(`Web UI: http://127\\.0\\.0\\.1:${uiPort}`));
      assert.match(out, /Onboarding "Support chat" \(chatlio\) completed in sandbox prod/);
      const webhook =
        /\n\s+(http:\/\/127\.0\.0\.1:\d+\/collection\/[0-9a-f]{64}\?x-adobe-flow-id=[0-9a-f-]+)\n/.exec(
          out,
        )?.[1];
      assert.ok(webhook, `webhook URL printed:\n${out}`);
      assert.match(out, /Workflow id:\s+onboard-chatlio-prod-support-chat-/);
      assert.match(out, /1 record\(s\) in the dataset/);
      assert.ok(!out.includes('aep-emulator-local-secret'), 'the secret is never printed');

      // What a person then does: Chatlio posts to the webhook, and the UI shows the run.
      const r = await fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatlioSamples.offlineMessage),
      });
      assert.equal(r.status, 200);
      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(ui.status, 200);
      await ui.text();
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    }
    const end = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000)),
    ]);
    if (end === 'timeout') {
      process.kill(-child.pid!, 'SIGKILL');
      assert.fail(`not stopped within 30 s after Ctrl-C:\n${out.slice(-2000)}`);
    }
    // npm itself dies of the SIGINT it receives, like in a terminal; what matters is that our program stopped
    // everything in order and left nothing running.
    assert.ok(end.code === 0 || end.signal === 'SIGINT', `exit ${JSON.stringify(end)}`);
    assert.match(out, /Stopping worker, emulator and Temporal dev server/);
    assert.doesNotMatch(out, /cleanup: /);
    await new Promise((r) => setTimeout(r, 500));
    await assert.rejects(fetch(`http://127.0.0.1:${uiPort}/`), 'the Web UI is stopped');
    // Nothing keeps listening after the stop.
    await assert.rejects(fetch(`http://127.0.0.1:${emulatorPort}/__emulator/state`));
  });
});
