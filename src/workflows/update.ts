// updateOnboarding: mapping, flow and state changes of an onboarding, addressed as `${id}--update`.
import type { UpdateInput, UpdateResult } from '../shared/contracts/workflows';
import { act, check, READ, validated } from './options';
import { load } from './record';
import { refuseTooDeep } from './validation';

export type { UpdateInput, UpdateResult } from '../shared/contracts/workflows';

/**
 * A mapping change PUTs the mapping set (same id, new version), then the flow is PATCHed (If-Match, re-read and
 * re-diffed on 412, a real conflict surfaced as UpdateConflict) to point at that version along with the other field
 * changes; a state change is the flow action last.
 */
export async function updateOnboarding(raw: UpdateInput): Promise<UpdateResult> {
  refuseTooDeep(raw, 'update');
  const input = await validated(() => check.validateUpdateInput({ raw }));
  const { result: r } = await load(input.workflowId);
  const write = (summary: string) => act(READ, summary);
  const changed: string[] = [];
  let mappingVersion = r.mappingVersion;
  if (input.mappingOverrides?.length || input.dropMappings?.length) {
    const m = await write('Update the mapping set (PUT /mappingSets/{id})').updateMappings({
      sandbox: r.sandbox,
      mappingSetId: r.ids.mappingSetId,
      overrides: input.mappingOverrides ?? [],
      drop: input.dropMappings ?? [],
    });
    mappingVersion = m.version;
    if (m.changed) changed.push('mappingSet');
  }
  let etag: string | undefined;
  let preconditionFailures = 0;
  const flowChange =
    input.flowName !== undefined ||
    input.description !== undefined ||
    input.flowOptions !== undefined ||
    input.mappingOverrides?.length ||
    input.dropMappings?.length;
  if (flowChange) {
    const p = await write('Update the dataflow (PATCH /flows/{id}, If-Match)').patchFlow({
      sandbox: r.sandbox,
      flowId: r.ids.flowId,
      name: input.flowName,
      description: input.description,
      options: input.flowOptions,
      // Points the flow at the mapping set's current version, also when an earlier run's PUT already made it.
      mappingVersion:
        input.mappingOverrides?.length || input.dropMappings?.length ? mappingVersion : undefined,
    });
    changed.push(...p.changed);
    etag = p.etag;
    preconditionFailures = p.preconditionFailures;
  }
  let state: UpdateResult['state'];
  if (input.state) {
    const s = await write(
      `${input.state === 'enabled' ? 'Enable' : 'Disable'} the dataflow (POST /flows/{id}/action)`,
    ).setFlowState({ sandbox: r.sandbox, flowId: r.ids.flowId, state: input.state });
    state = s.state;
    etag = s.etag;
    if (s.changed) changed.push('state');
  }
  return {
    workflowId: r.workflowId,
    flowId: r.ids.flowId,
    sandbox: r.sandbox,
    changed,
    mappingVersion,
    state,
    etag,
    preconditionFailures,
    ...(input.flowName !== undefined ? { flowName: input.flowName } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}
