// Day-two operations on a real Temporal dev server against the emulator over HTTP: teardown, etag-safe updates,
// verify, runs, plan, adopt and base connections.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import {
  adoptFlow,
  baseConnectionOperation,
  listOnboardings,
  onboardingRuns,
  planOnboarding,
  readOnboardingRecord,
  teardownOnboarding,
  updateOnboarding,
  verifyOnboarding,
} from '../../src/client/lifecycle';
import { startOnboarding } from '../../src/client/onboarding';
import type { FieldConflict, VerificationFailureDetails } from '../../src/activities/lifecycle';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import type {
  BaseConnectionBody,
  ChatlioXdmFields,
  FlowBody,
  FlowList,
  XdmRecord,
} from '../support/aep-bodies';
import { useHarness, resourcesIn } from '../support/onboarding';
import {
  createHandMadeFlow,
  eventually,
  idsOf,
  innermost,
  platform,
  postWebhook,
} from '../support/lifecycle';

const SAMPLES = Object.keys(chatlioSamples);

describe('onboarding lifecycle on the dev server', { timeout: 300_000 }, () => {
  const h = useHarness();
  let client: Client;
  before(() => {
    client = h.env.client;
  });

  const orgId = () => h.emu.options.orgId;
  async function onboard(taskQueue: string, input: Record<string, unknown>): Promise<OnboardingResult> {
    const { handle } = await startOnboarding(
      client,
      { source: 'chatlio', ...input },
      {
        orgId: orgId(),
        defaultSandbox: 'prod',
        taskQueue,
      },
    );
    return handle.result();
  }
  async function flow(id: string, sandbox = 'prod') {
    const { call } = await platform(h.emu, sandbox);
    return (await call<FlowList<FlowBody>>('GET', `/flowservice/flows/${id}`)).body.items[0]!;
  }
  const failureOf = async (p: Promise<unknown>) =>
    innermost(
      await p.then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      ),
    );

  it('teardown deletes everything a completed onboarding created, in order, 404 as done, and frees its name', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const r = await onboard(taskQueue, { name: 'Teardown me' });
      // A resource deleted by hand beforehand is not an error.
      const { call } = await platform(h.emu);
      assert.equal((await call('DELETE', `/flowservice/flows/${r.ids.flowId}`)).status, 204);
      // An onboarding's own flow is not adoptable: it is managed already.
      const adoptErr = await failureOf(
        adoptFlow(
          client,
          { name: 'Steal it', source: 'chatlio', sandbox: 'prod', flowId: r.ids.flowId },
          { orgId: orgId(), taskQueue },
        ),
      );
      assert.equal(adoptErr.type, 'NotAdoptable');

      await h.emu.control.clearCalls();
      // Two teardowns at once share one run (conflict policy USE_EXISTING): each resource is deleted once.
      const [t1, t2] = await Promise.all([
        teardownOnboarding(client, { workflowId: r.workflowId }, { taskQueue }),
        teardownOnboarding(client, { workflowId: r.workflowId }, { taskQueue }),
      ]);
      assert.deepEqual(t1, t2);
      assert.equal(t1.status, 'torn-down');
      assert.deepEqual(
        t1.outcomes.map((o) => [o.step, o.outcome]),
        [
          ['flow', 'already-gone'],
          ['targetConnection', 'deleted'],
          ['sourceConnection', 'deleted'],
          ['mappingSet', 'deleted'],
          ['dataset', 'deleted'],
          ['schema', 'deleted'],
          ['fieldGroup', 'deleted'],
        ],
      );
      assert.deepEqual(t1.left, []);
      assert.deepEqual(await resourcesIn(h.emu), {}, 'nothing of the onboarding is left');
      const deletes = (await h.emu.control.calls()).filter((c) => c.method === 'DELETE');
      assert.equal(deletes.length, 7, 'one DELETE per resource');

      const record = await readOnboardingRecord(client, r.workflowId);
      assert.equal(record?.lifecycle, 'torn-down');
      const listed = await eventually(
        () => listOnboardings(client),
        (rows) => rows.find((x) => x.workflowId === r.workflowId)?.lifecycle === 'torn-down',
      );
      assert.equal(listed.find((x) => x.workflowId === r.workflowId)?.lifecycle, 'torn-down');

      // The name is free again: the same workflow id starts a new run, which a later teardown also removes.
      const again = await onboard(taskQueue, { name: 'Teardown me' });
      assert.equal(again.workflowId, r.workflowId);
      assert.notEqual(again.ids.flowId, r.ids.flowId);
      assert.equal((await readOnboardingRecord(client, r.workflowId))?.lifecycle, 'completed');
      const t3 = await teardownOnboarding(client, { workflowId: r.workflowId }, { taskQueue });
      assert.ok(t3.outcomes.every((o) => o.outcome === 'deleted'));
      assert.deepEqual(await resourcesIn(h.emu), {});
    });
  });

  it('a reused dataset and its schema survive the teardown; the onboarding that made them is untouched', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const owner = await onboard(taskQueue, { name: 'Dataset owner' });
      const before = idsOf(await resourcesIn(h.emu));
      const reuser = await onboard(taskQueue, { name: 'Dataset reuser', datasetId: owner.ids.datasetId });
      assert.deepEqual(reuser.reused, { schema: true, dataset: true });
      const t = await teardownOnboarding(client, { workflowId: reuser.workflowId }, { taskQueue });
      assert.equal(t.status, 'torn-down');
      assert.deepEqual(
        t.outcomes.filter((o) => o.outcome === 'kept').map((o) => [o.step, o.id]),
        [
          ['dataset', owner.ids.datasetId],
          ['schema', owner.ids.schemaAltId],
        ],
      );
      assert.deepEqual(idsOf(await resourcesIn(h.emu)), before, 'exactly the first onboarding is left');
      await teardownOnboarding(client, { workflowId: owner.workflowId }, { taskQueue });
      assert.deepEqual(await resourcesIn(h.emu), {});
    });
  });

  it('a 412 race: another writer changes the flow between read and PATCH; the update re-reads and lands', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const r = await onboard(taskQueue, { name: 'Race other field' });
      const faultId = await h.emu.control.fault({
        method: 'PATCH',
        path: '^/data/foundation/flowservice/flows/',
        kind: 'latency',
        latencyMs: 1500,
        count: 1,
      });
      const update = updateOnboarding(
        client,
        {
          workflowId: r.workflowId,
          flowName: 'Renamed by update',
          flowOptions: { errorDiagnosticsEnabled: true },
        },
        { taskQueue },
      );
      // Our PATCH is held by the emulator; meanwhile another writer changes the description.
      // A count-1 rule leaves the table once it took its request: our PATCH is now held.
      await eventually(
        () => h.emu.control.faults(),
        (fs) => !fs.some((f) => f.id === faultId),
      );
      const { call } = await platform(h.emu);
      const current = (await call<FlowList<FlowBody>>('GET', `/flowservice/flows/${r.ids.flowId}`)).body
        .items[0]!;
      const other = await call(
        'PATCH',
        `/flowservice/flows/${r.ids.flowId}`,
        [{ op: 'replace', path: '/description', value: 'set by another writer' }],
        { 'if-match': current.etag },
      );
      assert.equal(other.status, 200, other.text);
      const result = await update;
      assert.equal(result.preconditionFailures, 1);
      assert.deepEqual(result.changed.sort(), ['/name', '/options/errorDiagnosticsEnabled']);
      const after = await flow(r.ids.flowId);
      assert.equal(after.name, 'Renamed by update');
      assert.equal(after.description, 'set by another writer', "the other writer's change is kept");
      assert.equal(after.options.errorDiagnosticsEnabled, true);
      assert.equal(after.etag, result.etag);
      const patches = (await h.emu.control.calls()).filter((c) => c.method === 'PATCH');
      assert.deepEqual(
        patches.map((c) => c.status),
        [200, 412, 200],
        'other writer, our stale PATCH, our retry',
      );
    });
  });

  it('a 412 race on the same field: the conflict is reported with both values, nothing overwritten', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const r = await onboard(taskQueue, { name: 'Race same field' });
      const originalName = (await flow(r.ids.flowId)).name;
      const faultId = await h.emu.control.fault({
        method: 'PATCH',
        path: '^/data/foundation/flowservice/flows/',
        kind: 'latency',
        latencyMs: 1500,
        count: 1,
      });
      const update = updateOnboarding(client, { workflowId: r.workflowId, flowName: 'Ours' }, { taskQueue });
      // A count-1 rule leaves the table once it took its request: our PATCH is now held.
      await eventually(
        () => h.emu.control.faults(),
        (fs) => !fs.some((f) => f.id === faultId),
      );
      const { call } = await platform(h.emu);
      const current = (await call<FlowList<FlowBody>>('GET', `/flowservice/flows/${r.ids.flowId}`)).body
        .items[0]!;
      await call(
        'PATCH',
        `/flowservice/flows/${r.ids.flowId}`,
        [{ op: 'replace', path: '/name', value: 'Theirs' }],
        {
          'if-match': current.etag,
        },
      );
      const err = await failureOf(update);
      assert.equal(err.type, 'UpdateConflict');
      const { conflicts } = err.details![0] as { conflicts: FieldConflict[] };
      assert.deepEqual(conflicts, [{ path: '/name', base: originalName, ours: 'Ours', theirs: 'Theirs' }]);
      assert.match(err.message, /"Theirs".*"Ours"/);
      assert.equal((await flow(r.ids.flowId)).name, 'Theirs');
    });
  });

  it('update: a mapping change puts a new mapping-set version and points the flow at it; disable and enable', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const r = await onboard(taskQueue, { name: 'Mapping change' });
      const u = await updateOnboarding(
        client,
        {
          workflowId: r.workflowId,
          mappingOverrides: [
            { sourceType: 'EXPRESSION', source: 'upper(message)', destination: '_{TENANT}.chatlio.message' },
          ],
          description: 'now upper-case',
        },
        { taskQueue },
      );
      assert.equal(u.mappingVersion, r.mappingVersion + 1);
      assert.ok(u.changed.includes('mappingSet'));
      const f = await flow(r.ids.flowId);
      assert.equal(Number(f.transformations[0]!.params.mappingVersion), u.mappingVersion);
      assert.equal(
        f.transformations[0]!.params.mappingId,
        r.ids.mappingSetId,
        'same mapping set, new version',
      );
      assert.equal(await postWebhook(r.webhookUrl, chatlioSamples.newConversation), 200);
      const rows = (await h.emu.control.state()).tenants.find((t) => t.sandbox === 'prod')!.records[
        r.ids.datasetId
      ] as Array<XdmRecord<ChatlioXdmFields>>;
      const ns = `_${h.emu.options.tenantId}`;
      assert.equal(rows.at(-1)![ns]!.chatlio.message, chatlioSamples.newConversation.message.toUpperCase());

      // Re-running the same change is a no-op: the mapping set keeps its version.
      const same = await updateOnboarding(
        client,
        {
          workflowId: r.workflowId,
          mappingOverrides: [
            { sourceType: 'EXPRESSION', source: 'upper(message)', destination: '_{TENANT}.chatlio.message' },
          ],
        },
        { taskQueue },
      );
      assert.deepEqual(same.changed, []);
      assert.equal(same.mappingVersion, u.mappingVersion);

      const off = await updateOnboarding(
        client,
        { workflowId: r.workflowId, state: 'disabled' },
        { taskQueue },
      );
      assert.deepEqual([off.state, off.changed], ['disabled', ['state']]);
      assert.equal((await flow(r.ids.flowId)).state, 'disabled');
      assert.equal(
        await postWebhook(r.webhookUrl, chatlioSamples.newConversation),
        400,
        'a disabled flow refuses events',
      );
      const on = await updateOnboarding(
        client,
        { workflowId: r.workflowId, state: 'enabled' },
        { taskQueue },
      );
      assert.equal(on.state, 'enabled');
      assert.equal(await postWebhook(r.webhookUrl, chatlioSamples.newConversation), 200);
      const actions = (await h.emu.control.calls()).filter((c) => c.path.endsWith('/action'));
      assert.deepEqual(
        actions.map((c) => c.query),
        ['op=DISABLE', 'op=ENABLE'],
      );
    });
  });

  it('verify: every sample lands mapped; a mapping that drops a field the schema requires is caught; runs show it', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const r = await onboard(taskQueue, { name: 'Verify me' });
      const ok = await verifyOnboarding(client, { workflowId: r.workflowId }, { taskQueue });
      assert.deepEqual(ok.landed, SAMPLES);
      const runs = await onboardingRuns(client, { workflowId: r.workflowId }, { taskQueue });
      assert.deepEqual(runs.totals, {
        inputRecords: SAMPLES.length,
        outputRecords: SAMPLES.length,
        failedRecords: 0,
      });
      assert.equal(runs.failedRuns, 0);

      // `_id` is required by the ExperienceEvent class: without its mapping no record can land.
      await updateOnboarding(client, { workflowId: r.workflowId, dropMappings: ['_id'] }, { taskQueue });
      const err = await failureOf(
        verifyOnboarding(client, { workflowId: r.workflowId, timeoutMs: 5_000 }, { taskQueue }),
      );
      assert.equal(err.type, 'VerificationFailed');
      const details = err.details![0] as VerificationFailureDetails;
      assert.deepEqual(details.landed, []);
      assert.deepEqual(
        details.failed.map((f) => f.sample),
        SAMPLES,
      );
      for (const f of details.failed) assert.match(f.reason, /_id/, `${f.sample}: ${f.reason}`);

      const after = await onboardingRuns(client, { workflowId: r.workflowId }, { taskQueue });
      assert.equal(after.totals.failedRecords, SAMPLES.length);
      assert.equal(after.failedRuns, 1);
      assert.ok(
        after.runs[0]!.failed && after.runs[0]!.errors.length > 0,
        'the failing run carries its errors',
      );
    });
  });

  it('plan: a fresh sandbox creates everything; half existing gives reuse; taken names conflict; nothing written', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const opts = { orgId: orgId(), defaultSandbox: 'dev', taskQueue };
      const steps = (items: Array<{ step: string }>) => items.map((i) => i.step).sort();
      await h.emu.control.clearCalls();
      const fresh = await planOnboarding(client, { source: 'chatlio', name: 'Planned' }, opts);
      assert.equal(fresh.sandbox, 'dev');
      assert.deepEqual(steps(fresh.create), [
        'dataset',
        'fieldGroup',
        'flow',
        'mappingSet',
        'schema',
        'sourceConnection',
        'targetConnection',
      ]);
      assert.deepEqual([fresh.reuse, fresh.conflict, fresh.skip], [[], [], []]);
      const writes = (await h.emu.control.calls()).filter(
        (c) => c.method !== 'GET' && !c.path.startsWith('/ims/'),
      );
      assert.deepEqual(writes, [], 'a plan writes nothing');

      // Half of it exists: an earlier onboarding's dataset (and so its schema) is reused.
      const existing = await onboard(taskQueue, { name: 'Existing', sandbox: 'dev' });
      const half = await planOnboarding(
        client,
        { source: 'chatlio', name: 'Planned', datasetId: existing.ids.datasetId },
        opts,
      );
      assert.deepEqual(steps(half.reuse), ['dataset', 'schema']);
      assert.deepEqual(
        half.reuse.map((i) => i.id).sort(),
        [existing.ids.datasetId, existing.ids.schemaAltId].sort(),
      );
      assert.deepEqual(steps(half.skip), ['fieldGroup']);
      assert.deepEqual(steps(half.create), ['flow', 'mappingSet', 'sourceConnection', 'targetConnection']);
      assert.deepEqual(half.conflict, []);

      // The same name as a completed onboarding: the onboarding itself conflicts. Its resources do not: a new run
      // would name everything with a marker of its own, and never take over the earlier run's.
      const taken = await planOnboarding(client, { source: 'chatlio', name: 'Existing' }, opts);
      assert.deepEqual(steps(taken.conflict), ['onboarding']);
      assert.deepEqual(steps(taken.reuse), []);

      // A schemaTitle / datasetName a person chose that exists is a conflict, not a reuse.
      await createHandMadeFlow(h.emu, { sandbox: 'dev', title: 'Hand titled' });
      const titled = await planOnboarding(
        client,
        {
          source: 'chatlio',
          name: 'Titled',
          schemaTitle: 'Hand titled schema',
          datasetName: 'Hand titled dataset',
        },
        opts,
      );
      assert.deepEqual(steps(titled.conflict), ['dataset', 'schema']);
      assert.deepEqual(steps(titled.reuse), []);

      // A reused schema that lacks the mapped fields: the mapping set would fail.
      const hand = await createHandMadeFlow(h.emu, { sandbox: 'dev' });
      const lacking = await planOnboarding(
        client,
        { source: 'chatlio', name: 'Planned', schemaId: hand.schemaId },
        opts,
      );
      const mapping = lacking.conflict.find((i) => i.step === 'mappingSet');
      assert.ok(mapping, JSON.stringify(lacking.items));
      assert.match(mapping.reason!, /_emulatortenant\.chatlio\.message/);
    });
  });

  it('adopt a flow made by raw HTTP calls, then update, verify, read its runs and tear it down', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const hand = await createHandMadeFlow(h.emu, { title: 'Tutorial' });
      const { workflowId, result } = await adoptFlow(
        client,
        { name: 'Hand made', source: 'chatlio', sandbox: 'prod', flowId: hand.flowId },
        { orgId: orgId(), taskQueue },
      );
      assert.deepEqual(
        [
          result.ids.flowId,
          result.ids.sourceConnectionId,
          result.ids.targetConnectionId,
          result.ids.mappingSetId,
        ],
        [hand.flowId, hand.sourceConnectionId, hand.targetConnectionId, hand.mappingSetId],
      );
      assert.deepEqual([result.ids.datasetId, result.ids.schemaId], [hand.datasetId, hand.schemaId]);
      assert.deepEqual(result.reused, { schema: true, dataset: true });
      assert.equal(result.webhookUrl, hand.webhookUrl);
      const record = await readOnboardingRecord(client, workflowId);
      assert.deepEqual([record?.kind, record?.lifecycle], ['adopted', 'adopted']);

      const u = await updateOnboarding(
        client,
        { workflowId, flowName: 'Tutorial dataflow (managed)', dropMappings: ['_{TENANT}.channel_ID'] },
        { taskQueue },
      );
      assert.equal(u.mappingVersion, 1);
      const f = await flow(hand.flowId);
      assert.equal(f.name, 'Tutorial dataflow (managed)');
      assert.equal(Number(f.transformations[0]!.params.mappingVersion), 1);

      const v = await verifyOnboarding(client, { workflowId }, { taskQueue });
      assert.deepEqual(v.landed, SAMPLES);
      const runs = await onboardingRuns(client, { workflowId }, { taskQueue });
      assert.equal(runs.totals.outputRecords, SAMPLES.length);

      const t = await teardownOnboarding(client, { workflowId }, { taskQueue });
      assert.equal(t.status, 'torn-down');
      assert.deepEqual(
        t.outcomes.map((o) => [o.step, o.outcome]),
        [
          ['flow', 'deleted'],
          ['targetConnection', 'deleted'],
          ['sourceConnection', 'deleted'],
          ['mappingSet', 'deleted'],
          ['dataset', 'kept'],
          ['schema', 'kept'],
        ],
      );
      const left = idsOf(await resourcesIn(h.emu));
      assert.deepEqual(
        Object.keys(left).sort(),
        ['dataSets', 'fieldgroups', 'schemas'],
        'only the data side stays',
      );
      assert.deepEqual([left.dataSets, left.schemas], [[hand.datasetId], [hand.schemaAltId]]);
    });
  });

  it('base connection: update with If-Match, delete refused while a flow uses it, then deleted; 404 is done', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const hand = await createHandMadeFlow(h.emu, { baseConnection: true });
      const connectionId = hand.baseConnectionId!;
      const { call } = await platform(h.emu);
      const before = (
        await call<FlowList<BaseConnectionBody>>('GET', `/flowservice/connections/${connectionId}`)
      ).body.items[0]!;
      const u = await baseConnectionOperation(
        client,
        { sandbox: 'prod', connectionId, op: 'update', name: 'Renamed account', description: 'managed' },
        { taskQueue },
      );
      assert.equal(u.op, 'update');
      const afterUpdate = (
        await call<FlowList<BaseConnectionBody>>('GET', `/flowservice/connections/${connectionId}`)
      ).body.items[0]!;
      assert.equal(afterUpdate.name, 'Renamed account');
      assert.notEqual(afterUpdate.etag, before.etag);
      const patch = (await h.emu.control.calls()).find((c) => c.method === 'PATCH');
      assert.equal(patch?.status, 200);

      const refused = await failureOf(
        baseConnectionOperation(client, { sandbox: 'prod', connectionId, op: 'delete' }, { taskQueue }),
      );
      assert.equal(refused.type, 'BaseConnectionInUse');
      assert.deepEqual((refused.details![0] as { flows: string[] }).flows, [hand.flowId]);

      assert.equal((await call('DELETE', `/flowservice/flows/${hand.flowId}`)).status, 204);
      const deleted = await baseConnectionOperation(
        client,
        { sandbox: 'prod', connectionId, op: 'delete' },
        { taskQueue },
      );
      assert.deepEqual(deleted, { op: 'delete', connectionId, existed: true });
      assert.equal((await call('GET', `/flowservice/connections/${connectionId}`)).status, 404);
      const again = await baseConnectionOperation(
        client,
        { sandbox: 'prod', connectionId, op: 'delete' },
        { taskQueue },
      );
      assert.equal(again.op === 'delete' && again.existed, false);
    });
  });
});
