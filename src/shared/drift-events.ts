// Which hook events a drift check sends: one per onboarding whose state changed since the previous check (turned
// degraded, turned drifted, or healthy and in sync again). Pure: the drift workflow calls it with the previous
// scheduled run's result (its last completion result).
import type {
  DriftCheckResult,
  DriftKind,
  HealthState,
  NotifyEvent,
  OnboardingDrift,
} from './contracts/drift';

const bad = (o: Pick<OnboardingDrift, 'drift' | 'health'>) => o.health === 'degraded' || o.drift !== 'none';

/** The event for one onboarding, or undefined when its state did not change (first seen counts as healthy). */
export function stateChange(
  previous: Pick<OnboardingDrift, 'drift' | 'health'> | undefined,
  now: Pick<OnboardingDrift, 'drift' | 'health'>,
): NotifyEvent['event'] | undefined {
  const before = previous ?? { drift: 'none', health: 'healthy' };
  if (now.health === 'degraded' && before.health !== 'degraded') return 'degraded';
  if (now.drift !== 'none' && before.drift === 'none') return 'drifted';
  if (!bad(now) && bad(before)) return 'healthy';
  return undefined;
}

/** The events of a check, given the previous check's result (undefined: none yet). */
export function driftEvents(
  previous: DriftCheckResult | undefined,
  onboardings: readonly OnboardingDrift[],
  checkedAt: number,
): NotifyEvent[] {
  const before = new Map(
    (previous?.onboardings ?? []).map((o) => [o.workflowId, o.notifiedState ?? o] as const),
  );
  const events: NotifyEvent[] = [];
  for (const o of onboardings) {
    if (o.error) continue;
    const event = stateChange(before.get(o.workflowId), o);
    if (!event) continue;
    events.push({
      event,
      workflowId: o.workflowId,
      name: o.name,
      source: o.source,
      sandbox: o.sandbox,
      drift: o.drift,
      health: o.health,
      missing: o.missing,
      changed: o.changed.map((c) => `${c.resource}.${c.field}`),
      reasons: o.reasons,
      checkedAt,
    });
  }
  return events;
}

/** What the hook knew before `event` was sent for `o` (the state to keep when sending failed). */
export function knownBefore(
  previous: DriftCheckResult | undefined,
  workflowId: string,
): { drift: DriftKind; health: HealthState } {
  const p = previous?.onboardings.find((o) => o.workflowId === workflowId);
  const s = p?.notifiedState ?? p;
  return { drift: s?.drift ?? 'none', health: s?.health ?? 'healthy' };
}

/** An onboarding whose read failed keeps its previous state (so the next check compares against what was known). */
export function carryForward(
  previous: DriftCheckResult | undefined,
  failed: Pick<OnboardingDrift, 'workflowId' | 'sandbox'>,
  error: string,
): OnboardingDrift {
  const p = previous?.onboardings.find((o) => o.workflowId === failed.workflowId);
  return {
    name: failed.workflowId,
    source: '',
    drift: 'none',
    health: 'healthy',
    missing: [],
    changed: [],
    reasons: [],
    errors: [],
    failedRuns: 0,
    ...p,
    ...failed,
    error,
  };
}
