// Every AEP call of an onboarding is one activity, made by this one factory: the worker wires the real client,
// tests wire one pointed at the emulator or a fake. Creates are idempotent and prove ownership (./ownership.ts): a
// retry looks first for what an earlier attempt of this run made, by its name and the run's marker.
import { ApplicationFailure } from '@temporalio/activity';
import {
  AepNotFoundError,
  dataLakeTargetBody,
  datasetBody,
  fieldGroupBody,
  flowBody,
  mappingSetBody,
  schemaBody,
  sourceConnectionBody,
} from '../aep';
import { FAILURE_TYPES } from '../shared/onboarding';
import { createBaseConnectionStepActivities, inletUrlOfConnection } from './base-connection-step';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { createDriftActivities } from './drift';
import { createDesiredActivities } from './desired';
import { createLifecycleActivities } from './lifecycle';
import { createNameLockActivities } from './name-lock';
import { createPrerequisiteActivities } from './prerequisites';
import { ensure, pickOne } from './ownership';
import { createResourceKinds, removeOwned, sweepOwned, type ResourceStep } from './resources';
import { createValidationActivities } from './validation';
import type * as T from './types';

export type * from './types';
export type { ResourceStep } from './resources';
export { checkSourceSpecs, type SpecProblem } from './prerequisites';

export type { ActivityDeps } from './deps';

const toRef = (r: { $id?: string; id: string; version?: string | null }) => ({
  id: r.$id ?? r.id,
  altId: r.id,
  version: r.version ?? '1.0',
});

const titleTaken = (err: unknown) =>
  err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('XDM-1521');

/** `"Chat events" (id 123, 456)` for a conflict message; the ids let a person find them. */
const describeTaken = (what: string, name: string, ids: string[], fix: string) =>
  ids.length
    ? `A ${what} named "${name}" already exists in AEP (${ids.join(', ')}) and this onboarding did not create ` +
      `it: it is never taken over or deleted. ${fix}`
    : undefined;

export function createActivities(deps: ActivityDeps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  const tenants = new Map<string, Promise<string>>();
  const kinds = createResourceKinds(deps.aep);
  const settleMs = deps.createSettleMs ?? 2 * deps.aep.config.requestTimeoutMs;
  /** This run's resource of the step and name, if any (several: a duplicate the sweep removes; one is kept). */
  const findOurs = async (step: ResourceStep, input: { sandbox: string; marker: string }, name: string) =>
    pickOne(await kinds[step].ours(input.sandbox, name, input.marker), (r) => r.id);
  /** For names a person chose: what of that name is not this run's. */
  const takenBy =
    (
      step: ResourceStep,
      what: string,
      input: { sandbox: string; marker: string },
      name: string,
      fix: string,
    ) =>
    async () =>
      name.includes(`[${input.marker}]`)
        ? undefined
        : describeTaken(
            what,
            name,
            (await kinds[step].others(input.sandbox, name, input.marker)).map((r) => r.id),
            fix,
          );

  return withFailureMapping({
    ...createLifecycleActivities(deps),
    ...createDriftActivities(deps),
    ...createDesiredActivities(deps),
    ...createValidationActivities(deps),
    ...createNameLockActivities(deps),
    ...createPrerequisiteActivities(deps),

    /** A source's preset, for day-two runs that need it again (verify). */
    async loadPreset(input: T.LoadPresetInput): Promise<T.LoadPresetOutput> {
      const preset = deps.presets.get(input.source);
      if (!preset) {
        throw ApplicationFailure.nonRetryable(
          `Unknown source "${input.source}". Known sources: ${deps.presets.ids().join(', ')}`,
          FAILURE_TYPES.unknownSource,
        );
      }
      return { preset, defaultSandbox: deps.aep.config.sandbox };
    },

    /**
     * An org's tenant id never changes, so it is read once per sandbox and worker: later onboardings skip the call,
     * which sits at the head of the longest chain of calls (tenant, field group, schema, dataset, ...). A failed read
     * is not remembered.
     */
    async getTenant(input: T.GetTenantInput): Promise<T.GetTenantOutput> {
      let pending = tenants.get(input.sandbox);
      if (!pending) {
        pending = api(input.sandbox)
          .schemaRegistry.getStats()
          .then((s) => s.tenantId);
        tenants.set(input.sandbox, pending);
        void pending.catch(() => tenants.delete(input.sandbox));
      }
      return { tenantId: await pending };
    },

    async ensureFieldGroup(input: T.EnsureFieldGroupInput): Promise<T.XdmRefOutput> {
      const sr = api(input.sandbox).schemaRegistry;
      return ensure({
        find: async () => {
          const found = await findOurs('fieldGroup', input, input.title);
          return found && toRef(found);
        },
        taken: takenBy('fieldGroup', 'field group', input, input.title, 'Choose another name.'),
        create: async () => {
          const fg = await sr.createFieldGroup(fieldGroupBody(input));
          return toRef({ $id: fg.$id, id: fg['meta:altId'], version: fg.version });
        },
        existsError: titleTaken,
        settleMs,
      });
    },

    /**
     * A schema title a person chose that already exists is a conflict, never a take-over: the run would otherwise
     * record, and later delete, a schema it did not create. Reusing it is asked for with `schemaId`.
     */
    async ensureSchema(input: T.EnsureSchemaInput): Promise<T.XdmRefOutput> {
      const sr = api(input.sandbox).schemaRegistry;
      return ensure({
        find: async () => {
          const found = await findOurs('schema', input, input.title);
          return found && toRef(found);
        },
        taken: takenBy(
          'schema',
          'schema',
          input,
          input.title,
          'Pass its id as "schemaId" to reuse it, or choose another "schemaTitle".',
        ),
        create: async () => {
          const schema = await sr.createSchema(schemaBody({ ...input, fieldGroupIds: [input.fieldGroupId] }));
          return toRef({ $id: schema.$id, id: schema['meta:altId'], version: schema.version });
        },
        existsError: titleTaken,
        settleMs,
      });
    },

    /** The schema (and dataset) a user asked to reuse: checked to exist, never deleted by us. */
    async resolveReused(input: T.ResolveReusedInput): Promise<T.ResolveReusedOutput> {
      const client = api(input.sandbox);
      let schemaRef = input.schemaId;
      if (input.datasetId) {
        const dataset = await client.catalog.getDataset(input.datasetId).catch((err: unknown) => {
          if (err instanceof AepNotFoundError) {
            throw ApplicationFailure.nonRetryable(
              `Dataset ${input.datasetId} does not exist in sandbox ${input.sandbox}`,
              FAILURE_TYPES.reusedResourceNotFound,
            );
          }
          throw err;
        });
        const datasetSchema = dataset.schemaRef?.id;
        if (!datasetSchema) {
          throw ApplicationFailure.nonRetryable(
            `Dataset ${input.datasetId} has no schemaRef`,
            FAILURE_TYPES.invalidReuse,
          );
        }
        if (schemaRef && schemaRef !== datasetSchema) {
          const schema = await client.schemaRegistry.getSchema(schemaRef);
          if (schema.$id !== datasetSchema && schema['meta:altId'] !== datasetSchema) {
            throw ApplicationFailure.nonRetryable(
              `Dataset ${input.datasetId} uses schema ${datasetSchema}, not ${schemaRef}`,
              FAILURE_TYPES.invalidReuse,
            );
          }
        }
        schemaRef = datasetSchema;
      }
      if (!schemaRef) throw ApplicationFailure.nonRetryable('Nothing to reuse', FAILURE_TYPES.invalidReuse);
      const schema = await client.schemaRegistry.getSchema(schemaRef).catch((err: unknown) => {
        if (err instanceof AepNotFoundError) {
          throw ApplicationFailure.nonRetryable(
            `Schema ${schemaRef} does not exist in sandbox ${input.sandbox}`,
            FAILURE_TYPES.reusedResourceNotFound,
          );
        }
        throw err;
      });
      return {
        schemaId: schema.$id,
        schemaAltId: schema['meta:altId'],
        ...(schema.version ? { schemaVersion: schema.version } : {}),
        datasetId: input.datasetId,
      };
    },

    /** Catalog allows two datasets of one name; a name a person chose that exists is refused all the same. */
    async ensureDataset(input: T.EnsureDatasetInput): Promise<T.IdOutput> {
      const catalog = api(input.sandbox).catalog;
      return ensure({
        find: async () => {
          const found = pickOne(
            (await kinds.dataset.ours(input.sandbox, input.name, input.marker)).filter(
              (d) => d.schemaRef === input.schemaId,
            ),
            (d) => d.id,
          );
          return found && { id: found.id };
        },
        taken: takenBy(
          'dataset',
          'dataset',
          input,
          input.name,
          'Pass its id as "datasetId" to reuse it, or choose another "datasetName".',
        ),
        create: async () => catalog.createDataset(datasetBody(input)),
        settleMs,
      });
    },

    async ensureSourceConnection(input: T.EnsureSourceConnectionInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const found = await findOurs('sourceConnection', input, input.name);
          return found && { id: found.id, etag: found.etag ?? '' };
        },
        create: async () => fs.create('sourceConnections', sourceConnectionBody(input)),
        settleMs,
      });
    },

    async ensureTargetConnection(input: T.EnsureTargetConnectionInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const found = await findOurs('targetConnection', input, input.name);
          return found && { id: found.id, etag: found.etag ?? '' };
        },
        create: async () => fs.create('targetConnections', dataLakeTargetBody(input)),
        settleMs,
      });
    },

    async ensureMappingSet(input: T.EnsureMappingSetInput): Promise<T.MappingSetOutput> {
      const dataPrep = api(input.sandbox).dataPrep;
      return ensure({
        find: async () => {
          const found = await findOurs('mappingSet', input, input.name);
          return found && { id: found.id, version: Number(found.version ?? 0) };
        },
        create: async () => {
          const created = await dataPrep.createMappingSet(mappingSetBody(input));
          return { id: created.id, version: created.version ?? 0 };
        },
        settleMs,
      });
    },

    async ensureFlow(input: T.EnsureFlowInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const found = await findOurs('flow', input, input.name);
          return found && { id: found.id, etag: found.etag ?? '' };
        },
        create: async () => fs.create('flows', flowBody(input)),
        settleMs,
      });
    },

    /**
     * AEP may publish the inlet URL a little after the flow: retried (by Temporal) until it is there. HTTP API: the
     * base connection's inlet (the tutorial reads it there); the flow is still read, for its etag.
     */
    async getInletUrl(input: T.GetInletUrlInput): Promise<T.GetInletUrlOutput> {
      const fs = api(input.sandbox).flowService;
      const flow = await fs.get('flows', input.flowId);
      const inletUrl = input.baseConnectionId
        ? inletUrlOfConnection(await fs.get('connections', input.baseConnectionId))
        : flow.options?.inletUrl;
      if (!inletUrl) {
        throw ApplicationFailure.retryable(
          `Flow ${input.flowId} has no inlet URL yet`,
          FAILURE_TYPES.inletUrlNotReady,
        );
      }
      return { inletUrl, etag: flow.etag };
    },

    ...createBaseConnectionStepActivities(deps.aep, kinds.baseConnection, settleMs),

    async removeFlow(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.flow, input);
    },
    async removeTargetConnection(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.targetConnection, input);
    },
    async removeSourceConnection(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.sourceConnection, input);
    },
    async removeMappingSet(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.mappingSet, input);
    },
    async removeDataset(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.dataset, input);
    },
    async removeSchema(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.schema, input);
    },
    async removeFieldGroup(input: T.RemoveInput): Promise<T.RemoveOutput> {
      return removeOwned(settleMs, kinds.fieldGroup, input);
    },

    /** Deletes every extra resource carrying the run's marker: after the saga completes, and during compensation. */
    async sweepRun(input: T.SweepInput): Promise<T.SweepOutput> {
      return sweepOwned(kinds, input);
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
