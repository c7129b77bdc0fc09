// computeDesiredPlan: a desired-state file against the onboarding records and live AEP (GETs only). Per entry: create
// (no live onboarding; the dry run of src/activities/lifecycle/plan.ts finds what would conflict), change (owned
// fields that differ, field by field), noop, conflict; then the extras, onboardings of ours in the file's sandboxes
// that it does not list. The hash covers the file and every live value read, so a live change makes it stale.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { DesiredPlan, DesiredPlanEntry, PlanDesiredInput } from '../../shared/contracts/desired';
import { isUpdatable, summarise, updateFor } from '../../shared/desired-plan';
import type { DesiredEntry } from '../../shared/desired-state';
import { onboardingWorkflowId, runMarker } from '../../shared/naming';
import { FAILURE_TYPES } from '../../shared/onboarding';
import { canonicalJson, compareOwnedState, desiredFromInput } from '../../shared/owned-state';
import type { ActivityDeps } from '../deps';
import { createPlanActivities } from '../lifecycle/plan';
import { readLiveOwnedState } from '../owned-state';

/** Lifecycles of an onboarding whose run is going on: no plan can say what it will hold. */
const BUSY = ['running', 'compensating', 'tearing-down'];
/** Lifecycles of an onboarding that holds resources we manage. */
const MANAGED = ['completed', 'adopted'];

export function createDesiredPlanActivities(deps: ActivityDeps) {
  const dryRun = createPlanActivities(deps);
  const orgId = deps.aep.config.orgId;

  /** One entry of the file, and what was observed to plan it (for the hash). */
  async function planEntry(
    entry: DesiredEntry,
    index: number,
  ): Promise<{ entry: DesiredPlanEntry; observed: unknown }> {
    const { sandbox, source, name, enabled: _enabled, ...rest } = entry;
    const workflowId = onboardingWorkflowId({ orgId, sandbox, source, name });
    const base = { workflowId, sandbox, source, name, index };
    const preset = deps.presets.get(source);
    if (!preset) {
      throw ApplicationFailure.nonRetryable(
        `onboardings[${index}].source: unknown source "${source}"; known: ${deps.presets.ids().join(', ')}`,
        FAILURE_TYPES.invalidDesiredState,
      );
    }
    const record = await deps.records.read(workflowId);
    const lifecycle = record?.lifecycle;
    if (record && lifecycle && BUSY.includes(lifecycle)) {
      return {
        entry: {
          ...base,
          action: 'conflict',
          reasons: [`the onboarding is ${lifecycle} (run ${record.runId}): apply again when it ends`],
        },
        observed: { workflowId, runId: record.runId, lifecycle },
      };
    }
    if (lifecycle === 'teardown-incomplete') {
      return {
        entry: {
          ...base,
          action: 'conflict',
          reasons: ['its teardown left resources behind: tear it down again first'],
        },
        observed: { workflowId, runId: record?.runId, lifecycle },
      };
    }
    if (!record?.result || !lifecycle || !MANAGED.includes(lifecycle)) {
      // Nothing live: the dry run of a start says what it would create and what it would run into.
      const dry = await dryRun.planOnboardingResources({
        workflowId,
        sandbox,
        input: { source, name, sandbox, ...rest },
      });
      const conflicts = dry.conflict.map(
        (c) => `${c.step}${c.name ? ` "${c.name}"` : ''}: ${c.reason ?? 'conflict'}`,
      );
      return {
        entry: conflicts.length
          ? { ...base, action: 'conflict', reasons: conflicts }
          : { ...base, action: 'create', start: { input: entry, afterTornDown: lifecycle === 'torn-down' } },
        observed: { workflowId, runId: record?.runId, lifecycle, items: dry.items },
      };
    }

    const r = record.result;
    const desired = desiredFromInput(entry, preset, r.ids.tenantId, {
      workflowId,
      // An adopted flow's names are AEP's (it was not created under a marker): not judged.
      marker: record.kind === 'onboarding' ? runMarker({ workflowId, runId: record.runId }) : undefined,
      ids: r.ids,
    });
    const live = await readLiveOwnedState(deps, r.sandbox, r.ids);
    const diff = compareOwnedState(desired, live);
    const observed = { workflowId, runId: record.runId, lifecycle, live };
    const known = { ids: r.ids, webhookUrl: r.webhookUrl };
    const fixed = diff.changed.filter((c) => !isUpdatable(c));
    if (diff.missing.length || fixed.length) {
      return {
        entry: {
          ...base,
          ...known,
          action: 'conflict',
          changes: diff.changed,
          reasons: [
            ...(diff.missing.length
              ? [`missing in AEP: ${diff.missing.join(', ')} (reconcile re-creates them)`]
              : []),
            ...fixed.map(
              (c) =>
                `${c.resource}.${c.field} cannot change in place: tear the onboarding down and apply again`,
            ),
          ],
        },
        observed,
      };
    }
    const update = updateFor(workflowId, diff.changed);
    return {
      entry: update
        ? { ...base, ...known, action: 'change', changes: diff.changed, update }
        : { ...base, ...known, action: 'noop' },
      observed,
    };
  }

  return {
    async computeDesiredPlan(input: PlanDesiredInput): Promise<DesiredPlan> {
      const prune = Boolean(input.prune);
      const planned = await Promise.all(input.state.onboardings.map((e, i) => planEntry(e, i)));
      // A create that starts disabled: the onboarding creates flows enabled, an update disables it after.
      for (const { entry } of planned) {
        if (entry.action === 'create' && entry.start?.input.enabled === false)
          entry.update = { workflowId: entry.workflowId, state: 'disabled' };
      }
      const inFile = new Set(planned.map((p) => p.entry.workflowId));
      const extras: DesiredPlanEntry[] = [];
      for (const sandbox of input.state.sandboxes) {
        for (const o of await deps.records.list({ sandbox })) {
          if (inFile.has(o.workflowId) || !MANAGED.includes(o.lifecycle)) continue;
          // Only an onboarding under the id this org's start (or apply) gives its name is one a file manages: not
          // another org's in a shared namespace, nor one started under an id of someone's choosing.
          if (
            !o.source ||
            !o.name ||
            o.workflowId !== onboardingWorkflowId({ orgId, sandbox, source: o.source, name: o.name })
          )
            continue;
          extras.push({
            action: prune ? 'delete' : 'keep',
            workflowId: o.workflowId,
            sandbox,
            source: o.source ?? '',
            name: o.name ?? '',
            reasons: [
              prune ? 'not in the file: torn down (--prune)' : 'not in the file (delete with --prune)',
            ],
          });
        }
      }
      extras.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
      const entries = [...planned.map((p) => p.entry), ...extras];
      const hash = createHash('sha256')
        .update(
          canonicalJson({
            state: input.state,
            prune,
            observed: planned.map((p) => p.observed),
            extras: extras.map((e) => [e.workflowId, e.action]),
          }),
        )
        .digest('hex')
        .slice(0, 16);
      const summary = summarise(entries);
      if (input.knownHash === hash) return { hash, prune, entries: [], summary, unchanged: true };
      return { hash, prune, entries, summary };
    },
  };
}
