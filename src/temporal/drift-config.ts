// The worker's drift settings, from the environment, checked at start-up: a bad value stops the worker naming the
// variable, never repeating the hook URL (it may carry a token).
import { DEFAULT_DRIFT_EVERY_MS, DEFAULT_SILENCE_MS, driftIntervalProblem } from '../shared/contracts/drift';
import { parseDuration } from '../shared/duration';
import { describeNotifyUrl, NOTIFY_URL_ENV, notifyUrlProblem } from '../shared/notify-url';

export interface DriftConfig {
  /** AEP_NOTIFY_URL: where state changes are POSTed; undefined = no hook. */
  notifyUrl?: string;
  /** Scheme and host only, for the start-up log line. */
  notifyUrlShown?: string;
  /** AEP_DRIFT_SANDBOXES (comma separated): the sandboxes whose drift schedule the worker creates or updates. */
  sandboxes: string[];
  /** AEP_DRIFT_EVERY (`1h`, `10m`...): the schedules' interval. */
  everyMs: number;
  /** AEP_DRIFT_SILENCE (`24h`, `0` = off): degraded after this long without a received record. */
  silenceMs: number;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const ms = parseDuration(raw);
  if (ms === undefined) throw new Error(`${name} must be a duration like 90s, 10m, 1h or 2d, got "${raw}"`);
  return ms;
}

export function loadDriftConfig(env: NodeJS.ProcessEnv = process.env): DriftConfig {
  const url = env[NOTIFY_URL_ENV]?.trim() || undefined;
  const problem = url ? notifyUrlProblem(url) : undefined;
  if (problem) throw new Error(problem);
  const everyMs = duration(env, 'AEP_DRIFT_EVERY', DEFAULT_DRIFT_EVERY_MS);
  const interval = driftIntervalProblem(everyMs);
  if (interval) throw new Error(`AEP_DRIFT_EVERY: ${interval}`);
  return {
    ...(url ? { notifyUrl: url, notifyUrlShown: describeNotifyUrl(url) } : {}),
    sandboxes: (env.AEP_DRIFT_SANDBOXES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    everyMs,
    silenceMs: duration(env, 'AEP_DRIFT_SILENCE', DEFAULT_SILENCE_MS),
  };
}
