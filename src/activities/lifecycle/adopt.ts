// readAdoptableFlow: reads a hand-made flow and everything it uses, for an adopt run to record as an onboarding.
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { AepNotFoundError } from '../../aep';
import type { OnboardingRecords } from '../../records';
import type { AdoptableFlow, ReadAdoptableInput } from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';
import { mappingOf } from './flows';

function notAdoptable(message: string): never {
  throw ApplicationFailure.nonRetryable(message, LIFECYCLE_FAILURES.notAdoptable);
}

/**
 * A completed adopt run, not torn down, that holds this flow. The flow's name carries no marker of an adoption, so
 * the records say: the sandbox's adopt runs come from visibility, each one's flow id from its record (its result).
 * Two adopts of one flow running at the same moment both pass: neither has a result yet.
 */
async function adoptedElsewhere(records: OnboardingRecords, sandbox: string, flowId: string) {
  const self = activityInfo().workflowExecution?.workflowId;
  const candidates = (await records.list({ sandbox })).filter(
    (o) => o.kind === 'adopted' && o.lifecycle === 'adopted' && o.workflowId !== self,
  );
  for (const o of candidates) {
    const record = await records.read(o.workflowId).catch(() => undefined);
    if (record?.lifecycle === 'adopted' && record.result?.ids.flowId === flowId) return o;
  }
  return undefined;
}

export function createAdoptActivities(deps: ActivityDeps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** Reads a hand-made flow and everything it uses, for an adopt run to record. */
    async readAdoptableFlow(input: ReadAdoptableInput): Promise<AdoptableFlow> {
      const client = api(input.sandbox);
      const flow = await client.flowService.get('flows', input.flowId).catch((err: unknown) => {
        if (err instanceof AepNotFoundError)
          notAdoptable(`Flow ${input.flowId} does not exist in sandbox ${input.sandbox}`);
        throw err;
      });
      const key = /\[aepo-[0-9a-f]{8}(?:[0-9a-f]{8})?\]/.exec(flow.name ?? '');
      if (key)
        notAdoptable(`Flow ${flow.id} was created by an onboarding (${key[0]}): it is managed already`);
      const holder = await adoptedElsewhere(deps.records, input.sandbox, flow.id);
      if (holder)
        notAdoptable(
          `Flow ${flow.id} is managed already by the adopted onboarding "${holder.name ?? holder.workflowId}" ` +
            `(${holder.workflowId}): two records would tear down and update the same flow`,
        );
      const [sourceId, ...moreSources] = flow.sourceConnectionIds;
      const [targetId, ...moreTargets] = flow.targetConnectionIds;
      if (!sourceId || !targetId || moreSources.length || moreTargets.length) {
        notAdoptable(`Flow ${flow.id} must have exactly one source and one target connection`);
      }
      const inletUrl = flow.options?.inletUrl;
      if (!inletUrl) notAdoptable(`Flow ${flow.id} has no streaming inlet URL: not a webhook source flow`);
      const mapping = mappingOf(flow);
      if (!mapping) notAdoptable(`Flow ${flow.id} has no mapping transformation`);

      const [source, target] = await Promise.all([
        client.flowService.get('sourceConnections', sourceId),
        client.flowService.get('targetConnections', targetId),
      ]);
      const specId = source.connectionSpec?.id;
      const preset = deps.presets
        .ids()
        .map((id) => deps.presets.get(id)!)
        .find((p) => p.connectionSpec.id === specId);
      if (!preset)
        notAdoptable(
          `Source connection ${source.id} has connection spec ${specId}, which no source preset knows`,
        );
      if (preset.id !== input.source) {
        notAdoptable(
          `Flow ${flow.id} is a ${preset.id} flow, not ${input.source}: adopt it with --source ${preset.id}`,
        );
      }
      const datasetId = target.params?.dataSetId;
      if (!datasetId) notAdoptable(`Target connection ${target.id} writes to no dataset`);
      const [dataset, stats] = await Promise.all([
        client.catalog.getDataset(datasetId),
        client.schemaRegistry.getStats(),
      ]);
      const schemaRef = dataset.schemaRef?.id;
      if (!schemaRef) notAdoptable(`Dataset ${datasetId} has no schema`);
      const schema = await client.schemaRegistry.getSchema(schemaRef);
      return {
        source: preset.id,
        flowName: flow.name ?? flow.id,
        ids: {
          tenantId: stats.tenantId,
          schemaId: schema.$id,
          schemaAltId: schema['meta:altId'],
          datasetId,
          sourceConnectionId: source.id,
          targetConnectionId: target.id,
          mappingSetId: mapping.mappingId,
          flowId: flow.id,
        },
        etags: { sourceConnection: source.etag, targetConnection: target.etag, flow: flow.etag },
        mappingVersion: mapping.version,
        inletUrl,
      };
    },
  };
}
