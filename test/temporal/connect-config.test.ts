// TEMPORAL_TLS=false with an API key would send the key in clear: every entry point refuses it before connecting,
// through the one check in src/temporal/connect-config.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, EXIT } from '../../src/cli/main';
import { loadTemporalConnectConfig, TemporalConfigError } from '../../src/temporal/connect-config';
import { EMULATOR_DEFAULTS } from '../../src/shared/aep-constants';
import { runTs } from '../support/processes';

const load = (env: Record<string, string>) =>
  loadTemporalConnectConfig({ disableFile: true, overrideEnvVars: env });

void describe('Temporal connection config', { timeout: 60_000 }, () => {
  void it('refuses an API key with TLS turned off, from the environment or a profile', () => {
    assert.throws(
      () => load({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }),
      (e: Error) => e instanceof TemporalConfigError && /API key .* TLS turned off/.test(e.message),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'envconfig-'));
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(file, '[profile.default]\napi_key = "k"\n[profile.default.tls]\ndisabled = true\n');
    assert.throws(
      () => loadTemporalConnectConfig({ configSource: { path: file }, overrideEnvVars: {} }),
      TemporalConfigError,
    );
    // What stays allowed: a key (TLS on by itself), TLS off without a key, and the local default.
    assert.equal(load({ TEMPORAL_API_KEY: 'k' }).connectionOptions.tls, true);
    assert.equal(load({ TEMPORAL_TLS: 'false' }).connectionOptions.tls, false);
    assert.equal(load({}).connectionOptions.apiKey, undefined);
  });

  void it('the CLI stops with a usage error, without connecting', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_TLS: 'false',
      TEMPORAL_ADDRESS: '192.0.2.1:7233',
    });
    const err: string[] = [];
    try {
      const code = await runCli(['list'], { out: () => undefined, err: (s: string) => void err.push(s) });
      assert.equal(code, EXIT.usage);
      assert.match(err.join('\n'), /TLS turned off/);
    } finally {
      for (const k of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_ADDRESS']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  void it('the worker refuses to start', async () => {
    const worker = runTs('src/worker.ts', [], {
      TEMPORAL_API_KEY: 'k',
      TEMPORAL_TLS: 'false',
      TEMPORAL_ADDRESS: '192.0.2.1:7233',
      AEP_PLATFORM_URL: 'http://127.0.0.1:9',
      AEP_IMS_URL: 'http://127.0.0.1:9',
      AEP_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
      AEP_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
      AEP_ORG_ID: EMULATOR_DEFAULTS.orgId,
      WORKER_METRICS_BIND: 'off',
    });
    const { code } = await worker.exited;
    assert.equal(code, 1);
    assert.match(worker.output(), /API key .* TLS turned off/);
  });
});
