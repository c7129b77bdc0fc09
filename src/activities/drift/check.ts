// The drift check's activities: which onboardings a sandbox holds under our management, and for one of them the
// desired state, the live owned state (read by id), the one comparison, and the health of its flow's runs.
import { ApplicationFailure } from '@temporalio/activity';
import type { OnboardingRecord } from '../../records';
import type {
  DriftKind,
  HealthReport,
  OnboardingDrift,
  ReconcileContext,
  RecordedDesired,
} from '../../shared/contracts/drift';
import type { OwnedStateDiff } from '../../shared/contracts/owned-state';
import { fnv1a, runMarker } from '../../shared/naming';
import { FAILURE_TYPES, LIFECYCLE_FAILURES } from '../../shared/onboarding';
import { compareOwnedState, normaliseMappings } from '../../shared/owned-state';
import type { ActivityDeps } from '../deps';
import { readLiveOwnedState } from '../owned-state';
import { desiredOfRecord } from './desired';
import { flowHealth } from './health';

/** missing > changed > none. */
export function driftKind(diff: OwnedStateDiff): DriftKind {
  return diff.missing.length ? 'missing' : diff.changed.length ? 'changed' : 'none';
}

export interface DriftTargetsInput {
  sandbox: string;
  workflowId?: string;
  /** The org of the check: a derived onboarding id names its org's hash, another org's are not ours to read. */
  orgId?: string;
}

const DERIVED_ID = /-[0-9a-f]{12}-([0-9a-f]{8})$/;

/** Whether an onboarding id may be `orgId`'s: a derived id must carry its hash; any other id (Web UI) may be. */
export function ofOrg(workflowId: string, orgId: string | undefined): boolean {
  const m = DERIVED_ID.exec(workflowId);
  return !orgId || !m || m[1] === fnv1a(orgId);
}

export function createDriftCheckActivities(deps: ActivityDeps) {
  const completedRecord = async (workflowId: string) => {
    const record = await deps.records.read(workflowId);
    if (!record) {
      throw ApplicationFailure.nonRetryable(
        `No onboarding with workflow id ${workflowId}`,
        LIFECYCLE_FAILURES.notFound,
      );
    }
    if (!record.result) {
      throw ApplicationFailure.nonRetryable(
        `Onboarding ${workflowId} is ${record.lifecycle}, not completed: it holds no resources`,
        LIFECYCLE_FAILURES.notCompleted,
      );
    }
    return record as OnboardingRecord & { result: NonNullable<OnboardingRecord['result']> };
  };

  const desiredOf = async (workflowId: string) => {
    const record = await completedRecord(workflowId);
    const r = record.result;
    const updates = await deps.records.updates(workflowId, record.closeTime ?? record.startTime);
    const desired = desiredOfRecord({
      record,
      updates,
      displayName: deps.presets.get(r.source)?.displayName,
    });
    // The mappings as the recorded version holds them: AEP keeps every version of a mapping set.
    const version = desired.mappingSet?.version;
    const set = await deps.aep
      .withSandbox(r.sandbox)
      .dataPrep.getMappingSet(r.ids.mappingSetId, version)
      .catch(() => undefined);
    if (set && desired.mappingSet) {
      desired.mappingSet.mappings = normaliseMappings(
        set.mappings.map((m) => ({
          sourceType: m.sourceType,
          source: m.source ?? m.sourceAttribute,
          destination: m.destination ?? m.destinationXdmPath,
        })),
      );
    }
    const recorded: RecordedDesired = {
      workflowId,
      name: r.name,
      source: r.source,
      sandbox: r.sandbox,
      closedAt: (record.closeTime ?? record.startTime).getTime(),
      desired,
    };
    return { recorded, record };
  };

  /** Desired, live, the comparison and the health of one onboarding. */
  const inspect = async (workflowId: string, silenceMs: number) => {
    const { recorded: d, record } = await desiredOf(workflowId);
    const ids = record.result.ids;
    const live = await readLiveOwnedState(deps, d.sandbox, ids);
    const diff = compareOwnedState(d.desired, live);
    const health: HealthReport = live.missing.includes('flow')
      ? {
          health: 'degraded',
          reasons: ['the dataflow is gone: nothing is ingested'],
          errors: [],
          failedRuns: 0,
        }
      : await flowHealth(deps, { sandbox: d.sandbox, flowId: ids.flowId, silenceMs, since: d.closedAt });
    const drift: OnboardingDrift = {
      workflowId: d.workflowId,
      name: d.name,
      source: d.source,
      sandbox: d.sandbox,
      drift: driftKind(diff),
      missing: diff.missing,
      changed: diff.changed,
      ...health,
    };
    return { drift, desired: d, live, record };
  };

  return {
    /** The sandbox's completed (or adopted) onboardings that no teardown followed: what the check looks at. */
    async listDriftTargets(input: DriftTargetsInput): Promise<string[]> {
      if (input.workflowId) return [input.workflowId];
      const all = await deps.records.list({ sandbox: input.sandbox });
      return all
        .filter((o) => o.lifecycle === 'completed' || o.lifecycle === 'adopted')
        .filter((o) => ofOrg(o.workflowId, input.orgId))
        .map((o) => o.workflowId);
    },

    /** The desired owned state of a recorded onboarding (its record folded with the updates after it). */
    async desiredOnboardingState(input: { workflowId: string }): Promise<RecordedDesired> {
      return (await desiredOf(input.workflowId)).recorded;
    },

    /** One onboarding: drift (missing, changed owned fields) and health (its flow's runs). */
    async checkOnboardingDrift(input: { workflowId: string; silenceMs: number }): Promise<OnboardingDrift> {
      return (await inspect(input.workflowId, input.silenceMs)).drift;
    },

    /** What reconcile starts from: the drift, the desired and live states, the record and the preset's specs. */
    async readReconcileContext(input: { workflowId: string }): Promise<ReconcileContext> {
      const { drift, desired, live, record } = await inspect(input.workflowId, 0);
      const preset = deps.presets.get(record.result.source);
      if (!preset) {
        throw ApplicationFailure.nonRetryable(
          `Onboarding ${input.workflowId}: its source ${record.result.source} is no preset this worker knows`,
          FAILURE_TYPES.notReconcilable,
        );
      }
      return {
        drift,
        desired: desired.desired,
        live,
        result: record.result,
        marker:
          record.kind === 'onboarding'
            ? runMarker({ workflowId: record.workflowId, runId: record.runId })
            : undefined,
        preset: {
          displayName: preset.displayName,
          flowSpec: preset.flowSpec,
          connectionSpec: preset.connectionSpec,
          providerId: preset.providerId,
          dataFormat: preset.dataFormat,
        },
      };
    },
  };
}
