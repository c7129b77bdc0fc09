// Reads workflow histories for the benchmark's profile (where the time between API calls goes) and for the chaos
// run's checks (failed workflow tasks, secrets in payloads).
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const E = temporal.api.enums.v1.EventType;

export function fetchHistory(client: Client, workflowId: string): Promise<History> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

export interface HistoryProfile {
  /** Workflow start to close. */
  totalMs: number;
  /** Activity scheduled -> picked up by the worker. */
  scheduleToStartMs: number[];
  /** Activity picked up -> result recorded (the API call(s) and the worker's own time). */
  activityRunMs: number[];
  /** Workflow task scheduled -> completed (server dispatch + the worker's replay/step). */
  workflowTaskMs: number[];
  workflowTaskFailures: number;
}

export function profileHistory(history: History): HistoryProfile {
  const at = (e: temporal.api.history.v1.IHistoryEvent) => (e.eventTime ? tsToMs(e.eventTime) : NaN);
  const byId = new Map<number, temporal.api.history.v1.IHistoryEvent>();
  const p: HistoryProfile = {
    totalMs: 0,
    scheduleToStartMs: [],
    activityRunMs: [],
    workflowTaskMs: [],
    workflowTaskFailures: 0,
  };
  const events = history.events ?? [];
  for (const e of events) {
    byId.set(Number(e.eventId), e);
    switch (e.eventType) {
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const scheduled = byId.get(Number(e.activityTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled) p.scheduleToStartMs.push(at(e) - at(scheduled));
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const started = byId.get(Number(e.activityTaskCompletedEventAttributes?.startedEventId));
        if (started) p.activityRunMs.push(at(e) - at(started));
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const scheduled = byId.get(Number(e.workflowTaskCompletedEventAttributes?.scheduledEventId));
        if (scheduled) p.workflowTaskMs.push(at(e) - at(scheduled));
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        p.workflowTaskFailures++;
        break;
    }
  }
  const first = events[0];
  const last = events[events.length - 1];
  if (first && last) p.totalMs = at(last) - at(first);
  return p;
}

/** The history as text with every payload decoded (payload data are bytes, where a leaked token would hide). */
export function historyText(history: History): string {
  return JSON.stringify(history, (key, value: unknown) => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    // The client hands payload bytes over as base64 text.
    if ((key === 'data' || key === 'encoding') && typeof value === 'string') {
      return Buffer.from(value, 'base64').toString('utf8');
    }
    // Buffer.prototype.toJSON runs before the replacer: {type: 'Buffer', data: [bytes]}.
    const v = value as { type?: unknown; data?: unknown } | null;
    if (v && v.type === 'Buffer' && Array.isArray(v.data))
      return Buffer.from(v.data as number[]).toString('utf8');
    return value;
  });
}

/** The activity attempts that did not succeed, and a cancel request, in order: `type: message` lines. */
export function failureTrail(history: History): string[] {
  const scheduled = new Map<number, string>();
  const attempts = new Map<number, number>();
  const out: string[] = [];
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(Number(e.eventId), a.activityType?.name ?? '?');
    const started = e.activityTaskStartedEventAttributes;
    if (started) attempts.set(Number(started.scheduledEventId), started.attempt ?? 0);
    const failed = e.activityTaskFailedEventAttributes;
    const timedOut = e.activityTaskTimedOutEventAttributes;
    const cancelled = e.activityTaskCanceledEventAttributes;
    const attrs = failed ?? timedOut ?? cancelled;
    if (attrs) {
      const type = scheduled.get(Number(attrs.scheduledEventId)) ?? '?';
      const f = failed?.failure ?? timedOut?.failure;
      const what = f ? (f.cause?.message ?? f.message ?? '') : 'cancelled';
      const attempt = attempts.get(Number(attrs.scheduledEventId));
      out.push(`${type}${attempt ? ` (attempt ${attempt})` : ''}: ${what}`);
    }
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)
      out.push('(workflow cancel requested)');
  }
  return out;
}

/** Each message of a failure and of its causes, outermost first. */
function failureMessages(f: temporal.api.failure.v1.IFailure | null | undefined): string[] {
  const out: string[] = [];
  for (let c = f; c; c = c.cause) out.push(c.message ?? '');
  return out;
}

/**
 * Activity attempts started after a failure matching `pattern` (an attempt's started event carries the failure of
 * the attempt before it; the server keeps this only for each activity's last attempt, so this is a lower bound).
 */
export function retriesAfter(history: History, pattern: RegExp): number {
  let n = 0;
  for (const e of history.events ?? []) {
    const last = e.activityTaskStartedEventAttributes?.lastFailure;
    if (last && failureMessages(last).some((m) => pattern.test(m))) n++;
  }
  return n;
}
