// updateMappings: a new version of an onboarding's mapping set, with the overrides and drops of an update.
import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import { mappingSetUpdateBody } from '../../aep';
import type { UpdateMappingsInput, UpdateMappingsOutput } from '../../shared/contracts/lifecycle';
import { withTenant, type Mapping } from '../../shared/preset-schema';
import type { ActivityDeps } from '../deps';
import { FAILURE_TYPES } from '../../shared/failures';

/** Data Prep echoes ATTRIBUTE as `text/x.schema-path` and both spellings of source/destination. */
function normalizeMapping(m: {
  sourceType?: string | null;
  source?: string | null;
  sourceAttribute?: string | null;
  destination?: string | null;
  destinationXdmPath?: string | null;
}): Mapping {
  const type = m.sourceType ?? 'ATTRIBUTE';
  return {
    sourceType: type === 'EXPRESSION' || type === 'STATIC' ? type : 'ATTRIBUTE',
    source: m.source ?? m.sourceAttribute ?? '',
    destination: m.destination ?? m.destinationXdmPath ?? '',
  };
}

export function createUpdateMappingsActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** A new version of the mapping set (PUT): the id stays, so the flow and a later teardown keep finding it. */
    async updateMappings(input: UpdateMappingsInput): Promise<UpdateMappingsOutput> {
      const client = api(input.sandbox);
      const [set, { tenantId }] = await Promise.all([
        client.dataPrep.getMappingSet(input.mappingSetId),
        client.schemaRegistry.getStats(),
      ]);
      const current = set.mappings.map(normalizeMapping);
      const byDestination = new Map(current.map((m) => [m.destination, m]));
      for (const o of input.overrides) {
        const destination = withTenant(o.destination, tenantId);
        byDestination.set(destination, { ...o, destination });
      }
      for (const d of input.drop) byDestination.delete(withTenant(d, tenantId));
      const next = [...byDestination.values()];
      // A retry after a lost PUT answer finds the change made: same mappings, nothing to do.
      if (isDeepStrictEqual(next, current))
        return { version: set.version, changed: false, mappings: next.length };
      const schemaRef = set.outputSchema?.schemaRef;
      if (!schemaRef) {
        throw ApplicationFailure.nonRetryable(
          `Mapping set ${set.id} has no output schema`,
          FAILURE_TYPES.invalidMappingSet,
        );
      }
      const updated = await client.dataPrep.updateMappingSet(
        set.id,
        mappingSetUpdateBody({
          name: set.name,
          schemaId: schemaRef.id,
          contentType: schemaRef.contentType,
          mappings: next,
        }),
      );
      return { version: updated.version, changed: true, mappings: next.length };
    },
  };
}
