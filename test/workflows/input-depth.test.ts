// An input nested 20,000 deep (the SDK and gRPC accept it; the Temporal CLI does not) fails the run at once with the
// workflow's own non-retryable input failure, before any AEP call, instead of failing its workflow task forever.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { InvalidInputError, validateForStart } from '../../src/client/onboarding';
import { inputTooDeep, MAX_INPUT_DEPTH } from '../../src/shared/depth';
import { FAILURE_TYPES, VALIDATION_FAILURE_TYPES } from '../../src/shared/onboarding';
import { LIFECYCLE_WORKFLOW_TYPES } from '../../src/client/lifecycle';
import { ONBOARDING_WORKFLOW_TYPE } from '../../src/shared/naming';
import { useHarness, type Harness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

/** 20,000 levels as JSON text: JSON.parse takes any depth, JSON.stringify (the SDK's converter) overflows. */
const DEEP_JSON = (leaf: string) => `${'{"a":'.repeat(20_000)}${leaf}${'}'.repeat(20_000)}`;
const DEEP = Symbol('20,000 levels');

/**
 * Starts a workflow through gRPC, as another SDK or a hand-made request can: the payload is JSON text that this
 * process could not have produced with JSON.stringify. `DEEP` in `arg` marks where the deep value goes.
 */
async function startRaw(h: Harness, taskQueue: string, type: string, arg: unknown): Promise<string> {
  const workflowId = uniqueName('deep');
  const json = JSON.stringify(arg, (_k, v: unknown) => (v === DEEP ? '__DEEP__' : v)).replace(
    '"__DEEP__"',
    DEEP_JSON('1'),
  );
  await h.env.client.workflowService.startWorkflowExecution({
    namespace: h.env.client.options.namespace,
    workflowId,
    requestId: randomUUID(),
    workflowType: { name: type },
    taskQueue: { name: taskQueue },
    input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(json) }] },
    workflowRunTimeout: msToTs('30s'),
    workflowTaskTimeout: msToTs('5s'),
  });
  return workflowId;
}

function nested(depth: number, leaf: unknown = 'x'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

describe('deeply nested inputs', { timeout: 300_000 }, () => {
  const h = useHarness();

  it('inputTooDeep measures depth without recursion, at any depth', () => {
    assert.equal(inputTooDeep({ a: [1, { b: 'c' }] }, 3), false);
    assert.equal(inputTooDeep({ a: [1, { b: 'c' }] }, 2), true);
    assert.equal(inputTooDeep('flat', 0), false);
    assert.equal(inputTooDeep(nested(MAX_INPUT_DEPTH), MAX_INPUT_DEPTH), false);
    assert.equal(inputTooDeep(nested(MAX_INPUT_DEPTH + 1), MAX_INPUT_DEPTH), true);
    assert.equal(inputTooDeep(nested(1_000_000), MAX_INPUT_DEPTH), true);
    const wide = { items: Array.from({ length: 50_000 }, (_, i) => ({ i })) };
    assert.equal(inputTooDeep(wide, MAX_INPUT_DEPTH), false);
  });

  it('the CLI-side check refuses it with a clear problem', () => {
    assert.throws(
      () => validateForStart({ source: 'chatlio', name: 'Deep', flow: nested(20_000) }),
      (e: unknown) => e instanceof InvalidInputError && /nests deeper than \d+ levels/.test(e.message),
    );
  });

  const cases: Array<[string, string, (deep: unknown) => unknown, string]> = [
    [
      'onboardStreamingSource',
      ONBOARDING_WORKFLOW_TYPE,
      (deep) => ({ source: 'chatlio', name: 'Deep', flow: deep }),
      FAILURE_TYPES.invalidInput,
    ],
    [
      'updateOnboarding',
      LIFECYCLE_WORKFLOW_TYPES.update,
      (deep) => ({ workflowId: 'onboard-x', description: deep }),
      VALIDATION_FAILURE_TYPES.update,
    ],
    [
      'adoptStreamingSource',
      LIFECYCLE_WORKFLOW_TYPES.adopt,
      (deep) => ({ name: 'Deep', flowId: deep }),
      VALIDATION_FAILURE_TYPES.adopt,
    ],
    [
      'teardownOnboarding',
      LIFECYCLE_WORKFLOW_TYPES.teardown,
      (deep) => ({ workflowId: deep }),
      'InvalidInput',
    ],
  ];
  for (const [label, type, input, failureType] of cases) {
    it(`${label} started through the SDK with a 20,000 deep input fails at once, non-retryable, no AEP call`, async () => {
      await h.emu.control.reset();
      await h.emu.control.clearCalls();
      await h.withWorker(async (taskQueue) => {
        const startedAt = Date.now();
        const workflowId = await startRaw(h, taskQueue, type, input(DEEP));
        const err = await h.env.client.workflow
          .getHandle(workflowId)
          .result()
          .then(
            () => assert.fail('should fail'),
            (e: unknown) => e,
          );
        assert.ok(err instanceof WorkflowFailedError, String(err));
        const cause = err.cause;
        assert.ok(cause instanceof ApplicationFailure, String(cause));
        assert.equal(cause.type, failureType);
        assert.equal(cause.nonRetryable, true);
        assert.match(cause.message, /nests deeper than \d+ levels/);
        assert.ok(Date.now() - startedAt < 20_000, `failed after ${Date.now() - startedAt} ms`);
      });
      const calls = (await h.emu.control.calls()).filter((c) => !c.path.startsWith('/ims/'));
      assert.deepEqual(calls, [], 'no AEP call');
    });
  }
});
