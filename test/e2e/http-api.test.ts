// The generic HTTP API source on real parts (dev server, emulator over HTTP, real worker): a base connection
// (POST /connections) before the source connection, its own flow spec, the inlet from the base connection. Started
// from our CLI and from the stock Temporal CLI, every sample lands mapped and `verify` passes; a failed base
// connection create is compensated with nothing left; teardown removes the base connection last.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../../src/cli/main';
import { BUILTIN_PRESET_DIR, PresetRegistry } from '../../src/presets/registry';
import { getPath } from '../../src/emulator/logic/mapping';
import {
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { httpApiSamples } from '../../src/shared/presets/http-api-samples';
import {
  cli,
  type PlanDoc,
  type ResultDoc,
  type RunFailureDoc,
  type TeardownDoc,
  type VerifyDoc,
} from '../support/cli';
import type { TenantView } from '../support/emulator';
import { useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';
import { onboardingStartArgs, temporalCli, temporalCliPath } from '../support/temporal-cli';

const FLOW_KINDS = ['connections', 'sourceConnections', 'targetConnections', 'flows', 'dataSets'] as const;

describe('HTTP API source: base connection, its own flow spec, raw JSON', { timeout: 240_000 }, () => {
  const h = useHarness({ cliEnv: {} });
  before(() => {
    assert.ok(temporalCliPath(), 'no Temporal CLI: run `npm run temporal:install`');
  });

  const tenant = async (): Promise<TenantView> => {
    const state = await h.emu.control.state();
    return state.tenants.find((t) => t.org === h.emu.options.orgId && t.sandbox === 'prod')!;
  };
  const items = (t: TenantView, kind: string) =>
    (t.collections[kind] ?? []) as Array<Record<string, unknown>>;
  const field = (row: Record<string, unknown> | undefined, p: string): unknown =>
    getPath(row, `_${h.emu.options.tenantId}.${p}`);

  /** The base connection, the source connection on it and the flow: as the tutorial wires them. */
  async function assertWiring(result: OnboardingResult): Promise<void> {
    const t = await tenant();
    const base = items(t, 'connections').find((c) => c.id === result.ids.baseConnectionId);
    assert.ok(base, `base connection ${result.ids.baseConnectionId} exists`);
    assert.deepEqual(base.connectionSpec, { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' });
    const auth = base.auth as { specName: string; params: Record<string, unknown> };
    assert.equal(auth.specName, 'Streaming Connection');
    assert.equal(auth.params.dataType, 'raw');
    assert.equal(auth.params.inletUrl, result.inletUrl, 'the inlet is the base connection’s');
    const source = items(t, 'sourceConnections').find((s) => s.id === result.ids.sourceConnectionId);
    assert.equal(source?.baseConnectionId, result.ids.baseConnectionId);
    const flow = items(t, 'flows').find((f) => f.id === result.ids.flowId);
    assert.equal((flow?.flowSpec as { id: string }).id, HTTP_API_FLOW_SPEC_ID);
  }

  async function postAll(result: OnboardingResult): Promise<Map<string, Record<string, unknown>>> {
    for (const [kind, body] of Object.entries(httpApiSamples)) {
      const r = await fetch(result.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 200, `${kind}: ${await r.text()}`);
    }
    const rows = ((await tenant()).records[result.ids.datasetId] ?? []) as Array<Record<string, unknown>>;
    const kinds = Object.keys(httpApiSamples);
    assert.equal(rows.length, kinds.length, 'one record per sample');
    const byKind = new Map(kinds.map((k, i) => [k, rows[i]!]));
    for (const [kind, sample] of Object.entries(httpApiSamples)) {
      const row = byKind.get(kind);
      assert.equal(row?._id, sample.eventId, `${kind}: _id is the event id`);
      assert.equal(Date.parse(row.timestamp as string), Date.parse(sample.occurredAt), `${kind}: timestamp`);
      assert.equal(field(row, 'httpApi.userId'), sample.userId, `${kind}: identity`);
      assert.equal(field(row, 'httpApi.eventType'), sample.eventType);
    }
    assert.equal(field(byKind.get('purchase'), 'httpApi.attributes.value'), 129.5);
    return byKind;
  }

  /**
   * A second flow on the same target, from an authenticated base connection (authenticationRequired: true): its
   * inlet refuses a post without a bearer token (401, the tutorial's appendix) and takes one with it.
   */
  async function authenticatedInlet(result: OnboardingResult): Promise<void> {
    const fs = h.aep.flowService;
    const spec = { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' };
    const base = await fs.create('connections', {
      name: 'Authenticated inlet',
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: spec,
      auth: {
        specName: 'Streaming Connection',
        params: { dataType: 'raw', name: 'Authenticated inlet', authenticationRequired: true },
      },
    });
    const source = await fs.create('sourceConnections', {
      name: 'Authenticated source',
      baseConnectionId: base.id,
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: spec,
      data: { format: 'json' },
    });
    const flow = await fs.create('flows', {
      name: 'Authenticated flow',
      flowSpec: { id: HTTP_API_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [source.id],
      targetConnectionIds: [result.ids.targetConnectionId],
      transformations: [
        {
          name: 'Mapping',
          params: { mappingId: result.ids.mappingSetId, mappingVersion: String(result.mappingVersion) },
        },
      ],
    });
    const conn = await fs.get('connections', base.id);
    const inletUrl = (conn.auth as { params: { inletUrl: string } }).params.inletUrl;
    assert.notEqual(inletUrl, result.inletUrl, 'each base connection has its own inlet');
    const post = (headers: Record<string, string>) =>
      fetch(`${inletUrl}?x-adobe-flow-id=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(httpApiSamples.pageView),
      });
    const refused = await post({});
    assert.equal(refused.status, 401);
    const problem = (await refused.json()) as { title: string; report: { message: string } };
    assert.equal(problem.title, 'Authorization');
    assert.match(problem.report.message, /Ims service token is empty/);
    assert.equal((await post({ authorization: 'Bearer some-token' })).status, 200);
    // The unauthenticated inlet of the onboarding still takes posts without one.
    const open = await fetch(result.webhookUrl, {
      method: 'POST',
      body: JSON.stringify(httpApiSamples.signup),
    });
    assert.equal(open.status, 200);
  }

  async function verifies(ref: string, tq: string): Promise<void> {
    const v = await cli('verify', ref, '--source', 'http-api', '--task-queue', tq, '--json');
    assert.equal(v.code, EXIT.ok, v.out);
    assert.deepEqual(v.json<VerifyDoc>().verify.landed, Object.keys(httpApiSamples));
  }

  it('from `aep-onboard start --source http-api`: samples land mapped, verify passes, teardown removes the base connection', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const plan = await cli('plan', 'Raw events', '--source', 'http-api', '--task-queue', tq, '--json');
      assert.equal(plan.code, EXIT.ok, plan.out);
      const creates = plan.json<PlanDoc>().plan.create.map((i) => i.step);
      assert.equal(creates.length, 8, 'the seven resources and the base connection');
      assert.equal(creates[0], 'baseConnection', 'in creation order: the base connection first');

      const start = await cli('start', 'Raw events', '--source', 'http-api', '--task-queue', tq, '--json');
      assert.equal(start.code, EXIT.ok, start.out);
      const { result } = start.json<ResultDoc>();
      await assertWiring(result);
      await postAll(result);
      await verifies('Raw events', tq);

      const down = await cli('teardown', 'Raw events', '--yes', '--task-queue', tq, '--json');
      assert.equal(down.code, EXIT.ok, down.out);
      const { teardown } = down.json<TeardownDoc>();
      const steps = teardown.outcomes.map((o) => [o.step, o.outcome]);
      assert.deepEqual(steps.at(-1), ['baseConnection', 'deleted'], 'the base connection last');
      assert.deepEqual(teardown.left, []);
      const t = await tenant();
      for (const kind of FLOW_KINDS) assert.deepEqual(items(t, kind), [], `${kind} left`);
    });
  });

  it('from `temporal workflow start`: samples land mapped and verify passes', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const workflowId = uniqueName('onboard-http-api');
      const start = await temporalCli(
        h,
        ...onboardingStartArgs(tq, workflowId, { source: 'http-api', name: 'Raw events CLI' }),
      );
      assert.equal(start.code, 0, start.stderr);
      const res = await temporalCli(h, 'workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
      assert.equal(res.code, 0, res.stderr);
      const { status, result } = JSON.parse(res.stdout) as { status: string; result: OnboardingResult };
      assert.equal(status, 'COMPLETED');
      await assertWiring(result);
      await postAll(result);
      await verifies(workflowId, tq);
      await authenticatedInlet(result);
    });
  });

  it('a base connection create AEP refuses fails the run at baseConnection, compensated with nothing left', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      await h.emu.control.fault({
        method: 'POST',
        path: '/flowservice/connections$',
        kind: 'status',
        status: 400,
        count: -1,
      });
      const run = await cli('start', 'Raw refused', '--source', 'http-api', '--task-queue', tq, '--json');
      await h.emu.control.clearFaults();
      assert.equal(run.code, EXIT.runFailed, run.out);
      const doc = run.json<RunFailureDoc>();
      assert.equal(doc.details.failedStep, 'baseConnection');
      assert.deepEqual(doc.details.left, []);
      assert.ok(
        doc.details.undone.some((o) => o.step === 'baseConnection'),
        JSON.stringify(doc.details.undone),
      );
      const t = await tenant();
      for (const kind of FLOW_KINDS) assert.deepEqual(items(t, kind), [], `${kind} left`);
      assert.deepEqual(items(t, 'mappingSets').length, 0, 'no mapping set left');
    });
  });

  it('an authenticated copy of the preset: the onboarding verifies through an inlet that needs a bearer token', async () => {
    await h.emu.control.reset();
    const dir = mkdtempSync(path.join(tmpdir(), 'http-api-auth-'));
    const builtIn = PresetRegistry.fromEnv({}).get('http-api')!;
    const copy = {
      ...builtIn,
      id: 'http-api-auth',
      displayName: 'HTTP API (authenticated)',
      baseConnection: {
        ...builtIn.baseConnection!,
        auth: { specName: 'Streaming Connection', params: { dataType: 'raw', authenticationRequired: true } },
      },
    };
    writeFileSync(path.join(dir, 'http-api-auth.preset.json'), JSON.stringify(copy));
    const presets = new PresetRegistry([BUILTIN_PRESET_DIR, dir]);
    const result = await h.withWorker(async (tq) => {
      const { handle } = await h.start(tq, { source: 'http-api-auth', name: 'Raw auth', verify: true });
      return handle.result();
    }, presets);
    assert.deepEqual(result.verified?.samples, Object.keys(httpApiSamples), 'verify posted with the token');
    const base = items(await tenant(), 'connections').find((c) => c.id === result.ids.baseConnectionId)!;
    assert.equal((base.auth as { params: Record<string, unknown> }).params.authenticationRequired, true);
    const refused = await fetch(result.webhookUrl, {
      method: 'POST',
      body: JSON.stringify(httpApiSamples.signup),
    });
    assert.equal(refused.status, 401, 'without a token the same inlet refuses');
  });
});
