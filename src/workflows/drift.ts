// checkDrift: the drift and health check of a sandbox's managed onboardings, run by a Temporal Schedule
// (`aep-drift-<org>-<sandbox>`, src/client/drift.ts) or once by `aep-onboard drift`. Per onboarding: the one
// comparison of desired and live owned state, and the flow's runs. Reported in the result, the AepDrift and
// AepHealth search attributes (the sandbox's worst), Current Details, a metric and, on a state change since the
// previous scheduled check (its last completion result), the worker's notification hook.
import {
  ApplicationFailure,
  metricMeter,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  DEFAULT_SILENCE_MS,
  type DriftCheckInput,
  type DriftCheckResult,
  type DriftKind,
  type OnboardingDrift,
} from '../shared/contracts/drift';
import { carryForward, driftEvents, knownBefore } from '../shared/drift-events';
import { FAILURE_TYPES, LIFECYCLE_FAILURES } from '../shared/onboarding';
import { AepDrift, AepHealth, AepSandbox } from '../shared/search-attributes';
import { act, READ } from './options';
import { describeError, failureType } from './saga';
import { refuseTooDeep } from './validation';

export type { DriftCheckInput, DriftCheckResult } from '../shared/contracts/drift';

/** The hook may be down for a while: retried for up to an hour, then the check records that it failed. */
const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
};
/** How many onboardings are read at once: a sandbox of many must not flood the org's request budget. */
const CONCURRENCY = 4;
const RANK: Record<DriftKind, number> = { none: 0, changed: 1, missing: 2 };

function checkInput(input: DriftCheckInput): void {
  const problems: string[] = [];
  if (typeof input?.sandbox !== 'string' || !input.sandbox.trim()) problems.push('sandbox: required');
  if (typeof input?.orgId !== 'string' || !input.orgId.trim()) problems.push('orgId: required');
  const s = input?.silenceMs;
  if (s !== undefined && (typeof s !== 'number' || !Number.isFinite(s) || s < 0))
    problems.push('silenceMs: a number of milliseconds, 0 or more');
  if (problems.length)
    throw ApplicationFailure.nonRetryable(
      `Invalid drift check input:\n- ${problems.join('\n- ')}`,
      FAILURE_TYPES.invalidDriftInput,
      { problems },
    );
}

/** Gone between the listing and its check (torn down, or never completed): not an onboarding to judge. */
const GONE = new Set<string>([
  LIFECYCLE_FAILURES.notFound,
  LIFECYCLE_FAILURES.notCompleted,
  LIFECYCLE_FAILURES.tornDown,
]);

async function inBatches<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

function previousResult(): DriftCheckResult | undefined {
  const last = workflowInfo().lastResult;
  const r = (Array.isArray(last) ? last[0] : last) as DriftCheckResult | undefined;
  return r && Array.isArray(r.onboardings) ? r : undefined;
}

export async function checkDrift(input: DriftCheckInput): Promise<DriftCheckResult> {
  refuseTooDeep(input, 'operation');
  checkInput(input);
  const { sandbox } = input;
  const silenceMs = input.silenceMs ?? DEFAULT_SILENCE_MS;
  upsertSearchAttributes([{ key: AepSandbox, value: sandbox }]);
  const previous = previousResult();
  const ids = await act(READ, 'List the managed onboardings of the sandbox').listDriftTargets({
    sandbox,
    orgId: input.orgId,
    workflowId: input.workflowId,
  });
  const checked = await inBatches(ids, CONCURRENCY, (workflowId) =>
    act(READ, `Check ${workflowId}: owned state and runs`)
      .checkOnboardingDrift({ workflowId, silenceMs })
      .catch((err: unknown): OnboardingDrift | undefined => {
        if (GONE.has(failureType(err) ?? '')) return undefined;
        return carryForward(previous, { workflowId, sandbox }, describeError(err));
      }),
  );
  const onboardings = checked.filter((o): o is OnboardingDrift => o !== undefined);
  const checkedAt = Date.now();
  const events = input.notify ? driftEvents(previous, onboardings, checkedAt) : [];
  const notified = [];
  for (const e of events) {
    const outcome = await act(NOTIFY, `Notify: ${e.name} is ${e.event}`)
      .notifyHook(e)
      .then(
        (sent) => (sent ? 'sent' : 'no hook'),
        () => 'failed',
      );
    if (outcome === 'sent') notified.push(e);
    if (outcome === 'failed') {
      // The hook kept failing: the next check compares with what it last heard, and sends the change again.
      const o = onboardings.find((x) => x.workflowId === e.workflowId);
      if (o) o.notifiedState = knownBefore(previous, e.workflowId);
    }
  }
  const drift = onboardings.reduce<DriftKind>((w, o) => (RANK[o.drift] > RANK[w] ? o.drift : w), 'none');
  const health = onboardings.some((o) => o.health === 'degraded') ? 'degraded' : 'healthy';
  upsertSearchAttributes([
    { key: AepDrift, value: drift },
    { key: AepHealth, value: health },
  ]);
  const counter = metricMeter.createCounter(
    'aep_drift_checks',
    'onboardings',
    'Onboardings checked for drift',
  );
  for (const o of onboardings) counter.add(1, { sandbox, drift: o.drift, health: o.health });
  setCurrentDetails(renderDriftDetails(onboardings, drift, health));
  return { orgId: input.orgId, sandbox, checkedAt, drift, health, onboardings, notified };
}

function renderDriftDetails(onboardings: OnboardingDrift[], drift: DriftKind, health: string): string {
  const lines = [`**Drift:** ${drift} · **Health:** ${health} · ${onboardings.length} onboarding(s)`, ''];
  for (const o of onboardings) {
    const what = [
      ...o.missing.map((m) => `${m} missing`),
      ...o.changed.map((c) => `${c.resource}.${c.field} changed`),
      ...o.reasons,
      ...(o.error ? [`not checked: ${o.error}`] : []),
    ];
    lines.push(`- ${o.name}: ${o.drift}, ${o.health}${what.length ? ` — ${what.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}
