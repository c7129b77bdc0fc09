// The desired-state file (src/shared/desired-state.ts): YAML or JSON, checked as a whole, every problem by path.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { hasChanges, planLines, summaryLine, updateFor } from '../../src/shared/desired-plan';
import { parseDesiredState } from '../../src/shared/desired-state';
import { boundedAll } from '../../src/workflows/apply-children';

const opts = { defaultSandbox: 'prod', knownSources: ['chatlio', 'pendo'] };

describe('desired-state file', () => {
  it('YAML and JSON: entries get the file sandbox, else the default', () => {
    const yaml = [
      'version: 1',
      'sandbox: dev',
      'onboardings:',
      '  - source: chatlio',
      '    name: Support chat',
      '    enabled: false',
      '  - { source: pendo, name: Product usage, sandbox: prod }',
    ].join('\n');
    const parsed = parseDesiredState(yaml, opts);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepEqual(
      parsed.value.onboardings.map((o) => [o.sandbox, o.source, o.name, o.enabled]),
      [
        ['dev', 'chatlio', 'Support chat', false],
        ['prod', 'pendo', 'Product usage', undefined],
      ],
    );
    const json = parseDesiredState(
      JSON.stringify({ version: 1, onboardings: [{ source: 'chatlio', name: 'A' }] }),
      {
        ...opts,
        format: 'json',
      },
    );
    assert.ok(json.ok);
    assert.equal(json.value.onboardings[0]!.sandbox, 'prod');
  });

  it('every problem at once, by path; duplicates and unknown sources refused', () => {
    const yaml = [
      'version: 2',
      'onboardings:',
      '  - source: chatlio',
      '    name: Support chat',
      '    mappingOverrides:',
      '      - { source: "", destination: x }',
      '    colour: blue',
      '  - source: chatlio',
      '    name: ""',
    ].join('\n');
    const parsed = parseDesiredState(yaml, opts);
    assert.ok(!parsed.ok);
    const text = parsed.problems.join('\n');
    assert.match(text, /^version: must be 1$/m);
    assert.match(text, /^onboardings\[0\]\.mappingOverrides\[0\]\.source: /m);
    assert.match(text, /^onboardings\[0\]: .*colour/m);
    assert.match(text, /^onboardings\[1\]\.name: must not be empty$/m);

    const dup = parseDesiredState(
      [
        'version: 1',
        'onboardings:',
        '  - { source: chatlio, name: Support chat }',
        '  - { source: chatlio, name: "Support  chat ", sandbox: prod }',
        '  - { source: nosuch, name: Other }',
      ].join('\n'),
      opts,
    );
    assert.ok(!dup.ok);
    assert.deepEqual(
      dup.problems.map((p) => p.split(':')[0]),
      ['onboardings[1]', 'onboardings[2].source'],
    );
    assert.match(dup.problems[0]!, /duplicate of onboardings\[0\]/);

    // A file with field problems still names its unknown sources and duplicates: every mistake in one go.
    const both = parseDesiredState(
      [
        'version: 1',
        'onboardings:',
        '  - { source: chatlio, name: Support chat }',
        '  - { source: nosuch, name: "x*" }',
        '  - { source: chatlio, name: Support chat, flow: { partialIngestionPercent: 300 } }',
      ].join('\n'),
      opts,
    );
    assert.ok(!both.ok);
    assert.deepEqual(
      both.problems.map((p) => p.split(':')[0]),
      [
        'onboardings[1].name',
        'onboardings[2].flow.partialIngestionPercent',
        'onboardings[1].source',
        'onboardings[2]',
      ],
    );
  });

  it('YAML syntax errors and duplicate keys name the line', () => {
    const parsed = parseDesiredState('version: 1\nversion: 1\nonboardings: []\n', opts);
    assert.ok(!parsed.ok);
    assert.match(parsed.problems[0]!, /^line 2, column 1: /);
    const notObject = parseDesiredState('- a\n- b\n', opts);
    assert.ok(!notObject.ok);
    assert.match(notObject.problems[0]!, /^\(file\): must be an object/);
  });
});

describe('desired plan', () => {
  const m = (source: string, destination: string) => ({ sourceType: 'ATTRIBUTE', source, destination });

  it('the update a change asks for: mappings as overrides and drops, flow fields, state', () => {
    const update = updateFor('onboard-x', [
      {
        resource: 'mappingSet',
        field: 'mappings',
        desired: [m('a', '_t.a'), m('b2', '_t.b'), m('c', '_t.c')],
        live: [m('a', '_t.a'), m('b', '_t.b'), m('old', '_t.old')],
      },
      { resource: 'flow', field: 'name', desired: 'Ours', live: 'Renamed in the UI' },
      { resource: 'flow', field: 'options.partialIngestionPercent', desired: 5, live: null },
      { resource: 'flow', field: 'state', desired: 'disabled', live: 'enabled' },
    ]);
    assert.deepEqual(update, {
      workflowId: 'onboard-x',
      mappingOverrides: [m('b2', '_t.b'), m('c', '_t.c')],
      dropMappings: ['_t.old'],
      flowName: 'Ours',
      flowOptions: { partialIngestionPercent: 5 },
      state: 'disabled',
    });
    // A field no update can set (a reused dataset) asks for none: the plan calls it a conflict.
    assert.equal(
      updateFor('onboard-x', [{ resource: 'targetConnection', field: 'datasetId', desired: 'a', live: 'b' }]),
      undefined,
    );
  });

  it('the summary line, and whether there is anything to apply', () => {
    const summary = { create: 2, change: 1, delete: 0, noop: 3, conflict: 0, keep: 1 };
    assert.equal(
      summaryLine(summary),
      '2 to create, 1 to change, 0 to delete; 1 not in the file (delete with --prune)',
    );
    assert.ok(hasChanges(summary));
    assert.ok(!hasChanges({ ...summary, create: 0, change: 0 }));
    const lines = planLines({
      summary,
      entries: [
        {
          action: 'change',
          workflowId: 'onboard-x',
          sandbox: 'prod',
          source: 'chatlio',
          name: 'Support chat',
          changes: [{ resource: 'flow', field: 'name', desired: 'Ours', live: 'Theirs' }],
        },
      ],
    });
    assert.deepEqual(lines.slice(0, 2), [
      '~ chatlio "Support chat" (sandbox prod): change',
      '    flow.name: "Theirs" -> "Ours"',
    ]);
  });
});

describe('boundedAll (the apply’s concurrency)', () => {
  it('at most `limit` at a time, every item once, results in the order of the list', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await boundedAll([5, 1, 4, 2, 3, 0], 2, async (ms) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return ms * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(most, 2);
    assert.deepEqual(await boundedAll([], 4, () => Promise.resolve(1)), []);
  });
});
