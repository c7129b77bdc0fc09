// Observability Insights (observability-insights.yaml): `GET /data/infrastructure/observability/insights/metrics`
// (V1: `metric` repeated 1..6 times, `id` of the metric's resource, `dateRange` an ISO 8601 interval), with the
// streaming ingestion counts the inlet feeds (./ingestion.ts), at DAY granularity.
//
// Emulator choices [U]:
// - Metrics served: the dataset's recordsuccess count and validation rejections (id = dataset id) and the inlet's
//   received / success counts (id = inlet id), names as Adobe's metrics list spells them; any other name -> 400.
// - Answer: one v1Response `{id, imsOrgId, timeseries: {granularity: "DAY", items: [{timestamp, metrics}], _page,
//   _links}, stats: {}}` per request, items newest first, one per UTC day of the range (default: the last 30 days),
//   every asked metric in every item (0 when nothing was counted).
// - Errors: `{errorCode, httpStatus, title, details}` (the spec's `error`), INSGHT-1001-400 for a bad query.
import { insightsError } from '../core/errors';
import type { Router } from '../core/router';
import type { HttpError, RequestContext, TenantStore } from '../core/types';

export const METRICS = {
  recordSuccess: 'timeseries.ingestion.dataset.recordsuccess.count',
  recordFailed: 'timeseries.data.collection.validation.total.messages.rejected',
  inletReceived: 'timeseries.data.collection.inlet.total.messages.received',
  inletSuccess: 'timeseries.data.collection.inlet.success',
  /** Not served: the inlet's failures are read from the dataset's rejections. Kept so the inlet counts balance. */
  inletFailed: 'emulator.inlet.failed',
} as const;

const SERVED = new Set<string>([
  METRICS.recordSuccess,
  METRICS.recordFailed,
  METRICS.inletReceived,
  METRICS.inletSuccess,
]);

const COLLECTION = 'insightsMetrics';
const DAY_MS = 86_400_000;

interface Counter {
  id: string;
  metric: string;
  resourceId: string;
  day: number;
  value: number;
}

/** Adds one to `metric` of `resourceId` on the UTC day of `at`. */
export function countMetric(tenant: TenantStore, metric: string, resourceId: string, at: number): void {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  const id = `${metric}|${resourceId}|${day}`;
  const counters = tenant.collection<Counter>(COLLECTION);
  const c = counters.get(id) ?? { id, metric, resourceId, day, value: 0 };
  counters.set(id, { ...c, value: c.value + 1 });
  tenant.mutated();
}

function bad(details: string): HttpError {
  return insightsError(400, 'INSGHT-1001-400', details);
}

function range(ctx: RequestContext): { start: number; end: number } {
  const raw = ctx.query.get('dateRange');
  if (raw === null) return { start: ctx.now() - 30 * DAY_MS, end: ctx.now() };
  const [from, to] = raw.split('/');
  const start = Date.parse(from ?? '');
  const end = Date.parse(to ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start)
    throw bad(`dateRange must be an ISO 8601 interval start/end, got '${raw}'.`);
  return { start, end };
}

function metrics(ctx: RequestContext) {
  const names = ctx.query.getAll('metric');
  if (names.length < 1 || names.length > 6) throw bad('Between 1 and 6 metric parameters are required.');
  const unknown = names.filter((n) => !SERVED.has(n));
  if (unknown.length) throw bad(`Unknown metric(s): ${unknown.join(', ')}.`);
  const id = ctx.query.get('id') ?? undefined;
  const { start, end } = range(ctx);
  const counters = [...ctx.tenant.collection<Counter>(COLLECTION).values()];
  const items: Array<{ timestamp: string; metrics: Record<string, number> }> = [];
  for (
    let day = Math.floor(end / DAY_MS) * DAY_MS;
    day >= Math.floor(start / DAY_MS) * DAY_MS;
    day -= DAY_MS
  ) {
    const values: Record<string, number> = {};
    for (const name of names)
      values[name] = counters
        .filter((c) => c.metric === name && c.day === day && (id === undefined || c.resourceId === id))
        .reduce((sum, c) => sum + c.value, 0);
    items.push({ timestamp: new Date(day).toISOString().replace('.000Z', 'Z'), metrics: values });
  }
  return {
    status: 200,
    body: [
      {
        id: id ?? null,
        imsOrgId: ctx.org,
        timeseries: { granularity: 'DAY', items, _page: null, _links: null },
        stats: {},
      },
    ],
  };
}

export function register(router: Router): void {
  router.add('GET', '/data/infrastructure/observability/insights/metrics', metrics);
}
