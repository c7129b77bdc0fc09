// An onboarding's health, from its flow's runs: the newest run failed, or nothing came in for too long.
import type { HealthReport } from '../../shared/contracts/drift';
import type { FlowRuns } from '../../shared/contracts/lifecycle';
import type { ActivityDeps } from '../deps';
import { listFlowRuns } from '../lifecycle/runs';

const MAX_ERRORS = 10;

/** `3 h 5 min`, for a person reading why an onboarding is degraded. */
export function formatSpan(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  const h = Math.floor(min / 60);
  return h ? `${h} h${min % 60 ? ` ${min % 60} min` : ''}` : `${min} min`;
}

/**
 * Pure. Degraded when the newest run failed (its errors listed), or when the last run (else `since`, the
 * onboarding's end) is older than `silenceMs` (0: no silence rule). An older failed run followed by a good one is
 * a recovery, not a failure.
 */
export function judgeHealth(
  runs: FlowRuns,
  opts: { now: number; silenceMs: number; since?: number },
): HealthReport {
  const newest = runs.runs[0];
  const reasons: string[] = [];
  let errors: HealthReport['errors'] = [];
  if (newest?.failed) {
    reasons.push(
      `the newest run ${newest.id} failed (${newest.failedRecords} of ${newest.inputRecords} records failed)`,
    );
    errors = newest.errors.slice(0, MAX_ERRORS);
  }
  const lastRunAt = newest ? (newest.completedAt ?? newest.startedAt) : undefined;
  const last = lastRunAt ?? opts.since;
  if (opts.silenceMs > 0 && last !== undefined && opts.now - last > opts.silenceMs) {
    reasons.push(`nothing received for ${formatSpan(opts.now - last)} (limit ${formatSpan(opts.silenceMs)})`);
  }
  return {
    health: reasons.length ? 'degraded' : 'healthy',
    reasons,
    errors,
    ...(lastRunAt !== undefined ? { lastRunAt } : {}),
    failedRuns: runs.failedRuns,
  };
}

export async function flowHealth(
  deps: Pick<ActivityDeps, 'aep'>,
  input: { sandbox: string; flowId: string; silenceMs: number; since?: number },
): Promise<HealthReport> {
  const runs = await listFlowRuns(deps, { sandbox: input.sandbox, flowId: input.flowId });
  return judgeHealth(runs, { now: Date.now(), silenceMs: input.silenceMs, since: input.since });
}
