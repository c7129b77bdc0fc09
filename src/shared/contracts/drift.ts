// Inputs and results of the drift check (checkDrift), the notification hook and reconcile (reconcileOnboarding).
// JSON only: they cross the workflow boundary and the CLI prints them.
import type { OnboardingResult } from '../onboarding';
import type { FieldChange, LiveOwnedState, OwnedState } from './owned-state';
import type { ResourceStep } from './resources';

export type DriftKind = 'none' | 'changed' | 'missing';
export type HealthState = 'healthy' | 'degraded';

/** The check's defaults: every hour; degraded when nothing was received for a day. */
export const DEFAULT_DRIFT_EVERY_MS = 3_600_000;
export const DEFAULT_SILENCE_MS = 86_400_000;
/** Schedules below this interval would mostly measure their own overhead. */
export const MIN_DRIFT_EVERY_MS = 1_000;

/** Why `everyMs` is no schedule interval, or undefined. */
export function driftIntervalProblem(everyMs: number): string | undefined {
  if (!Number.isFinite(everyMs) || everyMs < MIN_DRIFT_EVERY_MS)
    return `the interval must be at least ${MIN_DRIFT_EVERY_MS / 1000} s`;
  return undefined;
}

/** `aep-drift-<org>-<sandbox>`: one schedule (and one series of check runs) per org and sandbox. */
export function driftScheduleId(orgId: string, sandbox: string): string {
  return `aep-drift-${orgId}-${sandbox}`;
}

export interface DriftCheckInput {
  orgId: string;
  sandbox: string;
  /** Degraded when the flow received nothing for this long (ms); 0 turns the silence rule off. */
  silenceMs?: number;
  /** Only this onboarding (its workflow id); every managed onboarding of the sandbox when absent. */
  workflowId?: string;
  /** POST state changes to the worker's notification hook (the scheduled checks do; a one-off check does not). */
  notify?: boolean;
}

export interface HealthReport {
  health: HealthState;
  /** Why degraded: the failing run, or the silence. */
  reasons: string[];
  /** The newest failing run's errors (at most 10). */
  errors: Array<{ code?: string; message?: string }>;
  lastRunAt?: number;
  failedRuns: number;
}

export interface OnboardingDrift extends HealthReport {
  workflowId: string;
  name: string;
  source: string;
  sandbox: string;
  drift: DriftKind;
  missing: ResourceStep[];
  changed: FieldChange[];
  /** The read of AEP failed (not a 404): drift unknown this time, the onboarding is not judged. */
  error?: string;
  /**
   * The state the hook last heard of, when it differs from this one (its notification failed): the next check
   * compares with it, so the change is sent again rather than lost.
   */
  notifiedState?: { drift: DriftKind; health: HealthState };
}

export interface DriftCheckResult {
  orgId: string;
  sandbox: string;
  checkedAt: number;
  /** The worst of the onboardings: missing > changed > none; degraded > healthy. */
  drift: DriftKind;
  health: HealthState;
  onboardings: OnboardingDrift[];
  /** The hook events this check sent (one per onboarding whose state changed). */
  notified: NotifyEvent[];
}

/** The desired owned state of a recorded onboarding, and the record's ids it was derived from. */
export interface RecordedDesired {
  workflowId: string;
  name: string;
  source: string;
  sandbox: string;
  closedAt?: number;
  desired: OwnedState;
}

/** The small JSON the notification hook receives: names and states, never a credential or the webhook URL. */
export interface NotifyEvent {
  event: 'degraded' | 'drifted' | 'healthy';
  workflowId: string;
  name: string;
  source: string;
  sandbox: string;
  drift: DriftKind;
  health: HealthState;
  missing: ResourceStep[];
  /** `resource.field` of each changed field. */
  changed: string[];
  reasons: string[];
  checkedAt: number;
}

export interface ReconcileInput {
  workflowId: string;
}

export interface ReconcileAction {
  resource: ResourceStep;
  action: 'recreated' | 'reapplied';
  id: string;
  /** The new id replaces this one (re-created). */
  previousId?: string;
  fields?: string[];
}

export interface ReconcileResult {
  workflowId: string;
  name: string;
  sandbox: string;
  actions: ReconcileAction[];
  /** The ids after reconcile, recorded: drift checks, update and teardown use them from now on. */
  ids: { flowId: string; targetConnectionId: string; sourceConnectionId: string; mappingSetId: string };
  mappingVersion: number;
  webhookUrl: string;
  /** Changed fields reconcile does not re-apply (`resource.field`: a connection's or dataset's own fields). */
  unresolved: string[];
  /** True when the flow had to be re-created: the new webhook URL must be pasted into the source again. */
  webhookUrlChanged: boolean;
  previousWebhookUrl?: string;
}

/** What the reconcile workflow starts from (readReconcileContext). */
export interface ReconcileContext {
  drift: OnboardingDrift;
  desired: OwnedState;
  live: LiveOwnedState;
  /** The record as it stands (ids of earlier reconciles folded in). */
  result: OnboardingResult;
  /** The onboarding run's marker: what it re-creates is named as the onboarding named it. Absent when adopted. */
  marker?: string;
  preset: {
    displayName: string;
    flowSpec: { id: string; version: string };
    connectionSpec: { id: string; version: string };
    providerId: string;
    dataFormat: string;
  };
}
