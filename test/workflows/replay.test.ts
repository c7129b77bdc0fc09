// Replays recorded histories against today's workflow code: a change that would break runs already in flight fails
// here (DeterminismViolationError) instead of in production. Every workflow type the worker exports has at least one
// recorded history (a new type without one fails below). Histories: scripts/record-histories.ts, except the two
// `*-one-activity.json`: an onboarding with `verify: true` and a verify run as the code before the workflow-level
// waiting made them (one verifyWebhook activity), recorded once from that code and never re-recorded. They prove that
// a run which had scheduled that activity still replays (patch `verify-waits-in-workflow`). The three
// `onboarding-*-before-lean.json` are the onboarding as the code before the patch `lean-onboarding` ran it (a local
// activity for the lock id, the sweep of every step, the earlier patches' markers), kept for the same reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import * as workflows from '../../src/workflows';
import { workflowBundle } from '../support/onboarding';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

interface RecordedHistory {
  events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name: string } } }>;
}
const typeOf = (file: string): string | undefined =>
  (JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as RecordedHistory).events[0]
    ?.workflowExecutionStartedEventAttributes?.workflowType?.name;

describe('replay of recorded workflow histories', { timeout: 120_000 }, () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has the onboarding histories (completed, compensated, cancelled, verified, HTTP API), the applies, a drift check, a reconcile and one per day-two type', () => {
    // At least these (other types' histories are added beside them; the next test asks for one per type).
    const expected = [
      'adopt.json',
      'apply-approved.json',
      'apply-auto-approved.json',
      'base-connection-update.json',
      'drift-check.json',
      'name-lock.json',
      'onboarding-cancelled.json',
      'onboarding-compensated-before-lean.json',
      'onboarding-compensated.json',
      'onboarding-completed-before-lean.json',
      'onboarding-completed.json',
      'onboarding-http-api-before-lean.json',
      'onboarding-http-api.json',
      'onboarding-verified-one-activity.json',
      'onboarding-verified.json',
      'plan-file.json',
      'plan.json',
      'reconcile.json',
      'runs.json',
      'teardown.json',
      'update.json',
      'verify-one-activity.json',
      'verify.json',
    ];
    assert.deepEqual(
      expected.filter((f) => !files.includes(f)),
      [],
    );
  });

  it('has a recorded history of every workflow type src/workflows/index.ts exports', () => {
    // The exported functions are the worker's workflow types (a query or signal definition is an object).
    const exported = Object.entries(workflows)
      .filter(([, v]) => typeof v === 'function')
      .map(([name]) => name)
      .sort();
    assert.ok(exported.includes('onboardStreamingSource') && exported.length >= 9, exported.join(', '));
    const recorded = new Set(files.map(typeOf));
    const missing = exported.filter((type) => !recorded.has(type));
    assert.deepEqual(
      missing,
      [],
      'record a history of each new workflow type (scripts/record-histories.ts) and add it to test/fixtures/histories',
    );
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history: unknown = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file);
    });
  }

  it('detects a workflow that no longer matches its history', async () => {
    // The same history against a different workflow function must fail: proves the replay really checks.
    const history = JSON.parse(
      readFileSync(path.join(DIR, 'onboarding-completed.json'), 'utf8'),
    ) as RecordedHistory;
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
