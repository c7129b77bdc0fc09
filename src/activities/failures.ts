// The one place where client errors become Temporal failures: retryable or not, and when to retry next.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { AepError } from '../aep';
import { heartbeatDetailsOf } from './ownership';
import { FAILURE_TYPES } from '../shared/failures';

export interface AepFailureDetails {
  kind: string;
  status?: number;
  code?: string;
  requestId?: string;
  method?: string;
  path?: string;
}

/**
 * Validation (400/422), permission (403), not-found, conflict and IMS credential errors cannot be fixed by retrying:
 * non-retryable. A 401 after the client's own renewal is retried (see below). 429 retries no earlier than Retry-After; 5xx and network errors retry with the activity's
 * backoff; a malformed response does not (the same answer would come back). The AEP error already carries a redacted message, so no secret reaches the history.
 */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof AepError) {
    const details: AepFailureDetails = {
      kind: err.kind,
      status: err.status,
      code: err.code,
      requestId: err.requestId,
      method: err.method,
      path: err.path,
    };
    // A 401 that survived the client's renew-and-replay (a token revoked or expired mid-call) may pass on the next
    // attempt with a fresh token; bad credentials fail at IMS instead (ImsError, non-retryable).
    const retryable = err.retryable || err.kind === 'authentication';
    return ApplicationFailure.create({
      type: err.name,
      message: err.message,
      nonRetryable: !retryable,
      details: [details],
      nextRetryDelay: err.retryAfterMs !== undefined && err.retryAfterMs > 0 ? err.retryAfterMs : undefined,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: FAILURE_TYPES.unexpected, message, nonRetryable: false });
}

/** How often a running activity tells the server it is alive: a dead worker is noticed within heartbeatTimeout. */
export const HEARTBEAT_EVERY_MS = 2_000;

function startHeartbeats(): () => void {
  const ctx = Context.current();
  // A local activity runs inside a workflow task: the server knows nothing of it to keep alive.
  if (ctx.info.isLocal) return () => undefined;
  const timer = setInterval(() => ctx.heartbeat(heartbeatDetailsOf(ctx)), HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}

/**
 * Wraps every activity of a record: whatever it throws goes through toApplicationFailure, and it heartbeats while it
 * runs, so that a worker killed mid-call is detected in seconds rather than at the start-to-close timeout.
 */
export function withFailureMapping<T extends Record<string, (input: never) => Promise<unknown>>>(
  activities: T,
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = {
      async [name](input: never) {
        const stop = startHeartbeats();
        try {
          return await fn(input);
        } catch (err) {
          throw toApplicationFailure(err);
        } finally {
          stop();
        }
      },
    }[name];
  }
  return wrapped as T;
}
