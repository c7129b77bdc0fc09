import { z } from 'zod';
import type { AepTransport } from './transport';

/** The Observability Insights metrics the verification reads (names as Adobe's metrics list spells them). */
export const INSIGHTS_METRICS = {
  /** Records written to a dataset (id: the dataset id). */
  datasetRecordSuccess: 'timeseries.ingestion.dataset.recordsuccess.count',
  /** Streamed records a dataset's validation rejected (id: the dataset id). */
  datasetRecordRejected: 'timeseries.data.collection.validation.total.messages.rejected',
  /** Messages an inlet received / accepted (id: the inlet id). */
  inletReceived: 'timeseries.data.collection.inlet.total.messages.received',
  inletSuccess: 'timeseries.data.collection.inlet.success',
} as const;

/** A metric's value: a number, or a string of one (tolerant); anything else reads as 0. */
const metricValue = z.unknown().transform((v) => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
});

/** `v1Response` of observability-insights.yaml, read tolerantly: absent parts read as empty. */
export const insightsV1Schema = z.array(
  z.looseObject({
    id: z.string().nullish(),
    timeseries: z
      .looseObject({
        granularity: z.string().nullish(),
        items: z
          .array(
            z.looseObject({
              timestamp: z.string().nullish(),
              metrics: z.record(z.string(), metricValue).default({}),
            }),
          )
          .nullish()
          .transform((items) => items ?? []),
      })
      .nullish(),
  }),
);
export type InsightsV1Response = z.output<typeof insightsV1Schema>;

export interface MetricsQuery {
  /** 1 to 6 metric names. */
  metric: string[];
  /** The id of the metrics' resource (a dataset id, an inlet id). */
  id?: string;
  /** ISO 8601 interval `start/end`; AEP's default is the last 30 days. */
  dateRange?: string;
}

/** Observability Insights (`/data/infrastructure/observability/insights`): ingestion metrics. */
export class ObservabilityInsights {
  constructor(private readonly transport: AepTransport) {}

  /** `GET /metrics` (V1): one answer per request, items per time bucket. */
  async metrics(query: MetricsQuery): Promise<InsightsV1Response> {
    if (query.metric.length < 1 || query.metric.length > 6)
      throw new RangeError('Observability Insights takes 1 to 6 metrics per request');
    const res = await this.transport.request({
      method: 'GET',
      service: 'observability',
      path: '/metrics',
      query: { metric: query.metric, id: query.id, dateRange: query.dateRange },
      schema: insightsV1Schema,
    });
    return res.data;
  }

  /** Each metric summed over every bucket of the range (0 when AEP has counted nothing). */
  async totals(query: MetricsQuery): Promise<Record<string, number>> {
    const answer = await this.metrics(query);
    const out: Record<string, number> = Object.fromEntries(query.metric.map((m) => [m, 0]));
    for (const r of answer)
      for (const item of r.timeseries?.items ?? [])
        for (const m of query.metric) out[m] = (out[m] ?? 0) + (item.metrics[m] ?? 0);
    return out;
  }
}
