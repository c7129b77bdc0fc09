// Bad input gets a clear error and loses nothing: the run fails at once, non-retryable, listing every problem, and
// the emulator sees no API call.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidInputError, validateForStart } from '../../src/client/onboarding';
import { PresetRegistry, BUILTIN_PRESET_DIR } from '../../src/presets/registry';
import { ONBOARDING_WORKFLOW_TYPE } from '../../src/shared/naming';
import { useHarness, resourcesIn } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

const INVALID: Array<[string, unknown, RegExp]> = [
  ['no input at all', null, /one JSON object/],
  ['an array', [{ source: 'chatlio', name: 'x' }], /one JSON object/],
  ['missing name', { source: 'chatlio' }, /name: /],
  ['missing source', { name: 'Support chat' }, /source: /],
  ['empty name', { source: 'chatlio', name: '   ' }, /name: must not be empty/],
  ['name too long', { source: 'chatlio', name: 'x'.repeat(81) }, /name: must be at most 80/],
  ['name with quotes', { source: 'chatlio', name: 'a "b"' }, /name: may contain/],
  ['huge name', { source: 'chatlio', name: 'y'.repeat(100_000) }, /name: must be at most 80/],
  ['source not a string', { source: 42, name: 'n' }, /source: /],
  [
    'bad sandbox',
    { source: 'chatlio', name: 'n', sandbox: 'Prod Sandbox!' },
    /sandbox: must be a sandbox name/,
  ],
  ['unknown field', { source: 'chatlio', name: 'n', colour: 'blue' }, /colour|Unrecognized key/],
  [
    'bad dataset id',
    { source: 'chatlio', name: 'n', datasetId: '../../etc' },
    /datasetId: must be a Catalog dataset id/,
  ],
  [
    'partial ingestion out of range',
    { source: 'chatlio', name: 'n', flow: { partialIngestionPercent: 150 } },
    /flow.partialIngestionPercent/,
  ],
  [
    'mapping without destination',
    { source: 'chatlio', name: 'n', mappingOverrides: [{ source: 'a' }] },
    /mappingOverrides.0.destination/,
  ],
  ['verify not boolean', { source: 'chatlio', name: 'n', verify: 'yes' }, /verify: /],
];

describe('invalid onboarding inputs', { timeout: 300_000 }, () => {
  const h = useHarness();

  it('the CLI-side check lists every problem at once', () => {
    try {
      validateForStart({ source: 7, name: '', sandbox: 'A B', extra: 1 });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof InvalidInputError);
      assert.ok(e.problems.length >= 3, e.problems.join('\n'));
    }
    assert.throws(
      () => validateForStart({ source: 'nosuch', name: 'n' }, ['chatlio']),
      /unknown source "nosuch"; known: chatlio/,
    );
  });

  it('each invalid input started directly (as the Web UI would) fails at once with no API call', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      for (const [label, input, pattern] of INVALID) {
        const err = await h.env.client.workflow
          .execute(ONBOARDING_WORKFLOW_TYPE, { taskQueue, workflowId: uniqueName('bad'), args: [input] })
          .then(
            () => assert.fail(`${label}: should fail`),
            (e: unknown) => e,
          );
        assert.ok(err instanceof WorkflowFailedError, label);
        assert.ok(err.cause instanceof ApplicationFailure, label);
        assert.equal(err.cause.type, 'InvalidOnboardingInput', label);
        assert.equal(err.cause.nonRetryable, true, label);
        assert.match(err.cause.message, pattern, `${label}: ${err.cause.message}`);
        assert.ok(err.cause.message.length < 2000, `${label}: the message stays readable`);
      }
      // An unknown source passes the shape check but is refused before any AEP call.
      const err: unknown = await h.env.client.workflow
        .execute(ONBOARDING_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: uniqueName('bad'),
          args: [{ source: 'nosuch', name: 'x' }],
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError);
      const cause = (err.cause as { cause?: ApplicationFailure }).cause ?? err.cause;
      assert.match(String((cause as Error).message), /Unknown source "nosuch". Known sources: chatlio/);
    });
    assert.deepEqual(await h.emu.control.calls(), [], 'the emulator saw no API call');
    assert.deepEqual(await resourcesIn(h.emu), {});
  });

  it('a new source is one new preset file: the test-only preset onboards end to end', async () => {
    await h.emu.control.reset();
    const presets = new PresetRegistry([
      BUILTIN_PRESET_DIR,
      path.join(__dirname, '..', 'fixtures', 'presets'),
    ]);
    assert.deepEqual(presets.ids().sort(), [
      'acme-webhook',
      'chatlio',
      'customerio',
      'http-api',
      'pendo',
      'shopify',
    ]);
    const result = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'acme-webhook', name: 'Orders' });
      return handle.result();
    }, presets);
    const r = await fetch(result.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(presets.get('acme-webhook')!.samples.orderPlaced),
    });
    assert.equal(r.status, 200);
    const state = await h.emu.control.state();
    const rows = state.tenants.find((t) => t.sandbox === 'prod')!.records[result.ids.datasetId] as unknown[];
    assert.equal(rows.length, 1);
    assert.match(JSON.stringify(rows[0]), /"orderId":"A-1"/);
  });
});
