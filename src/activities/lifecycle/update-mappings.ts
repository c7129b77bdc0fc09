// updateMappings: a new version of an onboarding's mapping set, with the overrides and drops of an update.
import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import { isMappingSourceType, MAPPING_SOURCE_TYPES, mappingSetUpdateBody } from '../../aep';
import type { UpdateMappingsInput, UpdateMappingsOutput } from '../../shared/contracts/lifecycle';
import { withTenant, type Mapping } from '../../shared/preset-schema';
import type { ActivityDeps } from '../deps';
import { FAILURE_TYPES } from '../../shared/failures';

/**
 * A mapping as read back (the client has already turned Data Prep's `text/x.schema-path` / `text/x.aep-xl` echoes
 * into ATTRIBUTE / EXPRESSION) as the PUT will send it. A missing `sourceType` is ATTRIBUTE, as Data Prep reads it.
 * Any other value fails the update instead of being sent back as something else: rewriting a mapping whose kind is
 * unknown could change what it does (a `uuid()` sent back as an attribute path did), and a retry cannot fix it.
 */
function normalizeMapping(
  m: {
    sourceType?: string | null;
    source?: string | null;
    sourceAttribute?: string | null;
    destination?: string | null;
    destinationXdmPath?: string | null;
  },
  setId: string,
): Mapping {
  const type = m.sourceType ?? 'ATTRIBUTE';
  const destination = m.destination ?? m.destinationXdmPath ?? '';
  if (!isMappingSourceType(type)) {
    throw ApplicationFailure.nonRetryable(
      `Mapping set ${setId}: the mapping to ${JSON.stringify(destination)} has sourceType ${JSON.stringify(type)}, ` +
        `which is none of ${MAPPING_SOURCE_TYPES.join(', ')} (nor text/x.schema-path, text/x.aep-xl); ` +
        'it is not rewritten blindly: fix or drop that mapping in Data Prep, then update again',
      FAILURE_TYPES.invalidMappingSet,
    );
  }
  return { sourceType: type, source: m.source ?? m.sourceAttribute ?? '', destination };
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
      const current = set.mappings.map((m) => normalizeMapping(m, set.id));
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
