// Activity options of the onboarding, one home: how patient each kind of call is, and what a cancel waits for.
import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Creates and reads: bounded retries, so a step that keeps failing ends the run (and compensates). On cancellation
 * the workflow waits for an attempt in flight to finish (the SDK's effective default is TRY_CANCEL, which reports the
 * activity cancelled at once while its create may still land afterwards, after the undo looked for it: an orphan).
 */
export const STEP_OPTIONS: ActivityOptions = {
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // Room for a retry to wait out an earlier attempt's create (the worker's createSettleMs, 60 s by default) and
  // then make its own (a 30 s HTTP timeout).
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  // Dense faults can take many attempts; the schedule-to-close budget is what ends a step that keeps failing.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 30 },
};
/** Undos get a more patient policy of their own: leaving an orphan is worse than a slow compensation. */
export const UNDO_OPTIONS: ActivityOptions = {
  // Room to wait out a create that may still land (the settle time, 60 s by default) before deleting it.
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 40 },
};
/**
 * Reads that change nothing run as local activities: in the worker, inside the workflow task, with no round trip
 * through the server before and after each (~10 ms each on the dev server, three of them on the critical path).
 * They are safe to run again if a worker dies mid-task, which is what a local activity may do. Every create stays
 * a normal activity: a create run again after a crash must know it may have run before (its attempt number), and
 * it shows in the history as a step of its own.
 */
export const PREPARE_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
};
export const READ_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '10m',
  retry: STEP_OPTIONS.retry,
};
/** The inlet URL may lag the flow's creation: poll it briefly and often. */
export const INLET_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '500ms', backoffCoefficient: 1.5, maximumInterval: '10s', maximumAttempts: 60 },
};

export function activities(options: ActivityOptions, summary: string) {
  return proxyActivities<Activities>({ ...options, summary });
}
export function localActivities(options: LocalActivityOptions, summary: string) {
  return proxyLocalActivities<Activities>({ ...options, summary });
}
