// Activity option presets of the day-two workflows, and the local input check they start with.
import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { asInputFailure } from './validation';

export const READ: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 8 },
};
/** Deletes are worth more patience than reads: giving up leaves a resource behind. */
export const DELETE: ActivityOptions = {
  ...READ,
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 20 },
};

/** The activities under `options`, each call shown in the history and the Web UI with `summary`. */
export const act = (options: ActivityOptions, summary: string) =>
  proxyActivities<Activities>({ ...options, summary });

/** Input checks run in the worker (src/activities/validation.ts), keeping zod out of the workflow bundle. */
export const check = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
});

/** Runs an input check, its failure re-raised as the workflow's own input failure. */
export async function validated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asInputFailure(err);
  }
}
