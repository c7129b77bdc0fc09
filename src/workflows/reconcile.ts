// reconcileOnboarding: restores an onboarding's desired owned state (`${id}--reconcile`). Missing pieces are
// re-created under the onboarding's own names and marker, each undo registered before its create (the saga
// compensates them if a later step fails); changed fields are re-applied with the update's activities (mapping set
// PUT, flow PATCH with If-Match, flow action). Dependents in order: a new source or target connection or mapping
// set means a new flow, and a new flow means a new webhook URL, which the result says plainly. The new ids are the
// result, which the record folds in (src/records/history.ts): drift checks, update and teardown use them after.
import { ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ReconcileAction, ReconcileInput, ReconcileResult } from '../shared/contracts/drift';
import type { ResourceStep } from '../shared/contracts/resources';
import { FAILURE_TYPES } from '../shared/failures';
import { markedDescription, mappingSetName, resourceName, runMarker } from '../shared/naming';
import type { Mapping } from '../shared/preset-schema';
import { AepOnboardingName, AepSandbox, AepSource } from '../shared/search-attributes';
import { webhookUrl } from '../shared/webhook';
import { activities, INLET_OPTIONS, localActivities, STEP_OPTIONS, UNDO_OPTIONS } from './onboarding-options';
import { act, READ } from './options';
import { Saga } from './saga';
import { refuseTooDeep } from './validation';

export type { ReconcileInput, ReconcileResult } from '../shared/contracts/drift';

/** Data-bearing or shared: re-creating them would not bring back what they held. Teardown and onboard again. */
const NOT_RECREATED: readonly ResourceStep[] = ['dataset', 'schema', 'fieldGroup', 'baseConnection'];

export async function reconcileOnboarding(input: ReconcileInput): Promise<ReconcileResult> {
  refuseTooDeep(input, 'operation');
  const ctx = await act(
    READ,
    `Read onboarding ${input.workflowId}: desired and live state`,
  ).readReconcileContext({ workflowId: input.workflowId });
  const { result: r, desired, live, preset } = ctx;
  const { sandbox } = r;
  upsertSearchAttributes([
    { key: AepSource, value: r.source },
    { key: AepSandbox, value: sandbox },
    { key: AepOnboardingName, value: r.name },
  ]);
  const missing = ctx.drift.missing;
  const lost = missing.filter((m) => NOT_RECREATED.includes(m));
  if (lost.length) {
    throw ApplicationFailure.nonRetryable(
      `Cannot reconcile onboarding ${r.workflowId}: ${lost.join(', ')} ${lost.length > 1 ? 'are' : 'is'} gone, ` +
        `and re-creating it would not bring back what it held. Tear it down and onboard it again.`,
      FAILURE_TYPES.notReconcilable,
      { missing },
    );
  }
  // What the onboarding named carries its marker; an adopted one's new pieces carry this run's.
  const marker =
    ctx.marker ?? runMarker({ workflowId: workflowInfo().workflowId, runId: workflowInfo().runId });
  const name = (step: Parameters<typeof resourceName>[0]) =>
    resourceName(step, { name: r.name, displayName: preset.displayName, marker });
  const description =
    desired.flow?.description ??
    markedDescription(`Created by aep-onboarding (workflow ${r.workflowId})`, marker);
  const ids = { ...r.ids };
  const actions: ReconcileAction[] = [];
  const saga = new Saga();
  const step = (summary: string) => activities(STEP_OPTIONS, summary);
  const undo = (summary: string) => activities(UNDO_OPTIONS, summary);

  /** A create with its undo registered first (by id once known, else by name and marker). */
  async function recreate<T extends { id: string }>(
    resource: 'sourceConnection' | 'targetConnection' | 'mappingSet' | 'flow',
    resourceName: string,
    remove: 'removeSourceConnection' | 'removeTargetConnection' | 'removeMappingSet' | 'removeFlow',
    create: () => Promise<T>,
  ): Promise<T> {
    const made: { id?: string } = {};
    saga.add(
      resource,
      () =>
        undo(`Undo: delete the re-created ${resource}`)[remove]({
          sandbox,
          marker,
          id: made.id,
          name: resourceName,
        }),
      () => made.id,
    );
    const out = await create();
    made.id = out.id;
    return out;
  }

  try {
    if (missing.includes('sourceConnection')) {
      const n = name('sourceConnection');
      const out = await recreate('sourceConnection', n, 'removeSourceConnection', () =>
        step('Re-create the source connection (POST /sourceConnections)').ensureSourceConnection({
          sandbox,
          marker,
          name: n,
          description,
          connectionSpec: preset.connectionSpec,
          providerId: preset.providerId,
          dataFormat: preset.dataFormat,
          ...(ids.baseConnectionId ? { baseConnectionId: ids.baseConnectionId } : {}),
        }),
      );
      actions.push({
        resource: 'sourceConnection',
        action: 'recreated',
        id: out.id,
        previousId: ids.sourceConnectionId,
      });
      ids.sourceConnectionId = out.id;
    }
    if (missing.includes('targetConnection')) {
      const n = name('targetConnection');
      const out = await recreate('targetConnection', n, 'removeTargetConnection', () =>
        step('Re-create the data lake target connection (POST /targetConnections)').ensureTargetConnection({
          sandbox,
          marker,
          name: n,
          description,
          datasetId: ids.datasetId,
          schemaId: ids.schemaId,
        }),
      );
      actions.push({
        resource: 'targetConnection',
        action: 'recreated',
        id: out.id,
        previousId: ids.targetConnectionId,
      });
      ids.targetConnectionId = out.id;
    }

    const wanted = (desired.mappingSet?.mappings ?? []) as Mapping[];
    let mappingVersion = desired.flow?.mappingVersion ?? r.mappingVersion;
    if (missing.includes('mappingSet')) {
      const n = mappingSetName({ source: r.source, marker });
      const out = await recreate('mappingSet', n, 'removeMappingSet', () =>
        step('Re-create the mapping set (POST /mappingSets)').ensureMappingSet({
          sandbox,
          marker,
          name: n,
          schemaId: ids.schemaId,
          mappings: wanted,
        }),
      );
      actions.push({ resource: 'mappingSet', action: 'recreated', id: out.id, previousId: ids.mappingSetId });
      ids.mappingSetId = out.id;
      mappingVersion = out.version;
    } else if (ctx.drift.changed.some((c) => c.resource === 'mappingSet') && wanted.length) {
      // The desired mappings back as a new version: every wanted one set, every other one dropped.
      const keep = new Set(wanted.map((m) => m.destination));
      const m = await act(READ, 'Re-apply the mappings (PUT /mappingSets/{id})').updateMappings({
        sandbox,
        mappingSetId: ids.mappingSetId,
        overrides: wanted,
        drop: (live.mappingSet?.mappings ?? []).map((x) => x.destination).filter((d) => !keep.has(d)),
      });
      mappingVersion = m.version;
      actions.push({
        resource: 'mappingSet',
        action: 'reapplied',
        id: ids.mappingSetId,
        fields: ['mappings'],
      });
    }

    const newFlow = missing.includes('flow') || actions.some((a) => a.action === 'recreated');
    const previousFlowId = ids.flowId;
    if (newFlow) {
      // A flow left pointing at a re-created piece's old id is broken: it goes before its replacement comes.
      if (!missing.includes('flow'))
        await undo('Delete the dataflow that points at the lost piece').removeFlow({
          sandbox,
          id: previousFlowId,
        });
      const n = name('flow');
      const flow = await recreate('flow', n, 'removeFlow', () =>
        step('Re-create the dataflow (POST /flows)').ensureFlow({
          sandbox,
          marker,
          name: desired.flow?.name ?? n,
          description,
          flowSpec: preset.flowSpec,
          sourceConnectionId: ids.sourceConnectionId,
          targetConnectionId: ids.targetConnectionId,
          mappingSetId: ids.mappingSetId,
          mappingVersion,
          ...(desired.flow?.options ? { options: desired.flow.options } : {}),
        }),
      );
      actions.push({ resource: 'flow', action: 'recreated', id: flow.id, previousId: previousFlowId });
      ids.flowId = flow.id;
      if (desired.flow?.state === 'disabled')
        await act(READ, 'Disable the dataflow (POST /flows/{id}/action)').setFlowState({
          sandbox,
          flowId: flow.id,
          state: 'disabled',
        });
    } else {
      const flowFields = ctx.drift.changed.filter((c) => c.resource === 'flow').map((c) => c.field);
      const rename = flowFields.includes('name') || flowFields.includes('description');
      const repoint = mappingVersion !== live.flow?.mappingVersion;
      if (rename || repoint) {
        const p = await act(READ, 'Re-apply the dataflow fields (PATCH /flows/{id}, If-Match)').patchFlow({
          sandbox,
          flowId: ids.flowId,
          ...(flowFields.includes('name') ? { name: desired.flow?.name } : {}),
          ...(flowFields.includes('description') ? { description: desired.flow?.description } : {}),
          ...(repoint ? { mappingVersion } : {}),
        });
        actions.push({ resource: 'flow', action: 'reapplied', id: ids.flowId, fields: p.changed });
      }
      if (flowFields.includes('state') && desired.flow?.state) {
        await act(READ, 'Re-apply the dataflow state (POST /flows/{id}/action)').setFlowState({
          sandbox,
          flowId: ids.flowId,
          state: desired.flow.state,
        });
        actions.push({ resource: 'flow', action: 'reapplied', id: ids.flowId, fields: ['state'] });
      }
    }

    let hookUrl = r.webhookUrl;
    if (newFlow) {
      const inlet = await localActivities(
        INLET_OPTIONS,
        'Read the streaming inlet URL (GET /flows/{id})',
      ).getInletUrl({
        sandbox,
        flowId: ids.flowId,
        ...(ids.baseConnectionId ? { baseConnectionId: ids.baseConnectionId } : {}),
      });
      hookUrl = webhookUrl(inlet.inletUrl, ids.flowId);
    }
    // What only the flow's and the mapping set's own fields can fix is fixed above; the rest is said, not hidden.
    const unresolved = ctx.drift.changed
      .filter((c) => c.resource !== 'flow' && c.resource !== 'mappingSet' && !missing.includes(c.resource))
      .map((c) => `${c.resource}.${c.field}`);
    return {
      workflowId: r.workflowId,
      name: r.name,
      sandbox,
      actions,
      unresolved,
      ids: {
        flowId: ids.flowId,
        targetConnectionId: ids.targetConnectionId,
        sourceConnectionId: ids.sourceConnectionId,
        mappingSetId: ids.mappingSetId,
      },
      mappingVersion,
      webhookUrl: hookUrl,
      webhookUrlChanged: hookUrl !== r.webhookUrl,
      ...(hookUrl !== r.webhookUrl ? { previousWebhookUrl: r.webhookUrl } : {}),
    };
  } catch (err) {
    await saga.compensate();
    throw err;
  }
}
