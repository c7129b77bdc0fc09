// The emulator's ingestion delays over real HTTP: a streamed record lands in its dataset `landingDelayMs` after the
// inlet's 200, and the flow's run and the Observability Insights metrics count it `aggregationDelayMs` later. The
// emulator's clock is injected here, so each assertion is on what the clock says, never on wall time.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { INSIGHTS_METRICS, type InsightsV1Response } from '../../src/aep';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import type { RunBody } from '../support/aep-bodies';
import { request, spawnEmulator, startEmulator, type StartedEmulator } from '../support/emulator';
import { createHandMadeFlow, platform, postWebhook, type HandMadeFlow } from '../support/lifecycle';

const INSIGHTS = '/data/infrastructure/observability/insights/metrics';

describe('emulator: ingestion delays on its clock', () => {
  let now = Date.now();
  let emu: StartedEmulator;
  let flow: HandMadeFlow;

  before(async () => {
    emu = await startEmulator({ now: () => now });
  });
  after(() => emu.close());
  beforeEach(async () => {
    await emu.control.reset();
    flow = await createHandMadeFlow(emu);
  });

  const rows = async () =>
    (await emu.control.state()).tenants.find((t) => t.sandbox === 'prod')?.records[flow.datasetId] ?? [];
  const runs = async () => {
    const { call, ok } = await platform(emu);
    const list = ok(
      await call<{ items: RunBody[] }>('GET', `/flowservice/runs?property=flowId==${flow.flowId}`),
      'runs',
    );
    return list.items.reduce(
      (n, r) => ({
        output: n.output + r.metrics.recordSummary.outputRecordCount,
        failed: n.failed + r.metrics.recordSummary.failedRecordCount,
      }),
      { output: 0, failed: 0 },
    );
  };
  const insights = async (query: string) =>
    request<InsightsV1Response>(`${emu.url}${INSIGHTS}?${query}`, {
      headers: emu.headers(await emu.token()),
    });
  const datasetCounts = async () => {
    const res = await insights(
      `metric=${INSIGHTS_METRICS.datasetRecordSuccess}&metric=${INSIGHTS_METRICS.datasetRecordRejected}&id=${flow.datasetId}`,
    );
    assert.equal(res.status, 200, res.text);
    const sum = (m: string) => res.body[0]!.timeseries!.items.reduce((n, i) => n + (i.metrics[m] ?? 0), 0);
    return {
      success: sum(INSIGHTS_METRICS.datasetRecordSuccess),
      rejected: sum(INSIGHTS_METRICS.datasetRecordRejected),
    };
  };

  it('defaults: the record is landed and counted before the inlet answers', async () => {
    assert.deepEqual(await emu.control.ingestion(), {
      inletDelayMs: 0,
      landingDelayMs: 0,
      aggregationDelayMs: 0,
      pending: 0,
    });
    assert.equal(await postWebhook(flow.webhookUrl, chatlioSamples.newConversation), 200);
    assert.equal((await rows()).length, 1);
    assert.deepEqual(await runs(), { output: 1, failed: 0 });
    assert.deepEqual(await datasetCounts(), { success: 1, rejected: 0 });
  });

  it('landing 3 s then aggregation 2 s, set through the control plane: each shows when the clock passes it', async () => {
    const set = await emu.control.setIngestion({ landingDelayMs: 3_000, aggregationDelayMs: 2_000 });
    assert.equal(set.landingDelayMs, 3_000);
    assert.equal(await postWebhook(flow.webhookUrl, chatlioSamples.newConversation), 200);
    assert.equal((await emu.control.ingestion()).pending, 1);
    assert.equal((await rows()).length, 0, 'not landed at receipt');
    assert.deepEqual(await runs(), { output: 0, failed: 0 });

    now += 2_999;
    assert.equal((await rows()).length, 0, 'not landed 1 ms before the landing delay');
    now += 1;
    assert.equal((await rows()).length, 1, 'landed at the landing delay');
    assert.deepEqual(await runs(), { output: 0, failed: 0 }, 'not counted before aggregation');
    assert.deepEqual(await datasetCounts(), { success: 0, rejected: 0 });

    now += 2_000;
    assert.deepEqual(await runs(), { output: 1, failed: 0 });
    assert.deepEqual(await datasetCounts(), { success: 1, rejected: 0 });
    assert.equal((await emu.control.ingestion()).pending, 0);
  });

  it('syncValidation=true refuses an invalid record at once; it is counted as failed after the delays', async () => {
    await emu.control.setIngestion({ landingDelayMs: 1_000, aggregationDelayMs: 1_000 });
    const res = await request<{ title: string; report: { message: string } }>(
      `${flow.webhookUrl}&syncValidation=true`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: { message: { not: 'a string' } },
      },
    );
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.title, 'Invalid XDM Message Format');
    assert.deepEqual(await runs(), { output: 0, failed: 0 });
    now += 2_000;
    assert.deepEqual(await runs(), { output: 0, failed: 1 });
    assert.deepEqual(await datasetCounts(), { success: 0, rejected: 1 });
    assert.equal((await rows()).length, 0);
  });

  it('a reset forgets pending records and goes back to the start-up delays', async () => {
    await emu.control.setIngestion({ landingDelayMs: 60_000 });
    assert.equal(await postWebhook(flow.webhookUrl, chatlioSamples.newConversation), 200);
    await emu.control.reset();
    assert.deepEqual(await emu.control.ingestion(), {
      inletDelayMs: 0,
      landingDelayMs: 0,
      aggregationDelayMs: 0,
      pending: 0,
    });
  });

  it('Observability Insights: the inlet counts by inlet id; unknown metrics and bad ranges are refused', async () => {
    assert.equal(await postWebhook(flow.webhookUrl, chatlioSamples.newConversation), 200);
    const inletId = flow.inletUrl.split('/').pop()!;
    const byInlet = await insights(
      `metric=${INSIGHTS_METRICS.inletReceived}&metric=${INSIGHTS_METRICS.inletSuccess}&id=${inletId}`,
    );
    assert.equal(byInlet.status, 200, byInlet.text);
    assert.equal(byInlet.body[0]!.id, inletId);
    const today = byInlet.body[0]!.timeseries!.items[0]!;
    assert.deepEqual(today.metrics, {
      [INSIGHTS_METRICS.inletReceived]: 1,
      [INSIGHTS_METRICS.inletSuccess]: 1,
    });
    assert.equal(byInlet.body[0]!.timeseries!.items.length, 31, 'one item per day of the default 30 days');

    const unknown = await insights('metric=timeseries.nope');
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /INSGHT-1001-400.*timeseries\.nope/);
    const badRange = await insights(`metric=${INSIGHTS_METRICS.inletReceived}&dateRange=yesterday`);
    assert.equal(badRange.status, 400);
    assert.equal((await insights('')).status, 400, 'a metric is required');
  });
});

describe('emulator: ingestion delays from the command line and the environment', () => {
  it('--landing-delay-ms wins over EMULATOR_LANDING_DELAY_MS; EMULATOR_AGGREGATION_DELAY_MS applies', async () => {
    const child = await spawnEmulator(['--port', '0', '--landing-delay-ms', '1500'], {
      EMULATOR_LANDING_DELAY_MS: '9',
      EMULATOR_AGGREGATION_DELAY_MS: '250',
    });
    try {
      const res = await request<Record<string, number>>(`${child.url}/__emulator/ingestion`);
      assert.deepEqual(res.body, {
        inletDelayMs: 0,
        landingDelayMs: 1_500,
        aggregationDelayMs: 250,
        pending: 0,
      });
    } finally {
      await child.stop();
    }
  });
});
