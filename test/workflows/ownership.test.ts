// The saga's promise, tried as an adversarial user would (issue 10): a failed or cancelled run deletes exactly
// what it created, never a user's resource that merely shares a name, and a slow create never doubles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import {
  createActivities,
  type RemoveInput,
  type RemoveOutput,
  type SweepInput,
  type SweepOutput,
} from '../../src/activities';
import { InvalidInputError, onboardingFailureDetails } from '../../src/client/onboarding';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { onboardingRecords } from '../../src/records';
import { ONBOARDING_WORKFLOW_TYPE, runMarker } from '../../src/shared/naming';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { aepClientFor, useHarness, resourcesIn, workflowBundle } from '../support/onboarding';
import { uniqueName } from '../support/temporal';
import { rejection } from '../support/failures';

const POST_DATASET = '^/data/foundation/catalog/dataSets$';
const POST_FLOW = '^/data/foundation/flowservice/flows$';

function count(resources: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, v.length]));
}

const failureOf = (p: Promise<unknown>): Promise<WorkflowFailedError> => rejection(p, WorkflowFailedError);

describe('ownership: never delete what the run did not create', { timeout: 600_000 }, () => {
  const h = useHarness();

  /** A hand-made schema and dataset of the user's, as they would exist in a real sandbox. */
  async function userSchemaAndDataset(schemaTitle: string, datasetName: string) {
    const schema = await h.aep.schemaRegistry.createSchema({
      type: 'object',
      title: schemaTitle,
      description: 'Made by hand in the UI',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
    });
    const dataset = await h.aep.catalog.createDataset({
      name: datasetName,
      description: 'Made by hand',
      schemaRef: { id: schema.$id, contentType: XED_FULL_CONTENT_TYPE },
    });
    return { schema, dataset };
  }

  it("a failed dataset create never deletes the user's dataset of the same name (bug 1)", async () => {
    await h.emu.control.reset();
    const user = await userSchemaAndDataset('User schema', 'Chat events');
    await h.emu.control.fault({ method: 'POST', path: POST_DATASET, kind: 'status', status: 400, count: -1 });
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Own 1', datasetName: 'Chat events' });
      return failureOf(handle.result());
    });
    const details = onboardingFailureDetails(err)!;
    assert.equal(details.failedStep, 'dataset');
    assert.deepEqual(details.left, []);
    assert.match(details.reason, /already exists.*did not create/);
    const res = await resourcesIn(h.emu);
    assert.deepEqual(count(res), { schemas: 1, dataSets: 1 }, 'only the user’s schema and dataset remain');
    assert.equal((res.dataSets![0] as { id: string }).id, user.dataset.id);
  });

  it('the same, when the name is free and the create fails: nothing else of any name is touched', async () => {
    await h.emu.control.reset();
    const user = await userSchemaAndDataset('User schema', 'Chat events');
    await h.emu.control.fault({ method: 'POST', path: POST_DATASET, kind: 'status', status: 400, count: -1 });
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, {
        source: 'chatlio',
        name: 'Own 1b',
        datasetName: 'Other events',
      });
      return failureOf(handle.result());
    });
    assert.deepEqual(onboardingFailureDetails(err)!.left, []);
    const res = await resourcesIn(h.emu);
    assert.deepEqual(count(res), { schemas: 1, dataSets: 1 });
    assert.equal((res.dataSets![0] as { id: string }).id, user.dataset.id);
  });

  it('a schemaTitle that belongs to a hand-made schema is a conflict, never a take-over (bug 2)', async () => {
    await h.emu.control.reset();
    const user = await userSchemaAndDataset('Chat events schema', 'Hand dataset');
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, {
        source: 'chatlio',
        name: 'Own 2',
        schemaTitle: 'Chat events schema',
      });
      return failureOf(handle.result());
    });
    const details = onboardingFailureDetails(err)!;
    assert.equal(details.failedStep, 'schema');
    assert.match(details.reason, /schema named "Chat events schema" already exists.*schemaId/);
    assert.deepEqual(details.left, []);
    const res = await resourcesIn(h.emu);
    assert.deepEqual(count(res), { schemas: 1, dataSets: 1 });
    assert.equal((res.schemas![0] as { $id: string }).$id, user.schema.$id);
    // The failure chain keeps the conflict's own type, non-retryable.
    let e: unknown = err;
    let type: string | undefined;
    while (e instanceof Error) {
      if (e instanceof ApplicationFailure && e.type === 'NameTaken') type = e.type;
      e = (e as { cause?: unknown }).cause;
    }
    assert.equal(type, 'NameTaken');
  });

  it('schemaTitle and datasetName are checked like name: filter syntax is refused before any call (bug 3)', async () => {
    await h.emu.control.reset();
    for (const bad of [
      { schemaTitle: 'Chat, events' },
      { datasetName: 'Chat*' },
      { datasetName: 'say "hi"' },
      { schemaTitle: 'a~b' },
    ]) {
      const input = { source: 'chatlio', name: 'Own 3', ...bad };
      await assert.rejects(
        () => h.start('unused', input),
        (e: unknown) => e instanceof InvalidInputError,
        JSON.stringify(bad),
      );
      // Through the Web UI or `temporal workflow start` the workflow refuses it itself.
      const err = await h.withWorker(async (tq) => {
        const handle = await h.env.client.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
          taskQueue: tq,
          workflowId: uniqueName('own3'),
          args: [input],
        });
        return failureOf(handle.result());
      });
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'InvalidOnboardingInput');
    }
    assert.deepEqual(
      (await h.emu.control.calls()).filter((c) => !c.path.startsWith('/ims')),
      [],
    );
  });

  it('a create slower than the HTTP timeout that still commits is found, not doubled (bug 4)', async () => {
    await h.emu.control.reset();
    // The harness's client times out after 5 s; this create commits after 7 s, within the 10 s settle time.
    await h.emu.control.fault({
      method: 'POST',
      path: POST_FLOW,
      kind: 'latency',
      latencyMs: 7_000,
      count: 1,
    });
    const result = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Own 4' });
      return handle.result();
    });
    const res = await resourcesIn(h.emu);
    assert.equal(res.flows?.length, 1, 'exactly one flow');
    assert.equal((res.flows[0] as { id: string }).id, result.ids.flowId);
    const posts = (await h.emu.control.calls()).filter(
      (c) => c.method === 'POST' && c.path.endsWith('/flows'),
    );
    assert.equal(posts.length, 1, 'the retry waited for the slow create instead of sending another');
  });

  it('mapping destinations outside the tenant namespace are refused before any AEP call', async () => {
    await h.emu.control.reset();
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, {
        source: 'chatlio',
        name: 'Own 5',
        mappingOverrides: [
          { sourceType: 'ATTRIBUTE', source: 'visitor.email', destination: '_extconndev.email' },
        ],
      });
      return failureOf(handle.result());
    });
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidOnboardingInput');
    assert.match(
      err.cause.message,
      /mappingOverrides\.0\.destination: "_extconndev\.email" is outside the tenant/,
    );
    assert.deepEqual(
      (await h.emu.control.calls()).filter((c) => !c.path.startsWith('/ims')),
      [],
    );
  });

  it('the sweep deletes extra resources carrying the run marker, and nothing without it', async () => {
    await h.emu.control.reset();
    const acts = createActivities({
      aep: h.aep,
      presets: h.presets,
      records: onboardingRecords(h.env.client),
    });
    const env = new MockActivityEnvironment({ attempt: 1 });
    const marker = runMarker({ workflowId: 'sweep-test', runId: 'r1' });
    const name = `Sweep · Chatlio source connection [${marker}]`;
    const body = (n: string, description: string) => ({
      name: n,
      description,
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    const fs = h.aep.flowService;
    const kept = await fs.create('sourceConnections', body(name, `ours [${marker}]`));
    const extra = await fs.create('sourceConnections', body(name, `ours too [${marker}]`));
    const users = await fs.create('sourceConnections', body('Sweep user', 'made by hand'));
    const out: SweepOutput = await env.run((i: SweepInput) => acts.sweepRun(i), {
      sandbox: 'prod',
      marker,
      steps: [{ step: 'sourceConnection' as const, name, keep: kept.id }],
    });
    assert.deepEqual(out.removed, [{ step: 'sourceConnection', id: extra.id }]);
    const left = ((await resourcesIn(h.emu)).sourceConnections as Array<{ id: string }>)
      .map((c) => c.id)
      .sort();
    assert.deepEqual(left, [kept.id, users.id].sort());
    // A removal by name (the create's answer lost) takes only what carries the marker, never the user's.
    const removed: RemoveOutput = await env.run((i: RemoveInput) => acts.removeSourceConnection(i), {
      sandbox: 'prod',
      name: 'Sweep user',
      marker,
    });
    assert.equal(removed.existed, false);
    assert.equal((await resourcesIn(h.emu)).sourceConnections?.length, 2);
  });

  for (const [what, aepOverrides, input] of [
    ['an unknown sandbox', {}, { sandbox: 'nosuch' }],
    ['a wrong client secret', { clientSecret: 'not-the-secret' }, {}],
  ] as const) {
    it(`${what}: nothing was created, and the run says so instead of "LEFT in AEP" (bug 8)`, async () => {
      await h.emu.control.reset();
      const aep = aepClientFor(h.emu, aepOverrides);
      const taskQueue = uniqueName('tq');
      const worker: Worker = await createOnboardingWorker({
        connection: h.env.nativeConnection,
        namespace: h.env.namespace ?? 'default',
        taskQueue,
        aep,
        presets: h.presets,
        tuning: { workflowBundle: await workflowBundle() },
      });
      const err = await worker.runUntil(async () => {
        const { handle } = await h.start(taskQueue, { source: 'chatlio', name: 'Own 8', ...input });
        return failureOf(handle.result());
      });
      await aep.close();
      const details = onboardingFailureDetails(err)!;
      assert.deepEqual(details.left, [], JSON.stringify(details));
      assert.doesNotMatch(err.cause!.message, /LEFT/);
      assert.deepEqual(await resourcesIn(h.emu), {});
    });
  }
});
