// The Observability Insights client over an undici MockAgent: the V1 request as observability-insights.yaml gives it
// (base path, repeated `metric`, `id`), and answers read tolerantly (values as numbers or strings, parts missing).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createAepClient, INSIGHTS_METRICS } from '../../src/aep';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';

const agent = mockAgent();
mockIms(agent, ['tok-insights']);
const client = createAepClient(testConfig(), { dispatcher: agent });
after(async () => {
  await client.close();
  await agent.close();
});

const BASE = '/data/infrastructure/observability/insights/metrics';
const OK = INSIGHTS_METRICS.datasetRecordSuccess;
const REJECTED = INSIGHTS_METRICS.datasetRecordRejected;

function answer(query: string, data: unknown, seen?: Array<Record<string, unknown>>): void {
  agent
    .get(PLATFORM)
    .intercept({ path: `${BASE}?${query}`, method: 'GET' })
    .reply((opts) => {
      seen?.push(opts.headers as Record<string, unknown>);
      return { statusCode: 200, data: JSON.stringify(data), responseOptions: { headers: JSON_HEADERS } };
    });
}

describe('Observability Insights client', () => {
  it('GET /metrics with each metric repeated and the id; totals sum every bucket (numbers or strings)', async () => {
    const seen: Array<Record<string, unknown>> = [];
    answer(
      `metric=${encodeURIComponent(OK)}&metric=${encodeURIComponent(REJECTED)}&id=ds1`,
      [
        {
          id: 'ds1',
          imsOrgId: 'UNIT0000@AdobeOrg',
          timeseries: {
            granularity: 'DAY',
            items: [
              { timestamp: '2020-07-15T00:00:00Z', metrics: { [OK]: 46, [REJECTED]: '2' } },
              { timestamp: '2020-07-14T00:00:00Z', metrics: { [OK]: '44' } },
            ],
            _page: null,
            _links: null,
          },
          stats: {},
        },
      ],
      seen,
    );
    const totals = await client.observability.totals({ metric: [OK, REJECTED], id: 'ds1' });
    assert.deepEqual(totals, { [OK]: 90, [REJECTED]: 2 });
    const headers = seen[0]!;
    assert.equal(headers['x-sandbox-name'], 'dev');
    assert.equal(headers['authorization'], 'Bearer tok-insights');
  });

  it('an answer with no timeseries, or items without metrics, reads as zero', async () => {
    answer(`metric=${encodeURIComponent(OK)}&id=ds2`, [
      { id: 'ds2', stats: { 'stats.ingestion.dataset.count': '1' } },
      { id: 'ds2', timeseries: { items: [{ timestamp: '2020-07-14T00:00:00Z' }] } },
    ]);
    assert.deepEqual(await client.observability.totals({ metric: [OK], id: 'ds2' }), { [OK]: 0 });
  });

  it('more than 6 metrics, or none, are refused before any request', async () => {
    await assert.rejects(client.observability.metrics({ metric: [] }), RangeError);
    await assert.rejects(
      client.observability.metrics({ metric: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }),
      RangeError,
    );
  });
});
