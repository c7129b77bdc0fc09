// Smoke test: both real Temporal servers (CLI dev server and time-skipping test server) run a one-activity workflow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDevServerEnv, createTimeSkippingEnv, uniqueName } from '../support/temporal';
import type { smokeWorkflow } from './smoke-workflows';

async function runOnce(env: TestWorkflowEnvironment): Promise<string> {
  const taskQueue = uniqueName('smoke');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: path.join(__dirname, 'smoke-workflows.ts'),
    activities: { greet: async (name: string) => `hello ${name}` },
  });
  return worker.runUntil(
    env.client.workflow.execute<typeof smokeWorkflow>('smokeWorkflow', {
      taskQueue,
      workflowId: uniqueName('wf'),
      args: ['aep'],
    }),
  );
}

describe('real Temporal servers', { timeout: 120_000 }, () => {
  it('dev server (temporal server start-dev) runs a one-activity workflow', async () => {
    const env = await createDevServerEnv();
    try {
      assert.equal(await runOnce(env), 'hello aep');
    } finally {
      await env.teardown();
    }
  });

  it('time-skipping test server runs a one-activity workflow', async () => {
    const env = await createTimeSkippingEnv();
    try {
      assert.equal(await runOnce(env), 'hello aep');
    } finally {
      await env.teardown();
    }
  });
});
