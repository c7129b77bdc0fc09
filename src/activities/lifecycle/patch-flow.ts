// patchFlow: the flow's name, description, options and mapping version, PATCHed three-way (./json-patch.ts).
import { ApplicationFailure } from '@temporalio/activity';
import type { PatchFlowInput, PatchOutput } from '../../shared/contracts/lifecycle';
import type { ActivityDeps } from '../deps';
import { mappingOf } from './flows';
import { patchThreeWay } from './json-patch';
import { FAILURE_TYPES } from '../../shared/failures';

export function createPatchFlowActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    async patchFlow(input: PatchFlowInput): Promise<PatchOutput> {
      const fs = api(input.sandbox).flowService;
      const out = await patchThreeWay({
        what: `flow ${input.flowId}`,
        read: () => fs.get('flows', input.flowId),
        patch: (ops, etag) => fs.patch('flows', input.flowId, ops, etag),
        want: (flow) => {
          const want: Record<string, unknown> = {};
          if (input.name !== undefined) want['/name'] = input.name;
          if (input.description !== undefined) want['/description'] = input.description;
          for (const [k, v] of Object.entries(input.options ?? {}))
            if (v !== undefined) want[`/options/${k}`] = v;
          if (input.mappingVersion !== undefined) {
            const mapping = mappingOf(flow);
            if (!mapping) {
              throw ApplicationFailure.nonRetryable(
                `Flow ${flow.id} has no mapping transformation`,
                FAILURE_TYPES.noMapping,
              );
            }
            // Keep the type the flow already uses for the version (AEP shows both numbers and strings).
            const stored = flow.transformations[mapping.index]?.params?.mappingVersion;
            want[`/transformations/${mapping.index}/params/mappingVersion`] =
              typeof stored === 'string' ? String(input.mappingVersion) : input.mappingVersion;
          }
          return want;
        },
      });
      return { ...out, id: input.flowId };
    },
  };
}
