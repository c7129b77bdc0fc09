// The worker makes sure its search attributes exist: added on a fresh dev server, left alone when present, and a
// precise message when it may not add them (Temporal Cloud).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NativeConnection } from '@temporalio/worker';
import { ensureSearchAttributes, MissingSearchAttributesError } from '../../src/temporal/search-attributes';
import { createDevServerEnv } from '../support/temporal';

describe('ensureSearchAttributes', { timeout: 120_000 }, () => {
  it('adds the missing ones on a fresh dev server, then finds them present', async () => {
    const env = await createDevServerEnv([]);
    try {
      const ns = env.namespace ?? 'default';
      const first = await ensureSearchAttributes(env.nativeConnection, ns);
      assert.deepEqual(first.added.sort(), [
        'AepDrift',
        'AepHealth',
        'AepOnboardingName',
        'AepOnboardingStatus',
        'AepSandbox',
        'AepSource',
      ]);
      const listed = await env.nativeConnection.operatorService.listSearchAttributes({ namespace: ns });
      for (const name of first.added)
        assert.ok(name in (listed.customAttributes ?? {}), `${name} registered`);
      const second = await ensureSearchAttributes(env.nativeConnection, ns);
      assert.deepEqual(second.added, []);
      assert.equal(second.present.length, 6);
    } finally {
      await env.teardown();
    }
  });

  it('says exactly which to add when the server refuses (as Temporal Cloud does for workers)', async () => {
    // Unit test of this one module: a connection whose operator API refuses writes.
    const refusing = {
      operatorService: {
        listSearchAttributes: async () => ({ customAttributes: { AepSource: 2 } }),
        addSearchAttributes: async () => {
          throw new Error('PermissionDenied: Request unauthorized');
        },
      },
    } as unknown as NativeConnection;
    await assert.rejects(ensureSearchAttributes(refusing, 'my-ns.acct'), (err: unknown) => {
      assert.ok(err instanceof MissingSearchAttributesError);
      assert.deepEqual(
        err.missing.map((m) => m.name),
        ['AepSandbox', 'AepOnboardingStatus', 'AepOnboardingName', 'AepDrift', 'AepHealth'],
      );
      assert.match(
        err.message,
        /tcld namespace search-attributes add -n <namespace> --sa "AepSandbox=keyword"/,
      );
      assert.match(
        err.message,
        /temporal operator search-attribute create --name AepOnboardingName --type KEYWORD/,
      );
      assert.match(err.message, /PermissionDenied/);
      return true;
    });
  });

  it('on a server that hides the operator API, checks through the frontend instead', async () => {
    const cloudLike = (keys: string[]) =>
      ({
        operatorService: {
          listSearchAttributes: async () => {
            throw new Error('PermissionDenied');
          },
        },
        workflowService: {
          getSearchAttributes: async () => ({ keys: Object.fromEntries(keys.map((k) => [k, 2])) }),
        },
      }) as unknown as NativeConnection;
    const all = [
      'AepSource',
      'AepSandbox',
      'AepOnboardingStatus',
      'AepOnboardingName',
      'AepDrift',
      'AepHealth',
      'WorkflowType',
    ];
    assert.deepEqual((await ensureSearchAttributes(cloudLike(all), 'ns')).added, []);
    await assert.rejects(ensureSearchAttributes(cloudLike(['AepSource']), 'ns'), (err: unknown) => {
      assert.ok(err instanceof MissingSearchAttributesError);
      assert.deepEqual(
        err.missing.map((m) => m.name),
        ['AepSandbox', 'AepOnboardingStatus', 'AepOnboardingName', 'AepDrift', 'AepHealth'],
      );
      return true;
    });
  });
});
