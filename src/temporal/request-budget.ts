// The worker's org request budgets (src/aep/request-budget.ts), wired once per process: knobs from the environment,
// pauses and delays counted on the Runtime's meter, and each delayed request attributed to the run that made it.
import { asyncLocalStorage } from '@temporalio/activity';
import { Runtime } from '@temporalio/worker';
import { loadRequestBudgetConfig, RequestBudgets, type BudgetEvents, type RequestBudgetConfig } from '../aep';

/** The workflow id of the activity this code runs in (local activities included); undefined outside one. */
export function activityWorkflowId(): string | undefined {
  return asyncLocalStorage.getStore()?.info.workflowExecution?.workflowId;
}

/** `aep_budget_pauses` and `aep_budget_delayed_requests` (+ the wait's duration) on the Runtime's meter. */
export function aepBudgetMetrics(): BudgetEvents {
  const meter = Runtime.instance().metricMeter;
  const pauses = meter.createCounter(
    'aep_budget_pauses',
    'pauses',
    'Pauses of every request of an AEP org after a 429',
  );
  const delayed = meter.createCounter(
    'aep_budget_delayed_requests',
    'requests',
    'AEP requests that waited before being sent, by reason (pause after a 429, in-flight cap)',
  );
  const waited = meter.createHistogram(
    'aep_budget_wait',
    'int',
    'ms',
    'How long a delayed AEP request waited for the org budget',
  );
  return {
    onPause: (e) => pauses.add(1, { org: e.orgId }),
    onDelayed: (e) => {
      delayed.add(1, { org: e.orgId, reason: e.reason });
      waited.record(Math.round(e.waitedMs), { org: e.orgId, reason: e.reason });
    },
  };
}

/** The process's budgets; `metrics: false` where no Runtime meter is wanted (tests that read the counters). */
export function createRequestBudgets(
  opts: { config?: RequestBudgetConfig; metrics?: boolean } = {},
): RequestBudgets {
  return new RequestBudgets(opts.config ?? loadRequestBudgetConfig(), {
    caller: activityWorkflowId,
    ...(opts.metrics === false ? {} : { events: aepBudgetMetrics() }),
  });
}
