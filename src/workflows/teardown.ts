// teardownOnboarding: deletes what an onboarding (or adopt run) manages, addressed as `${id}--teardown`.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { ResourceStep } from '../shared/contracts/resources';
import type { TeardownInput, TeardownOutcome, TeardownResult } from '../shared/contracts/workflows';
import { AepOnboardingStatus } from '../shared/search-attributes';
import { releaseOnboardingName } from './name-lock';
import { act, DELETE } from './options';
import { load } from './record';
import { describeError } from './saga';
import { refuseTooDeep } from './validation';

export type { TeardownInput, TeardownOutcome, TeardownResult } from '../shared/contracts/workflows';

/**
 * Deletes, in dependency order (flow, target connection, source connection, mapping set, dataset, schema, field
 * group, base connection), only what the record says the onboarding manages; 404 counts as done. A flow that cannot be deleted keeps
 * everything under it, since deleting what a live flow writes to would break it. Ends with the outcome of each.
 */
export async function teardownOnboarding(input: TeardownInput): Promise<TeardownResult> {
  refuseTooDeep(input, 'operation');
  const rec = await load(input.workflowId, true);
  const { result: r } = rec;
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: 'tearing-down' }]);
  const del = (label: string) => act(DELETE, `Teardown: delete the ${label}`);
  const notOurs =
    rec.kind === 'adopted'
      ? 'adopted without being managed (adopt --manage-dataset / --manage-schema): not deleted'
      : 'reused by the onboarding (passed in), never deleted';
  const plan: Array<{
    step: ResourceStep;
    id?: string;
    kept?: boolean;
    remove: (id: string) => Promise<{ existed: boolean }>;
  }> = [
    {
      step: 'flow',
      id: r.ids.flowId,
      remove: (id) => del('dataflow').removeFlow({ sandbox: r.sandbox, id }),
    },
    {
      step: 'targetConnection',
      id: r.ids.targetConnectionId,
      remove: (id) => del('target connection').removeTargetConnection({ sandbox: r.sandbox, id }),
    },
    {
      step: 'sourceConnection',
      id: r.ids.sourceConnectionId,
      remove: (id) => del('source connection').removeSourceConnection({ sandbox: r.sandbox, id }),
    },
    {
      step: 'mappingSet',
      id: r.ids.mappingSetId,
      remove: (id) => del('mapping set').removeMappingSet({ sandbox: r.sandbox, id }),
    },
    {
      step: 'dataset',
      id: r.ids.datasetId,
      kept: r.reused.dataset,
      remove: (id) => del('dataset').removeDataset({ sandbox: r.sandbox, id }),
    },
    {
      step: 'schema',
      id: r.ids.schemaAltId || r.ids.schemaId,
      kept: r.reused.schema,
      remove: (id) => del('schema').removeSchema({ sandbox: r.sandbox, id }),
    },
    {
      step: 'fieldGroup',
      id: r.ids.fieldGroupId,
      kept: r.reused.schema,
      remove: (id) => del('field group').removeFieldGroup({ sandbox: r.sandbox, id }),
    },
    {
      // HTTP API: last, once the source connection that points at it is gone; only the one the run created.
      step: 'baseConnection',
      id: r.ids.baseConnectionId,
      remove: (id) => del('base connection').removeBaseConnection({ sandbox: r.sandbox, id }),
    },
  ];

  const outcomes: TeardownOutcome[] = [];
  const report = () => {
    setCurrentDetails(
      [
        `**Teardown of** ${r.workflowId}`,
        '',
        ...outcomes.map(
          (o) => `- ${o.step}: ${o.outcome} \`${o.id ?? ''}\`${o.reason ? ` — ${o.reason}` : ''}`,
        ),
      ].join('\n'),
    );
  };
  let flowLeft: string | undefined;
  for (const { step, id, kept, remove } of plan) {
    if (!id) continue;
    if (kept) outcomes.push({ step, id, outcome: 'kept', reason: notOurs });
    else if (flowLeft) outcomes.push({ step, id, outcome: 'left', reason: `not attempted: ${flowLeft}` });
    else {
      try {
        const out = await remove(id);
        outcomes.push({ step, id, outcome: out.existed ? 'deleted' : 'already-gone' });
      } catch (err) {
        outcomes.push({ step, id, outcome: 'left', reason: describeError(err) });
        if (step === 'flow') flowLeft = `the dataflow ${id} could not be deleted and still uses it`;
      }
    }
    report();
  }
  const left = outcomes.filter((o) => o.outcome === 'left');
  const status = left.length ? 'teardown-incomplete' : 'torn-down';
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: status }]);
  if (status === 'torn-down') await releaseOnboardingName({ ...r, owner: r.workflowId });
  return {
    workflowId: r.workflowId,
    onboardingRunId: rec.runId,
    kind: rec.kind,
    name: r.name,
    source: r.source,
    sandbox: r.sandbox,
    status,
    outcomes,
    left,
  };
}
