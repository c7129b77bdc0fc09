// The notification hook: one small JSON POST per state change of an onboarding (degraded, drifted, healthy again).
// Temporal retries it (a non-2xx answer is a retryable failure); the URL, which may hold a token, is never in a
// message, and the body holds names and states only.
import { ApplicationFailure } from '@temporalio/activity';
import type { NotifyEvent } from '../../shared/contracts/drift';
import { FAILURE_TYPES } from '../../shared/failures';
import type { ActivityDeps } from '../deps';

const TIMEOUT_MS = 10_000;

export function createNotifyActivities(deps: Pick<ActivityDeps, 'notifyUrl'>) {
  return {
    /** False when the worker has no hook configured (nothing sent). */
    async notifyHook(event: NotifyEvent): Promise<boolean> {
      if (!deps.notifyUrl) return false;
      let res: Response;
      try {
        res = await fetch(deps.notifyUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'aep-onboarding-drift' },
          body: JSON.stringify({ type: 'aep-onboarding.health', ...event }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
          redirect: 'error',
        });
      } catch (err) {
        // undici's messages may quote the URL: only the error's name and code are kept.
        const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        throw ApplicationFailure.retryable(
          `The notification hook could not be reached (${code})`,
          FAILURE_TYPES.notificationFailed,
        );
      }
      await res.body?.cancel();
      if (!res.ok) {
        throw ApplicationFailure.retryable(
          `The notification hook answered HTTP ${res.status}`,
          FAILURE_TYPES.notificationFailed,
        );
      }
      return true;
    },
  };
}
