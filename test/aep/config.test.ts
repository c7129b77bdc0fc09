import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AepConfigError, DEFAULT_SCOPES, loadAepConfig, redactConfig } from '../../src/aep';

const required = { AEP_CLIENT_ID: 'cid', AEP_CLIENT_SECRET: 'very-secret-value', AEP_ORG_ID: 'ORG@AdobeOrg' };

function configError(env: NodeJS.ProcessEnv): AepConfigError {
  try {
    loadAepConfig(env);
  } catch (err) {
    assert.ok(err instanceof AepConfigError);
    return err;
  }
  assert.fail('expected a configuration error');
}

void describe('loadAepConfig', () => {
  void it('applies the defaults', () => {
    assert.deepEqual(loadAepConfig(required), {
      platformUrl: 'https://platform.adobe.io',
      imsUrl: 'https://ims-na1.adobelogin.com',
      clientId: 'cid',
      clientSecret: 'very-secret-value',
      orgId: 'ORG@AdobeOrg',
      sandbox: 'prod',
      scopes: DEFAULT_SCOPES,
      requestTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
    });
  });

  void it('reads every variable, trims, drops trailing slashes', () => {
    const cfg = loadAepConfig({
      ...required,
      AEP_PLATFORM_URL: 'http://127.0.0.1:4010/',
      AEP_IMS_URL: ' http://127.0.0.1:4010 ',
      AEP_SANDBOX: 'dev',
      AEP_SCOPES: 'openid',
      AEP_REQUEST_TIMEOUT_MS: '1500',
      AEP_CONNECT_TIMEOUT_MS: '700',
    });
    assert.equal(cfg.platformUrl, 'http://127.0.0.1:4010');
    assert.equal(cfg.imsUrl, 'http://127.0.0.1:4010');
    assert.equal(cfg.sandbox, 'dev');
    assert.equal(cfg.scopes, 'openid');
    assert.equal(cfg.requestTimeoutMs, 1500);
    assert.equal(cfg.connectTimeoutMs, 700);
  });

  void it('lists every missing variable; empty counts as missing', () => {
    const err = configError({ AEP_CLIENT_SECRET: '  ' });
    assert.match(err.message, /missing AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID/);
  });

  void it('names invalid variables without printing values', () => {
    const err = configError({
      ...required,
      AEP_PLATFORM_URL: 'ftp://very-secret-value',
      AEP_REQUEST_TIMEOUT_MS: 'soon',
      AEP_CONNECT_TIMEOUT_MS: '-5',
    });
    assert.match(err.message, /AEP_PLATFORM_URL must be an http\(s\) URL/);
    assert.match(err.message, /AEP_REQUEST_TIMEOUT_MS/);
    assert.match(err.message, /AEP_CONNECT_TIMEOUT_MS must be > 0/);
    assert.doesNotMatch(err.message, /very-secret-value|soon|-5/);
  });

  void it('refuses plain http:// to a host off this machine, for the platform and for IMS', () => {
    for (const name of ['AEP_PLATFORM_URL', 'AEP_IMS_URL']) {
      for (const url of [
        'http://platform.adobe.io',
        'http://10.0.0.5:8080',
        'http://[fd00::2]:80',
        'http://127.0.0.1.nip.io',
      ]) {
        const err = configError({ ...required, [name]: url });
        assert.match(err.message, new RegExp(`${name} must be https://`), url);
        assert.match(err.message, /AEP_ALLOW_INSECURE_HTTP=true/);
      }
    }
    assert.doesNotMatch(
      configError({ ...required, AEP_IMS_URL: 'http://user:very-secret-value@ims.example' }).message,
      /very-secret-value/,
    );
  });

  void it('allows plain http:// to loopback (the emulator), and anywhere with AEP_ALLOW_INSECURE_HTTP=true', () => {
    for (const url of [
      'http://127.0.0.1:8090',
      'http://127.4.5.6',
      'http://localhost:8090',
      'http://[::1]:8090',
    ]) {
      assert.equal(loadAepConfig({ ...required, AEP_PLATFORM_URL: url, AEP_IMS_URL: url }).platformUrl, url);
    }
    const insecure = {
      ...required,
      AEP_PLATFORM_URL: 'http://aep-emulator:8090',
      AEP_IMS_URL: 'http://aep-emulator:8090',
    };
    assert.equal(
      loadAepConfig({ ...insecure, AEP_ALLOW_INSECURE_HTTP: 'true' }).imsUrl,
      'http://aep-emulator:8090',
    );
    assert.match(
      configError({ ...insecure, AEP_ALLOW_INSECURE_HTTP: 'false' }).message,
      /AEP_PLATFORM_URL must be/,
    );
    assert.match(
      configError({ ...insecure, AEP_ALLOW_INSECURE_HTTP: 'yes' }).message,
      /AEP_ALLOW_INSECURE_HTTP must be true or false/,
    );
  });

  void it('redactConfig hides user:password in the URLs', () => {
    const shown = redactConfig(
      loadAepConfig({ ...required, AEP_PLATFORM_URL: 'https://jane:pw-123@platform.example' }),
    );
    assert.equal(shown.platformUrl, 'https://***@platform.example');
  });

  void it('redactConfig hides the secret only', () => {
    const cfg = loadAepConfig(required);
    const shown = redactConfig(cfg);
    assert.equal(shown.clientSecret, '[REDACTED]');
    assert.equal(shown.clientId, 'cid');
    assert.ok(!JSON.stringify(shown).includes('very-secret-value'));
    assert.equal(cfg.clientSecret, 'very-secret-value', 'the original is untouched');
  });
});
