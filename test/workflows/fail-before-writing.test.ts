// An onboarding fails before it writes what cannot work: a source whose connection spec the org does not have (or
// whose flow spec does not take it) fails before the first create, and mappings Data Prep refuses fail before the
// mapping set is written, with one message per mapping, everything created before undone. Real parts: the dev
// server, the emulator over HTTP (its control plane un-provisions a spec), the real client and activities.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { BUILTIN_PRESET_DIR, PresetRegistry } from '../../src/presets/registry';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
} from '../../src/shared/aep-constants';
import type { OnboardingFailureDetails, OnboardingResult } from '../../src/shared/onboarding';
import { rejection } from '../support/failures';
import { resourcesIn, useHarness } from '../support/onboarding';

/** The innermost ApplicationFailure of a workflow failure: the activity's own. */
function innermost(err: unknown): ApplicationFailure | undefined {
  let found: ApplicationFailure | undefined;
  for (let e: unknown = err, i = 0; e instanceof Error && i < 6; e = e.cause, i++)
    if (e instanceof ApplicationFailure) found = e;
  return found;
}

const writes = (calls: Array<{ method: string; path: string }>) =>
  calls.filter(
    (c) => c.method !== 'GET' && !c.path.endsWith('/mappingSets/validate') && !c.path.startsWith('/ims'),
  );

describe('fail before writing', { timeout: 300_000 }, () => {
  const h = useHarness();
  const dir = mkdtempSync(path.join(tmpdir(), 'aep-presets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const failed = async (input: Record<string, unknown>, presets?: PresetRegistry) => {
    const err = await h.withWorker(
      async (tq) => rejection((await h.start(tq, input)).handle.result(), WorkflowFailedError),
      presets,
    );
    assert.ok(err.cause instanceof ApplicationFailure);
    return { err, details: err.cause.details?.[0] as OnboardingFailureDetails, inner: innermost(err) };
  };

  it('a connection spec the org does not have: fails at the specs step, nothing written', async () => {
    await h.emu.control.reset();
    await h.emu.control.spec('connectionSpecs', CHATLIO_CONNECTION_SPEC_ID, { provisioned: false });
    await h.emu.control.clearCalls();
    const { details, inner } = await failed({ source: 'chatlio', name: 'Not provisioned' });
    assert.equal(details.failedStep, 'specs');
    assert.equal(inner?.type, 'SourceNotProvisioned');
    assert.equal(inner?.nonRetryable, true);
    assert.match(
      inner?.message ?? '',
      new RegExp(`connectionSpec\\.id: connection spec ${CHATLIO_CONNECTION_SPEC_ID} is not provisioned`),
    );
    assert.deepEqual(details.undone, []);
    assert.deepEqual(details.left, []);
    assert.deepEqual(await resourcesIn(h.emu), {});
    assert.deepEqual(writes(await h.emu.control.calls()), []);
  });

  it('a flow spec that does not list the connection spec: fails at the specs step, nothing written', async () => {
    await h.emu.control.reset();
    await h.emu.control.spec('flowSpecs', GENERIC_STREAMING_FLOW_SPEC_ID, {
      sourceConnectionSpecIds: [HTTP_API_CONNECTION_SPEC_ID],
    });
    await h.emu.control.clearCalls();
    const { details, inner } = await failed({ source: 'chatlio', name: 'Not in the flow spec' });
    assert.equal(details.failedStep, 'specs');
    assert.match(
      inner?.message ?? '',
      new RegExp(
        `flowSpec\\.id: flow spec ${GENERIC_STREAMING_FLOW_SPEC_ID} does not list connection spec ${CHATLIO_CONNECTION_SPEC_ID}`,
      ),
    );
    assert.deepEqual(await resourcesIn(h.emu), {});
    assert.deepEqual(writes(await h.emu.control.calls()), []);
  });

  it('a new schema and a mapping it lacks: fails before the mapping set, what was created is undone', async () => {
    await h.emu.control.reset();
    // A preset whose mapping writes to a field its own field group does not have (only Data Prep can tell).
    const chatlio = PresetRegistry.fromEnv({}).get('chatlio')!;
    const bad = {
      ...chatlio,
      id: 'chatlio-badmap',
      mappings: [
        ...chatlio.mappings,
        { sourceType: 'ATTRIBUTE', source: 'visitor.phone', destination: '_{TENANT}.chatlio.visitor.phone' },
      ],
    };
    writeFileSync(path.join(dir, 'chatlio-badmap.preset.json'), JSON.stringify(bad));
    await h.emu.control.clearCalls();
    const { details, inner } = await failed(
      { source: 'chatlio-badmap', name: 'Bad mapping' },
      new PresetRegistry([BUILTIN_PRESET_DIR, dir]),
    );
    assert.equal(details.failedStep, 'mappings');
    assert.equal(inner?.type, 'InvalidMappings');
    const problems = (inner?.details?.[0] as { problems: string[] }).problems;
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      /^mappings\[\d+\] \(ATTRIBUTE "visitor\.phone" → "_emulatortenant\.chatlio\.visitor\.phone"\): .*visitor\.phone/,
    );
    const posted = writes(await h.emu.control.calls()).filter((c) => c.method === 'POST');
    assert.ok(!posted.some((c) => c.path.endsWith('/conversion/mappingSets')), 'no mapping set written');
    assert.deepEqual(await resourcesIn(h.emu), {});
    const undone = details.undone.filter((o) => o.existed).map((o) => o.step);
    for (const step of ['sourceConnection', 'fieldGroup', 'schema'] as const)
      assert.ok(undone.includes(step), `${step} undone: ${undone.join(', ')}`);
    assert.deepEqual(details.left, []);
  });

  it('a reused schema and a mapping it lacks: fails before the first create', async () => {
    await h.emu.control.reset();
    const owner: OnboardingResult = await h.withWorker(async (tq) =>
      (await h.start(tq, { source: 'chatlio', name: 'Schema owner' })).handle.result(),
    );
    const before = await resourcesIn(h.emu);
    await h.emu.control.clearCalls();
    const { details, inner } = await failed({
      source: 'chatlio',
      name: 'Reuse with a bad mapping',
      schemaId: owner.ids.schemaId,
      mappingOverrides: [
        { sourceType: 'ATTRIBUTE', source: 'message', destination: '_{TENANT}.chatlio.noSuchField' },
      ],
    });
    assert.equal(details.failedStep, 'mappings');
    assert.equal(inner?.type, 'InvalidMappings');
    assert.match(
      inner?.message ?? '',
      /mappings\[\d+\] \(ATTRIBUTE "message" → "_emulatortenant\.chatlio\.noSuchField"\)/,
    );
    assert.deepEqual(writes(await h.emu.control.calls()), []);
    assert.deepEqual(await resourcesIn(h.emu), before);
  });
});
