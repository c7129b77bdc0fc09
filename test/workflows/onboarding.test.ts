// The onboarding saga on a real Temporal dev server against the emulator over HTTP.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  DuplicateOnboardingError,
  onboardingFailureDetails,
  startOnboarding,
} from '../../src/client/onboarding';
import { getProgressQuery } from '../../src/workflows/onboarding';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import type {
  ChatlioXdmFields,
  DatasetBody,
  FlowBody,
  MappingSetBody,
  TargetConnectionBody,
  XdmBody,
  XdmRecord,
} from '../support/aep-bodies';
import { assertNewestFirst, REGISTRATION, useHarness, resourcesIn } from '../support/onboarding';

const CREATES = {
  fieldGroup: '^/data/foundation/schemaregistry/tenant/fieldgroups$',
  schema: '^/data/foundation/schemaregistry/tenant/schemas$',
  dataset: '^/data/foundation/catalog/dataSets$',
  sourceConnection: '^/data/foundation/flowservice/sourceConnections$',
  targetConnection: '^/data/foundation/flowservice/targetConnections$',
  mappingSet: '^/data/foundation/conversion/mappingSets$',
  flow: '^/data/foundation/flowservice/flows$',
} as const;

/** The order undos are registered in: the source connection branch first, then the schema chain. */
function count(resources: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, v.length]));
}

const ONE_OF_EACH = {
  fieldgroups: 1,
  schemas: 1,
  dataSets: 1,
  sourceConnections: 1,
  targetConnections: 1,
  mappingSets: 1,
  flows: 1,
};

describe('onboardStreamingSource on the dev server', { timeout: 600_000 }, () => {
  const h = useHarness();
  // Every token the emulator issued during these runs, for the history scan at the end (reset() forgets them).
  const issuedTokens = new Set<string>();
  afterEach(() => {
    for (const token of h.emu.state.tokens.keys()) issuedTokens.add(token);
  });

  it('happy path: every resource exists, linked, and the webhook URL lands mapped records', async () => {
    await h.emu.control.reset();
    const result: OnboardingResult = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Support chat' });
      const r = await handle.result();
      const progress = await handle.query(getProgressQuery);
      assert.equal(progress.phase, 'completed');
      for (const step of ['tenant', ...REGISTRATION, 'inletUrl'] as const) {
        assert.equal(progress.steps[step]?.state, 'done', `step ${step}`);
      }
      return r;
    });

    const res = await resourcesIn(h.emu);
    assert.deepEqual(count(res), ONE_OF_EACH);
    const flow = res.flows![0] as FlowBody;
    const tc = res.targetConnections![0] as TargetConnectionBody;
    const ds = res.dataSets![0] as DatasetBody;
    const ms = res.mappingSets![0] as MappingSetBody;
    const schema = res.schemas![0] as XdmBody;
    const fg = res.fieldgroups![0] as XdmBody;
    assert.equal(flow.id, result.ids.flowId);
    assert.deepEqual(flow.sourceConnectionIds, [result.ids.sourceConnectionId]);
    assert.deepEqual(flow.targetConnectionIds, [result.ids.targetConnectionId]);
    assert.equal(flow.transformations[0]!.params.mappingId, result.ids.mappingSetId);
    assert.equal(tc.params.dataSetId, result.ids.datasetId);
    assert.equal(ds.schemaRef!.id, result.ids.schemaId);
    assert.equal(ms.outputSchema.schemaRef.id, result.ids.schemaId);
    assert.equal(schema.$id, result.ids.schemaId);
    assert.ok(JSON.stringify(schema.allOf).includes(fg.$id), 'schema extends the field group');
    assert.ok(JSON.stringify(fg).includes(`_${h.emu.options.tenantId}`), 'fields in the tenant namespace');
    assert.ok(!JSON.stringify(res).includes('_extconndev'), "never Adobe's own namespace");
    assert.match(result.inletUrl, new RegExp(`^${h.emu.url}/collection/[0-9a-f]{64}$`));
    assert.equal(result.webhookUrl, `${result.inletUrl}?x-adobe-flow-id=${result.ids.flowId}`);

    // Chatlio posts each webhook type to the URL: each becomes a mapped record in the dataset.
    for (const [kind, sample] of Object.entries(chatlioSamples)) {
      const r = await fetch(result.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sample),
      });
      assert.equal(r.status, 200, `${kind}: ${await r.text()}`);
    }
    const state = await h.emu.control.state();
    const tenant = state.tenants.find((t) => t.sandbox === 'prod')!;
    const rows = tenant.records[result.ids.datasetId] as Array<XdmRecord<ChatlioXdmFields>>;
    assert.equal(rows.length, Object.keys(chatlioSamples).length);
    const ns = `_${h.emu.options.tenantId}`;
    const data = rows.map((r) => (r.record ?? r.data ?? r) as XdmRecord<ChatlioXdmFields>);
    const first = data.find((d) => d[ns]?.chatlio?.message === chatlioSamples.newConversation.message);
    assert.ok(first, `a record carries the new-conversation message: ${JSON.stringify(data[0])}`);
    assert.equal(first[ns]!.chatlio.visitor!.UUID, chatlioSamples.newConversation.visitor.UUID);
    assert.ok(first._id && first.timestamp, 'ExperienceEvent _id and timestamp filled');
    assert.ok(
      data.some((d) => d[ns]?.chatlio?.transcript?.agentName === chatlioSamples.transcript.agentName),
    );
    assert.ok(data.some((d) => d[ns]?.chatlio?.feedback?.rating === chatlioSamples.feedback.rating));
  });

  // The unit layer (test/unit/workflows.test.ts) fails and cancels each step; here, on real parts, the first create
  // of the chain and the last one, with the emulator's state checked after.
  for (const failing of ['fieldGroup', 'flow'] as const) {
    const path = CREATES[failing];
    it(`a failure creating the ${failing} undoes everything, newest first`, async () => {
      await h.emu.control.reset();
      await h.emu.control.fault({
        method: 'POST',
        path,
        kind: 'status',
        status: 400,
        count: -1,
        body: { type: 'https://ns.adobe.com/aep/errors/TEST-0001-400', title: 'Injected', status: 400 },
      });
      // A delete that fails for a while during compensation is retried and still succeeds.
      await h.emu.control.fault({
        method: 'DELETE',
        path: '^/data/foundation/flowservice/sourceConnections/',
        kind: 'status',
        status: 503,
        count: 2,
      });
      const err = await h.withWorker(async (tq) => {
        const { handle } = await h.start(tq, { source: 'chatlio', name: `Fail at ${failing}` });
        return handle.result().then(
          () => assert.fail('the run should fail'),
          (e: unknown) => e,
        );
      });
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'OnboardingFailed');
      assert.equal(err.cause.nonRetryable, true);
      const details = onboardingFailureDetails(err)!;
      assert.equal(details.failedStep, failing);
      // Branches run in parallel, so how far the source connection got varies; the chain up to the failing step
      // always registered its undos, and every undo ran newest first.
      const undone = details.undone.map((u) => u.step);
      assert.deepEqual(details.left, []);
      const chain = REGISTRATION.slice(1, REGISTRATION.indexOf(failing) + 1);
      for (const s of [...chain, 'sourceConnection' as const])
        assert.ok(undone.includes(s), `${s} undone: ${undone}`);
      assertNewestFirst(
        undone,
        [...REGISTRATION].reverse().filter((s) => undone.includes(s)),
      );
      assert.deepEqual(await resourcesIn(h.emu), {}, 'the emulator holds nothing the run created');
      const deletes = (await h.emu.control.calls()).filter(
        (c) => c.method === 'DELETE' && c.path.includes('/sourceConnections/'),
      );
      if (undone.includes('sourceConnection') && deletes.length) {
        assert.ok(deletes.length >= 3, 'the source connection delete was retried after 503s');
        assert.equal(deletes.at(-1)!.status, 204);
      }
    });
  }

  it('cancelling a run midway compensates the same way', async () => {
    await h.emu.control.reset();
    await h.emu.control.fault({
      method: 'POST',
      path: CREATES.targetConnection,
      kind: 'latency',
      latencyMs: 3000,
      count: 1,
    });
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Cancel me' });
      // Wait until the run is inside the target connection step, then cancel.
      for (let i = 0; i < 100; i++) {
        const p = await handle.query(getProgressQuery);
        if (p.steps.targetConnection?.state === 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await handle.cancel();
      const e = await handle.result().then(
        () => undefined,
        (x: unknown) => x,
      );
      const progress = await handle.query(getProgressQuery);
      return { e, progress };
    });
    assert.ok(err.e instanceof WorkflowFailedError);
    assert.ok(err.e.cause instanceof CancelledFailure);
    assert.equal(err.progress.phase, 'cancelled');
    assertNewestFirst(
      err.progress.compensation.map((c) => c.step),
      ['targetConnection', 'mappingSet', 'dataset', 'schema', 'fieldGroup', 'sourceConnection'],
    );
    assert.ok(err.progress.compensation.every((c) => c.outcome === 'undone'));
    assert.deepEqual(await resourcesIn(h.emu), {}, 'nothing left after the cancel');
  });

  it('lost responses (commit-then-reset) on every create still make exactly one of each resource', async () => {
    await h.emu.control.reset();
    for (const path of Object.values(CREATES)) {
      await h.emu.control.fault({ method: 'POST', path, kind: 'commit-then-reset', count: 1 });
    }
    const result = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Lost responses' });
      return handle.result();
    });
    assert.deepEqual(count(await resourcesIn(h.emu)), ONE_OF_EACH);
    const posts = (await h.emu.control.calls()).filter(
      (c) => c.method === 'POST' && c.fault === 'commit-then-reset',
    );
    assert.equal(posts.length, Object.keys(CREATES).length, 'every create lost its first answer');
    assert.ok(result.webhookUrl);
  });

  // commit-then-fail on every create: test/fuzz/names-fuzz.test.ts runs ten onboardings so, and the chaos runs more.

  it('429 with Retry-After: the next attempt comes no earlier', async () => {
    await h.emu.control.reset();
    await h.emu.control.fault({
      method: 'POST',
      path: CREATES.dataset,
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3,
      count: 1,
    });
    await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Rate limited' });
      return handle.result();
    });
    const calls = (await h.emu.control.calls()).filter(
      (c) => c.method === 'POST' && /\/dataSets$/.test(c.path),
    );
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.status, 429);
    assert.ok(calls[1]!.at - calls[0]!.at >= 3000, `retried after ${calls[1]!.at - calls[0]!.at} ms`);
  });

  it('a token that expires mid-run is renewed and the run completes', async () => {
    await h.emu.control.reset();
    await h.emu.control.fault({
      method: 'POST',
      path: CREATES.schema,
      kind: 'latency',
      latencyMs: 1000,
      count: 1,
    });
    const result = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'chatlio', name: 'Token expiry' });
      for (let i = 0; i < 100; i++) {
        const p = await handle.query(getProgressQuery);
        if (p.steps.schema?.state === 'running') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await h.emu.control.expireTokens();
      return handle.result();
    });
    assert.ok(result.webhookUrl);
    const calls = await h.emu.control.calls();
    assert.ok(
      calls.some((c) => c.status === 401),
      'a call met the expired token',
    );
    assert.ok(calls.filter((c) => c.path === '/ims/token/v3').length >= 2, 'a new token was fetched');
  });

  it('the same onboarding cannot run twice at once, and the refusal says which run holds the name', async () => {
    await h.emu.control.reset();
    await h.emu.control.fault({
      method: 'POST',
      path: CREATES.flow,
      kind: 'latency',
      latencyMs: 1500,
      count: 1,
    });
    await h.withWorker(async (taskQueue) => {
      const opts = { orgId: h.emu.options.orgId, defaultSandbox: 'prod', taskQueue };
      const input = { source: 'chatlio', name: `Dup ${Date.now()}` };
      const first = await startOnboarding(h.env.client, input, opts);
      assert.match(first.workflowId, /^onboard-chatlio-prod-dup-\d+-[0-9a-f]{12}-[0-9a-f]{8}$/);
      await assert.rejects(
        startOnboarding(h.env.client, { ...input, name: `  ${input.name}` }, opts),
        (e: unknown) => {
          assert.ok(e instanceof DuplicateOnboardingError);
          assert.equal(e.status, 'RUNNING');
          assert.match(
            e.message,
            new RegExp(
              `already running: workflow ${first.workflowId} \\(run ${first.handle.firstExecutionRunId}\\)`,
            ),
          );
          return true;
        },
      );
      await first.handle.result();
      await assert.rejects(startOnboarding(h.env.client, input, opts), /already exists and completed/);
    });
    assert.equal((await resourcesIn(h.emu)).flows?.length, 1);
  });

  it('"verify": true posts every sample and checks each lands; a mapping that drops a required field fails and undoes', async () => {
    await h.emu.control.reset();
    const ok = await h.withWorker(async (tq) =>
      (await h.start(tq, { source: 'chatlio', name: 'Verified', verify: true })).handle.result(),
    );
    assert.deepEqual(ok.verified?.samples.sort(), Object.keys(chatlioSamples).sort());

    await h.emu.control.reset();
    const err = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, {
        source: 'chatlio',
        name: 'Broken mapping',
        verify: true,
        dropMappings: ['_id'],
      });
      return handle.result().then(
        () => assert.fail('verification should fail'),
        (e: unknown) => e,
      );
    });
    const details = onboardingFailureDetails(err)!;
    assert.equal(details.failedStep, 'verify');
    assert.match(details.reason, /_id/);
    assertNewestFirst(
      details.undone.map((u) => u.step),
      [...REGISTRATION].reverse(),
    );
    assert.deepEqual(await resourcesIn(h.emu), {}, 'a failed verification leaves nothing behind');
  });

  it('no client secret or access token anywhere in the histories of these runs', async () => {
    const secrets = [h.emu.options.clientSecret, ...issuedTokens];
    assert.ok(secrets.length > 1, 'tokens were issued');
    let histories = 0;
    for await (const wf of h.env.client.workflow.list()) {
      const history = await h.env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const text = JSON.stringify(history);
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `a secret leaked into ${wf.workflowId}`);
      histories++;
    }
    assert.ok(histories >= 10, `scanned ${histories} histories`);
  });
});
