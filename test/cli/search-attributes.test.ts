// A fresh `temporal server start-dev` that no worker has touched lacks the onboarding's search attributes: `start`
// says which ones, and how to create them, instead of the SDK's bare "Failed to start Workflow".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { EXIT } from '../../src/cli/main';
import { cli, type CliErrorDoc } from '../support/cli';
import { createDevServerEnv } from '../support/temporal';

describe('start on a namespace without the search attributes', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  const saved = { ...process.env };
  before(async () => {
    env = await createDevServerEnv([]);
    Object.assign(process.env, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default' });
    delete process.env.TEMPORAL_PROFILE;
  });
  after(async () => {
    process.env = saved;
    await env?.teardown();
  });

  it('names the missing attributes and the fix, keeps the cause, and exits 2', async () => {
    const r = await cli('start', 'Fresh', '--no-wait', '--json');
    assert.equal(r.code, EXIT.usage, r.out + r.err);
    const { error } = r.json<CliErrorDoc>();
    for (const name of ['AepSource', 'AepSandbox', 'AepOnboardingName', 'AepOnboardingStatus'])
      assert.match(error, new RegExp(name));
    assert.match(error, /temporal operator search-attribute create --name AepSource --type Keyword/);
    assert.match(error, /npm run worker/);
  });
});
