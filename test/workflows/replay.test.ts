// Replays recorded histories against today's workflow code: a change that would break runs already in flight fails
// here (DeterminismViolationError) instead of in production. Histories: scripts/record-histories.ts, except the two
// `*-one-activity.json`: an onboarding with `verify: true` and a verify run as the code before the workflow-level
// waiting made them (one verifyWebhook activity), recorded once from that code and never re-recorded. They prove that
// a run which had scheduled that activity still replays (patch `verify-waits-in-workflow`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/onboarding';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

describe('replay of recorded onboarding histories', { timeout: 120_000 }, () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has the completed, compensated, cancelled, verified and HTTP API histories, two applies, a drift check and a reconcile', () => {
    assert.deepEqual(files.sort(), [
      'apply-approved.json',
      'apply-auto-approved.json',
      'drift-check.json',
      'onboarding-cancelled.json',
      'onboarding-compensated.json',
      'onboarding-completed.json',
      'onboarding-http-api.json',
      'onboarding-verified-one-activity.json',
      'onboarding-verified.json',
      'reconcile.json',
      'verify-one-activity.json',
    ]);
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history: unknown = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    });
  }

  it('detects a workflow that no longer matches its history', async () => {
    // The same history against a different workflow function must fail: proves the replay really checks.
    const history = JSON.parse(readFileSync(path.join(DIR, 'onboarding-completed.json'), 'utf8')) as {
      events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name: string } } }>;
    };
    const started = history.events[0]!.workflowExecutionStartedEventAttributes!;
    started.workflowType = { name: 'smokeWorkflow' };
    await assert.rejects(
      Worker.runReplayHistory(
        { workflowsPath: path.join(__dirname, '..', 'smoke', 'smoke-workflows.ts') },
        history,
        'tampered',
      ),
    );
  });
});
