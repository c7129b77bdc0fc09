// What happens to a streamed record after the inlet's 200, on the emulator's clock (`ctx.now`, injectable): it lands
// in the dataset `landingDelayMs` after receipt, and the flow's run and the Observability Insights metrics count it
// `aggregationDelayMs` after it landed. Both 0 by default: the record is landed and counted before the inlet answers.
//
// Nothing runs on a timer: every request first settles what has come due (`settleIngestion`), so a test that moves
// an injected clock sees records land and counts appear exactly when the clock passes their time, with no sleeps.
// Records still pending are kept in memory only (not in the data file): a restart drops them [U].
import type { EmulatorState, TenantStore } from '../core/types';
import { recordRun } from './flowservice/runs';
import { countMetric, METRICS } from './observability';

/** One record between the inlet's answer and its last count. */
interface Pending {
  flowId: string;
  inletId: string;
  /** The record's target dataset (absent when the flow's target could not be resolved). */
  dataSetId?: string;
  /** Set when mapping and validation passed: the row to append to the dataset. */
  record?: Record<string, unknown>;
  error?: { code: string; message: string };
  landsAt: number;
  countedAt: number;
  landed: boolean;
}

const pending = new WeakMap<TenantStore, Pending[]>();

export interface IngestionDelays {
  landingDelayMs?: number;
  aggregationDelayMs?: number;
}

/**
 * The delays named in the environment (`EMULATOR_LANDING_DELAY_MS`, `EMULATOR_AGGREGATION_DELAY_MS`), for the
 * emulator's CLI and `npm start`; unset or empty means 0. A value that is not a non-negative number is refused.
 */
export function ingestionDelaysFromEnv(env: NodeJS.ProcessEnv): IngestionDelays {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number of ms`);
    return n;
  };
  const out: IngestionDelays = {};
  const landing = read('EMULATOR_LANDING_DELAY_MS');
  const aggregation = read('EMULATOR_AGGREGATION_DELAY_MS');
  if (landing !== undefined) out.landingDelayMs = landing;
  if (aggregation !== undefined) out.aggregationDelayMs = aggregation;
  return out;
}

/** Queues one processed record; `settleIngestion` lands and counts it when its time comes (now, with no delays). */
export function enqueueIngestion(
  tenant: TenantStore,
  item: Omit<Pending, 'landsAt' | 'countedAt' | 'landed'>,
  receivedAt: number,
  delays: IngestionDelays,
): void {
  const landsAt = receivedAt + Math.max(0, delays.landingDelayMs ?? 0);
  const countedAt = landsAt + Math.max(0, delays.aggregationDelayMs ?? 0);
  let queue = pending.get(tenant);
  if (!queue) pending.set(tenant, (queue = []));
  queue.push({ ...item, landsAt, countedAt, landed: false });
}

/** How many records of `tenant` the inlet accepted that are not counted yet (for the control plane). */
export function pendingCount(tenant: TenantStore): number {
  return pending.get(tenant)?.length ?? 0;
}

/** Lands and counts, in arrival order, every record whose time has come. */
export function settleIngestion(state: EmulatorState, now: number): void {
  for (const { store } of state.tenants()) {
    const queue = pending.get(store);
    if (!queue?.length) continue;
    const left: Pending[] = [];
    for (const p of queue) {
      if (!p.landed && now >= p.landsAt) {
        p.landed = true;
        if (p.record && p.dataSetId) store.records(p.dataSetId).push(p.record);
      }
      if (now < p.countedAt) {
        left.push(p);
        continue;
      }
      const ok = p.record !== undefined;
      recordRun(
        store,
        p.flowId,
        { input: 1, output: ok ? 1 : 0, failed: ok ? 0 : 1, ...(p.error ? { errors: [p.error] } : {}) },
        p.countedAt,
      );
      countMetric(store, METRICS.inletReceived, p.inletId, p.countedAt);
      countMetric(store, ok ? METRICS.inletSuccess : METRICS.inletFailed, p.inletId, p.countedAt);
      if (p.dataSetId)
        countMetric(store, ok ? METRICS.recordSuccess : METRICS.recordFailed, p.dataSetId, p.countedAt);
    }
    pending.set(store, left);
    store.mutated();
  }
}

/** Forgets every pending record (the control plane's reset). */
export function clearIngestion(state: EmulatorState): void {
  for (const { store } of state.tenants()) pending.delete(store);
}
