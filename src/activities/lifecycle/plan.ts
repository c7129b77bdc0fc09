// planOnboardingResources: a dry run of an onboarding input against live AEP and the onboarding records.
import { ApplicationFailure } from '@temporalio/activity';
import { AepNotFoundError, mappingSetValidateBody, propertyEq } from '../../aep';
import type { PlanAction, PlanItem, PlanResourcesInput, PlanResult } from '../../shared/contracts/lifecycle';
import { RESOURCE_STEPS, type ResourceStep } from '../../shared/contracts/resources';
import { mappingSetName, resourceName } from '../../shared/naming';
import { FAILURE_TYPES } from '../../shared/onboarding';
import { withTenant, type Mapping } from '../../shared/preset-schema';
import type { ActivityDeps } from '../deps';
import { mappingProblems } from '../prerequisites';

/** A plan runs before the onboarding's run exists, so the run marker in the names it shows is a placeholder. */
const PLAN_MARKER = 'aepo-<run>';

export function createPlanActivities(deps: ActivityDeps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /**
     * Dry run of an onboarding input against live AEP: what it would create, reuse (an existing resource it would
     * adopt: a reused schema/dataset, or an XDM title it would run into) and conflict with. GETs only (and Data
     * Prep's validate, which stores nothing).
     */
    async planOnboardingResources(input: PlanResourcesInput): Promise<PlanResult> {
      const { input: onboarding, sandbox, workflowId } = input;
      const preset = deps.presets.get(onboarding.source);
      if (!preset) {
        throw ApplicationFailure.nonRetryable(
          `Unknown source "${onboarding.source}". Known sources: ${deps.presets.ids().join(', ')}`,
          FAILURE_TYPES.unknownSource,
        );
      }
      const client = api(sandbox);
      const { tenantId } = await client.schemaRegistry.getStats();
      const name = (step: Parameters<typeof resourceName>[0]) =>
        resourceName(step, { name: onboarding.name, displayName: preset.displayName, marker: PLAN_MARKER });
      const items: PlanItem[] = [];

      // Only a run that carries this name: the derived id alone does not prove it (see holdsName).
      const record = (await deps.records.holdsName(workflowId, onboarding.name).catch(() => false))
        ? await deps.records.read(workflowId).catch(() => undefined)
        : undefined;
      if (
        record &&
        !['failed', 'compensated', 'cancelled', 'terminated', 'timed-out', 'torn-down'].includes(
          record.lifecycle,
        )
      ) {
        items.push({
          step: 'onboarding',
          action: 'conflict',
          id: workflowId,
          reason: `an onboarding with this name is ${record.lifecycle} (run ${record.runId})`,
        });
      }
      // The name's lock holder, under any workflow id (src/workflows/name-lock.ts): the start would be refused.
      const holder = await deps.records
        .nameHolder({
          orgId: deps.aep.config.orgId,
          sandbox,
          source: onboarding.source,
          name: onboarding.name,
        })
        .catch(() => undefined);
      if (holder && holder !== workflowId) {
        items.push({
          step: 'onboarding',
          action: 'conflict',
          id: holder,
          reason: `another onboarding holds this name: workflow ${holder}`,
        });
      }

      // XDM titles are unique across schemas and field groups: an existing one of the same type is adopted by the
      // onboarding's create (XDM-1521 then find), one of the other type makes the create fail.
      const xdmTitle = async (step: 'fieldGroup' | 'schema', title: string): Promise<PlanItem> => {
        const [groups, schemas] = await Promise.all([
          client.schemaRegistry.findFieldGroupsByTitle(title),
          client.schemaRegistry.findSchemasByTitle(title),
        ]);
        const same = (step === 'schema' ? schemas : groups).filter((r) => r.title === title);
        const other = (step === 'schema' ? groups : schemas).filter((r) => r.title === title);
        if (other.length) {
          return {
            step,
            action: 'conflict',
            name: title,
            id: other[0]!['meta:altId'],
            reason: `the title is taken by a ${step === 'schema' ? 'field group' : 'schema'} (XDM titles are unique)`,
          };
        }
        // An existing resource of this title is someone else's (a run's own titles carry its marker, and a plan
        // precedes the run): the onboarding would refuse it, never take it over.
        if (same.length) {
          return {
            step,
            action: 'conflict',
            name: title,
            id: same[0]!['meta:altId'],
            reason:
              step === 'schema'
                ? 'a schema with this title already exists and is not this onboarding\'s: pass "schemaId" to reuse it, or choose another "schemaTitle"'
                : "a field group with this title already exists and is not this onboarding's",
          };
        }
        return { step, action: 'create', name: title };
      };
      // Flow Service, Catalog and Data Prep accept duplicate names: a second resource with the onboarding's name
      // would make its lookups ambiguous (DuplicateResources), so an existing one is a conflict.
      const byName = (
        step: ResourceStep,
        resourceLabel: string,
        found: Array<{ id: string }>,
        n: string,
      ): PlanItem =>
        found.length
          ? {
              step,
              action: 'conflict',
              name: n,
              id: found.map((f) => f.id).join(', '),
              reason: `a ${resourceLabel} with this name already exists and is not this onboarding's: choose another name, or pass its id to reuse it`,
            }
          : { step, action: 'create', name: n };
      const flowEntities = async (
        kind: 'connections' | 'flows' | 'sourceConnections' | 'targetConnections',
        n: string,
      ) =>
        (await client.flowService.listAll(kind, { property: [propertyEq('name', n)] })).filter(
          (e) => e.name === n,
        );

      let schemaId: string | undefined;
      if (onboarding.schemaId || onboarding.datasetId) {
        items.push({ step: 'fieldGroup', action: 'skip', reason: 'an existing schema is reused' });
        let datasetItem: PlanItem | undefined;
        let schemaRef = onboarding.schemaId;
        if (onboarding.datasetId) {
          const ds = await client.catalog.getDataset(onboarding.datasetId).catch((err: unknown) => {
            if (err instanceof AepNotFoundError) return undefined;
            throw err;
          });
          const dsSchema = ds?.schemaRef?.id;
          datasetItem = !ds
            ? {
                step: 'dataset',
                action: 'conflict',
                id: onboarding.datasetId,
                reason: 'the dataset to reuse does not exist',
              }
            : { step: 'dataset', action: 'reuse', id: onboarding.datasetId, name: ds.name ?? undefined };
          if (ds && schemaRef && dsSchema && schemaRef !== dsSchema) {
            const given = await client.schemaRegistry.getSchema(schemaRef).catch(() => undefined);
            if (given?.$id !== dsSchema && given?.['meta:altId'] !== dsSchema) {
              datasetItem = {
                ...datasetItem,
                action: 'conflict',
                reason: `its schema is ${dsSchema}, not ${schemaRef}`,
              };
            }
          }
          schemaRef = dsSchema ?? schemaRef;
        }
        const schema = schemaRef
          ? await client.schemaRegistry.getSchema(schemaRef).catch((err: unknown) => {
              if (err instanceof AepNotFoundError) return undefined;
              throw err;
            })
          : undefined;
        items.push(
          schema
            ? { step: 'schema', action: 'reuse', id: schema['meta:altId'], name: schema.title ?? undefined }
            : {
                step: 'schema',
                action: 'conflict',
                id: schemaRef,
                reason: 'the schema to reuse does not exist',
              },
        );
        schemaId = schema?.$id;
        items.push(
          datasetItem ??
            byName(
              'dataset',
              'dataset',
              await client.catalog.findDatasetsByName(onboarding.datasetName ?? name('dataset')),
              onboarding.datasetName ?? name('dataset'),
            ),
        );
      } else {
        items.push(await xdmTitle('fieldGroup', name('fieldGroup')));
        items.push(await xdmTitle('schema', onboarding.schemaTitle ?? name('schema')));
        const dsName = onboarding.datasetName ?? name('dataset');
        items.push(byName('dataset', 'dataset', await client.catalog.findDatasetsByName(dsName), dsName));
      }

      const msName = mappingSetName({ source: onboarding.source, marker: PLAN_MARKER });
      const mappingSets = (
        await client.dataPrep.listMappingSets({ name: msName, limit: 100, start: 0 })
      ).filter((m) => m.name === msName);
      let mappingItem = byName('mappingSet', 'mapping set', mappingSets, msName);
      if (schemaId && mappingItem.action === 'create') {
        // A reused schema must hold every destination of the mappings, or the mapping set create fails.
        const dropped = new Set((onboarding.dropMappings ?? []).map((d) => withTenant(d, tenantId)));
        const byDestination = new Map<string, Mapping>();
        for (const m of [...preset.mappings, ...(onboarding.mappingOverrides ?? [])]) {
          const destination = withTenant(m.destination, tenantId);
          byDestination.set(destination, { ...m, destination });
        }
        const mappings = [...byDestination.values()].filter((m) => !dropped.has(m.destination));
        const verdicts = await client.dataPrep.validateMappingSet(
          mappingSetValidateBody({ schemaId, mappings }),
        );
        // The onboarding's own reading of the verdicts (src/activities/prerequisites.ts), one line per mapping.
        const bad = mappingProblems(mappings, verdicts);
        if (bad.length) {
          mappingItem = {
            ...mappingItem,
            action: 'conflict',
            reason: `Data Prep refuses ${bad.length} mapping(s) against the reused schema: ${bad.join('; ')}`,
          };
        }
      }

      // HTTP API: its base connection too, before the source connection that points at it.
      if (preset.baseConnection)
        items.push(
          byName(
            'baseConnection',
            'base connection',
            await flowEntities('connections', name('baseConnection')),
            name('baseConnection'),
          ),
        );
      for (const [step, kind, label] of [
        ['sourceConnection', 'sourceConnections', 'source connection'],
        ['targetConnection', 'targetConnections', 'target connection'],
      ] as const) {
        items.push(byName(step, label, await flowEntities(kind, name(step)), name(step)));
      }
      items.push(mappingItem);
      items.push(byName('flow', 'dataflow', await flowEntities('flows', name('flow')), name('flow')));

      const order = ['onboarding', ...RESOURCE_STEPS].reverse();
      items.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
      const of = (action: PlanAction) => items.filter((i) => i.action === action);
      return {
        workflowId,
        sandbox,
        source: onboarding.source,
        name: onboarding.name,
        tenantId,
        items,
        create: of('create'),
        reuse: of('reuse'),
        conflict: of('conflict'),
        skip: of('skip'),
      };
    },
  };
}
