// Bad input and bad answers. Fuzzed workflow inputs, started directly as the Web UI would (no CLI check): each
// fails at once with a clear, non-retryable validation failure and the emulator sees no API call. Malformed
// emulator answers (truncated JSON, missing fields, wrong types, HTML pages): each run fails at the step that got
// them, compensates everything, and no workflow task ever fails (a task failing would be retried forever).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { onboardingFailureDetails } from '../../src/client/onboarding';
import type { FaultRule } from '../../src/emulator/core/faults';
import { ONBOARDING_WORKFLOW_TYPE } from '../../src/shared/naming';
import { FAILURE_TYPES } from '../../src/shared/onboarding';
import { useHarness, resourcesIn, type Harness } from '../support/onboarding';
import { mulberry32 } from '../support/prng';
import { uniqueName } from '../support/temporal';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);
// Seeded, so a failing case can be replayed.
const random = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

function randomString(): string {
  return pick([
    () => '',
    () => ' '.repeat(int(1, 5)),
    () => 'x'.repeat(int(81, 300_000)),
    () => String.fromCharCode(...Array.from({ length: int(1, 40) }, () => int(0, 0xffff))),
    () => '<script>alert(1)</script>',
    () => '"; DROP TABLE flows; --',
    () => '../../etc/passwd',
    () => '\u0000\u0001\u001f',
    () => 'Chatlio',
  ])();
}

/** Any JSON value, nested a little. */
function randomJson(depth = 0): unknown {
  const leaf = [() => null, () => random() < 0.5, () => int(-1e6, 1e6), () => random() * 1e308, randomString];
  const branch = [
    () => Array.from({ length: int(0, 4) }, () => randomJson(depth + 1)),
    () =>
      Object.fromEntries(
        Array.from({ length: int(0, 4) }, () => [randomString().slice(0, 30), randomJson(depth + 1)]),
      ),
  ];
  return pick(depth > 2 ? leaf : [...leaf, ...branch])();
}

/** A value of the wrong kind, or of the right kind but out of bounds, for each input field. */
const BAD_FIELD: Record<string, Array<() => unknown>> = {
  source: [
    () => 42,
    () => ['chatlio'],
    () => ({ id: 'chatlio' }),
    () => 'Chatlio',
    () => '',
    randomString,
    () => null,
  ],
  name: [
    () => 7,
    () => '',
    () => '   ',
    () => 'x'.repeat(int(81, 200_000)),
    () => 'a "quoted" name',
    () => ({}),
    () => null,
  ],
  description: [() => 1, () => 'd'.repeat(501), () => []],
  sandbox: [() => 'Prod Sandbox!', () => 0, () => 'x'.repeat(65), () => '../prod'],
  schemaId: [() => '', () => 5, () => 's'.repeat(301)],
  datasetId: [() => '../../etc', () => 'short', () => 12345678, () => 'd'.repeat(65)],
  mappingOverrides: [
    () => 'not a list',
    () => [{ source: 'a' }],
    () => [{ destination: 7 }],
    () => Array.from({ length: 501 }, () => ({ source: 'a', destination: 'b' })),
  ],
  dropMappings: [() => [''], () => 'x', () => [1, 2]],
  flow: [
    () => ({ partialIngestionPercent: 150 }),
    () => ({ errorDiagnosticsEnabled: 'yes' }),
    () => ({ other: 1 }),
    () => 'on',
  ],
  verify: [() => 'yes', () => 1],
};

function fuzzInputs(n: number): Array<[string, unknown]> {
  const valid = { source: 'chatlio', name: 'Support chat' };
  const out: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'chatlio'],
    ['an array', [valid]],
    ['a number', 42],
    ['an empty object', {}],
    [
      'prototype keys',
      JSON.parse('{"source":"chatlio","name":"n","__proto__":{"polluted":true},"constructor":1}'),
    ],
    [
      'deeply nested value',
      { ...valid, flow: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) as unknown },
    ],
  ];
  while (out.length < n) {
    if (random() < 0.2) {
      const v = randomJson();
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !('source' in v))
        out.push(['random JSON', v]);
      continue;
    }
    const input: Record<string, unknown> = { ...valid };
    const fields = Object.keys(BAD_FIELD);
    const broken = Array.from({ length: int(1, 3) }, () => pick(fields));
    for (const f of broken) input[f] = pick(BAD_FIELD[f]!)();
    if (random() < 0.15) input[randomString().slice(0, 20) || 'extra'] = randomJson();
    out.push([`bad ${[...new Set(broken)].join(', ')}`, input]);
  }
  return out;
}

const UNKNOWN_SOURCES = ['nosuch', 'chatlio2', 'a-b'];

/** The innermost ApplicationFailure of a run's failure chain. */
function rootFailure(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  let found: ApplicationFailure | undefined;
  while (e instanceof TemporalFailure) {
    if (e instanceof ApplicationFailure) found = e;
    e = e.cause;
  }
  return found;
}

async function failedWorkflowTasks(h: Harness, workflowId: string): Promise<number> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  ).length;
}

const API = '/data/foundation';
interface ResponseCase {
  label: string;
  fault: FaultRule;
  step: string;
  reason: RegExp;
}
const HTML_PAGE =
  '<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>';
const RESPONSE_CASES: ResponseCase[] = [
  {
    label: 'truncated JSON after the dataset was created',
    fault: {
      method: 'POST',
      path: `^${API}/catalog/dataSets$`,
      kind: 'commit-then-fail',
      status: 201,
      rawBody: '["@/dataSets/5f3a',
      contentType: 'application/json',
    },
    step: 'dataset',
    reason: /unexpected response \(body is not JSON/,
  },
  {
    label: 'a schema create answered with an empty object',
    fault: {
      method: 'POST',
      path: `^${API}/schemaregistry/tenant/schemas$`,
      kind: 'status',
      status: 201,
      body: {},
    },
    step: 'schema',
    reason: /unexpected response \(schema mismatch/,
  },
  {
    label: 'the tenant id as a number',
    fault: {
      method: 'GET',
      path: `^${API}/schemaregistry/stats$`,
      kind: 'status',
      status: 200,
      body: { tenantId: 42, imsOrg: 'x' },
    },
    step: 'tenant',
    reason: /unexpected response \(schema mismatch/,
  },
  {
    label: 'an HTML page with 200 after the target connection was created',
    fault: {
      method: 'POST',
      path: `^${API}/flowservice/targetConnections$`,
      kind: 'commit-then-fail',
      status: 200,
      rawBody: '<html><body>Service temporarily moved</body></html>',
      contentType: 'text/html',
    },
    step: 'targetConnection',
    reason: /body is not JSON \(text\/html\)/,
  },
  {
    label: 'a dataflow create answered with the wrong types',
    fault: {
      method: 'POST',
      path: `^${API}/flowservice/flows$`,
      kind: 'commit-then-fail',
      status: 201,
      body: { id: 12345, etag: null },
    },
    step: 'flow',
    reason: /unexpected response \(schema mismatch/,
  },
  {
    label: 'an HTML 400 page from a proxy on the mapping set',
    fault: {
      method: 'POST',
      path: `^${API}/conversion/mappingSets$`,
      kind: 'status',
      status: 400,
      rawBody: HTML_PAGE,
      contentType: 'text/html',
    },
    step: 'mappingSet',
    reason: /HTTP 400: 400 Bad Request/,
  },
  {
    label: 'truncated JSON when reading the inlet URL',
    fault: {
      method: 'GET',
      path: `^${API}/flowservice/flows/[^/]+$`,
      kind: 'status',
      status: 200,
      rawBody: '{"items":[{"id":"',
      contentType: 'application/json',
    },
    step: 'inletUrl',
    reason: /unexpected response \(body is not JSON/,
  },
];

describe('bad input and malformed answers', { timeout: 300_000 }, () => {
  const h = useHarness();

  /** Runs each input on one worker; each must fail at once, non-retryable, with a short readable message. */
  async function expectValidationFailures(cases: Array<[string, unknown]>): Promise<void> {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      await Promise.all(
        cases.map(async ([label, input], k) => {
          const what = `case ${k} (${label})`;
          const workflowId = uniqueName(`fuzz-${k}`);
          const err = await h.env.client.workflow
            .execute(ONBOARDING_WORKFLOW_TYPE, { taskQueue, workflowId, args: [input] })
            .then(
              () => assert.fail(`${what} should fail`),
              (e: unknown) => e,
            );
          assert.ok(err instanceof WorkflowFailedError, `${what}: ${String(err)}`);
          const root = rootFailure(err);
          assert.ok(root, `${what}: an ApplicationFailure`);
          const expected = label.startsWith('unknown source')
            ? FAILURE_TYPES.unknownSource
            : FAILURE_TYPES.invalidInput;
          assert.equal(root.type, expected, `${what}: ${root.message}`);
          assert.equal(root.nonRetryable, true, what);
          assert.ok(
            root.message.length > 10 && root.message.length < 2000,
            `${what}: a readable message, got ${root.message.length} chars`,
          );
          assert.equal(await failedWorkflowTasks(h, workflowId), 0, `${what}: no workflow task failed`);
        }),
      );
    });
    assert.deepEqual(await h.emu.control.calls(), [], 'the emulator saw no API call');
    assert.deepEqual(await resourcesIn(h.emu), {});
  }

  it(`fuzzed inputs (seed ${SEED}) fail at once with a clear validation failure and no API call`, async () => {
    await expectValidationFailures([
      ...fuzzInputs(50 - UNKNOWN_SOURCES.length),
      ...UNKNOWN_SOURCES.map((source): [string, unknown] => [
        `unknown source ${source}`,
        { source, name: 'n' },
      ]),
    ]);
  });

  // The validation message quotes unknown keys and lists every problem: a huge key or hundreds of bad items make
  // a message of tens of kB (in the history, the CLI and the Web UI) unless formatIssues (src/shared/input.ts) caps
  // each problem and their number.
  it('the message stays short when the input is huge', async () => {
    const valid = { source: 'chatlio', name: 'Support chat' };
    await expectValidationFailures([
      ['a huge unknown key', { ...valid, ['k'.repeat(50_000)]: 1 }],
      [
        '500 bad mapping overrides',
        { ...valid, mappingOverrides: Array.from({ length: 500 }, () => ({ destination: 7 })) },
      ],
    ]);
  });

  it('malformed answers end each run in a clear failure at that step, fully compensated', async () => {
    for (const c of RESPONSE_CASES) {
      // A worker remembers the tenant id it read: a bad /stats answer needs a worker that has not read it yet.
      const fresh = c.fault.path.includes('/stats');
      await (fresh ? h.withFreshWorker.bind(h) : h.withWorker.bind(h))(async (taskQueue) => {
        await h.emu.control.reset();
        await h.emu.control.fault({ ...c.fault, count: -1 });
        const { handle } = await h.start(taskQueue, { source: 'chatlio', name: 'Malformed answers' });
        const err = await handle.result().then(
          () => assert.fail(`${c.label}: should fail`),
          (e: unknown) => e,
        );
        const details = onboardingFailureDetails(err);
        assert.ok(details, `${c.label}: an OnboardingFailed with details, got ${String(err)}`);
        assert.equal(details.failedStep, c.step, c.label);
        assert.match(details.reason, c.reason, c.label);
        assert.deepEqual(details.left, [], `${c.label}: nothing left in AEP`);
        assert.equal(
          await failedWorkflowTasks(h, handle.workflowId),
          0,
          `${c.label}: no workflow task failed`,
        );
        await h.emu.control.clearFaults();
        assert.deepEqual(await resourcesIn(h.emu), {}, `${c.label}: every created resource was deleted`);
      });
    }
  });
});
