// The worker's telemetry: structured JSON logs (with workflow/activity context, secrets redacted) and Prometheus
// metrics from the Temporal Runtime, plus the worker's own counters on the same endpoint.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';
import { redact, type ResponseInfo } from '../aep';

export interface ObservabilityConfig {
  /** `host:port` for the Prometheus endpoint (`/metrics`); undefined = no metrics endpoint. */
  metricsBind?: string;
  logLevel: LogLevel;
  logFormat: 'json' | 'text';
}

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function loadObservabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  const bind = env.WORKER_METRICS_BIND ?? '127.0.0.1:9464';
  const level = (env.LOG_LEVEL ?? 'INFO').toUpperCase() as LogLevel;
  if (!LEVELS.includes(level))
    throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const format = (env.LOG_FORMAT ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'text')
    throw new Error(`LOG_FORMAT must be json or text, got "${env.LOG_FORMAT}"`);
  if (bind && bind !== 'off' && !/^[^:]+:\d+$/.test(bind)) {
    throw new Error(`WORKER_METRICS_BIND must be host:port or "off", got "${bind}"`);
  }
  return { metricsBind: bind && bind !== 'off' ? bind : undefined, logLevel: level, logFormat: format };
}

/**
 * Replaces every known secret (client secret, issued tokens) and any bearer token by [REDACTED]. The AEP client
 * already redacts its own errors; this is the last line of defence for whatever else reaches a log line.
 */
export function redactText(text: string, secrets: () => Iterable<string>): string {
  const bearerless = text.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[REDACTED]');
  // Shorter values would blank out ordinary words of every line.
  return redact(
    bearerless,
    [...secrets()].filter((s) => s.length >= 6),
  );
}

function safeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    return v;
  });
}

/** One JSON object per line: time, level, message, then the SDK's context (workflowId, runId, activityType...). */
export function formatLogEntry(
  entry: LogEntry,
  secrets: () => Iterable<string>,
  format: 'json' | 'text',
): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  if (format === 'text') {
    const meta = entry.meta && Object.keys(entry.meta).length ? ` ${safeJson(entry.meta)}` : '';
    return redactText(`${time} [${entry.level}] ${entry.message}${meta}`, secrets);
  }
  return redactText(safeJson({ time, level: entry.level, msg: entry.message, ...entry.meta }), secrets);
}

/**
 * Installs the process-wide Temporal Runtime (must precede any connection or worker). `secrets` is read at each log
 * line, so tokens issued later are redacted too.
 */
export function installRuntime(
  cfg: ObservabilityConfig,
  secrets: () => Iterable<string>,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  const logger = new DefaultLogger(cfg.logLevel, (entry) =>
    write(formatLogEntry(entry, secrets, cfg.logFormat)),
  );
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(cfg.metricsBind ? { metrics: { prometheus: { bindAddress: cfg.metricsBind } } } : {}),
    },
  });
}

/** Counts every AEP HTTP exchange by service, method and status (0 = no response) on the Runtime's meter. */
export function aepCallCounter(): (info: ResponseInfo) => void {
  const counter = Runtime.instance().metricMeter.createCounter(
    'aep_api_calls',
    'calls',
    'AEP HTTP calls by service, method and status (0 = no response)',
  );
  const latency = Runtime.instance().metricMeter.createHistogram(
    'aep_api_call_duration',
    'int',
    'ms',
    'AEP HTTP call duration',
  );
  return (info) => {
    const tags = { service: info.service, method: info.method, status: String(info.status) };
    counter.add(1, tags);
    latency.record(Math.round(info.durationMs), { service: info.service, method: info.method });
  };
}
