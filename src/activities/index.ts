// Every AEP call of an onboarding is one activity, made by this one factory: the worker wires the real client,
// tests wire one pointed at the emulator. Creates are idempotent: when an attempt may already have created the
// resource (any attempt after the first), they first look for it by its deterministic name and adopt it.
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { AepNotFoundError, type AepClient } from '../aep';
import { DATA_LAKE_CONNECTION_SPEC_ID, XED_FULL_CONTENT_TYPE } from '../shared/aep-constants';
import { FAILURE_TYPES } from '../shared/onboarding';
import type { PresetRegistry } from '../presets/registry';
import { withFailureMapping } from './failures';
import { createLifecycleActivities } from './lifecycle';
import { createNameLockActivities } from './name-lock';
import { createValidationActivities } from './validation';
import type * as T from './types';

export type * from './types';

export interface ActivityDeps {
  /** The AEP client; `withSandbox` gives a view on another sandbox sharing its connection pool and token. */
  aep: AepClient;
  presets: PresetRegistry;
}

/** Could an earlier attempt of this activity have created the resource already? */
function mayExist(): boolean {
  try {
    return activityInfo().attempt > 1;
  } catch {
    // Called outside an activity (unit tests of one function): assume the worst, look first.
    return true;
  }
}

const toRef = (r: { $id: string; 'meta:altId': string; version?: string | null }) => ({
  id: r.$id,
  altId: r['meta:altId'],
  version: r.version ?? '1.0',
});

/** Looks first when an earlier attempt may have created it; adopts a resource a duplicate-name create ran into. */
async function ensure<R>(opts: {
  find: () => Promise<R | undefined>;
  create: () => Promise<R>;
  /** The create failed because the resource exists (e.g. XDM-1521 title not unique). */
  existsError?: (err: unknown) => boolean;
}): Promise<R & { created: boolean }> {
  if (mayExist()) {
    const found = await opts.find();
    if (found !== undefined) return { ...found, created: false };
  }
  try {
    return { ...(await opts.create()), created: true };
  } catch (err) {
    if (opts.existsError?.(err)) {
      const found = await opts.find();
      if (found !== undefined) return { ...found, created: false };
    }
    throw err;
  }
}

/** At most one resource may carry an onboarding's deterministic name; more is a conflict a person must look at. */
function single<R extends { id?: string; 'meta:altId'?: string }>(
  what: string,
  name: string,
  items: R[],
): R | undefined {
  if (items.length > 1) {
    const ids = items.map((i) => i.id ?? i['meta:altId']).join(', ');
    throw ApplicationFailure.nonRetryable(
      `${items.length} ${what}s are named "${name}" (${ids}); expected at most one`,
      'DuplicateResources',
    );
  }
  return items[0];
}

/** Deletes by id, or whatever carries the name when the id never came back; 404 means already gone. */
async function remove(
  input: T.RemoveInput,
  find: (name: string) => Promise<string[]>,
  del: (id: string) => Promise<void>,
): Promise<T.RemoveOutput> {
  const ids = input.id ? [input.id] : input.name ? await find(input.name) : [];
  let existed = false;
  for (const id of ids) {
    try {
      await del(id);
      existed = true;
    } catch (err) {
      if (!(err instanceof AepNotFoundError)) throw err;
    }
  }
  return { existed, id: ids[0] };
}

const titleTaken = (err: unknown) =>
  err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('XDM-1521');

/** Flow Service filter values are quoted so that spaces and brackets in names survive. */
const eq = (path: string, value: string) => `${path}==${JSON.stringify(value)}`;

export function createActivities(deps: ActivityDeps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  const tenants = new Map<string, Promise<string>>();

  const findFieldGroups = async (sandbox: string, title: string) =>
    (await api(sandbox).schemaRegistry.findFieldGroupsByTitle(title)).filter((r) => r.title === title);
  const findSchemas = async (sandbox: string, title: string) =>
    (await api(sandbox).schemaRegistry.findSchemasByTitle(title)).filter((r) => r.title === title);
  const findDatasets = async (sandbox: string, name: string) =>
    (await api(sandbox).catalog.findDatasetsByName(name)).filter((d) => d.name === name);
  const findMappingSets = async (sandbox: string, name: string) =>
    (await api(sandbox).dataPrep.listMappingSets({ name, limit: 100, start: 0 })).filter(
      (m) => m.name === name,
    );
  const findFlowEntities =
    (sandbox: string, kind: 'sourceConnections' | 'targetConnections' | 'flows') => async (name: string) =>
      (await api(sandbox).flowService.listAll(kind, { property: [eq('name', name)] })).filter(
        (e) => e.name === name,
      );

  return withFailureMapping({
    ...createLifecycleActivities(deps),
    ...createValidationActivities(deps),
    ...createNameLockActivities(deps),

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
      const { key, fields, required } = input.fieldGroup;
      return ensure({
        find: async () => {
          const found = single('field group', input.title, await findFieldGroups(input.sandbox, input.title));
          return found && toRef(found);
        },
        create: async () =>
          toRef(
            await sr.createFieldGroup({
              type: 'object',
              title: input.title,
              description: input.description,
              'meta:intendedToExtend': [input.schemaClass],
              definitions: {
                [key]: {
                  properties: {
                    [`_${input.tenantId}`]: {
                      type: 'object',
                      properties: {
                        [key]: {
                          type: 'object',
                          properties: fields,
                          ...(required.length ? { required } : {}),
                        },
                      },
                    },
                  },
                },
              },
              allOf: [{ $ref: `#/definitions/${key}` }],
            }),
          ),
        existsError: titleTaken,
      });
    },

    async ensureSchema(input: T.EnsureSchemaInput): Promise<T.XdmRefOutput> {
      const sr = api(input.sandbox).schemaRegistry;
      return ensure({
        find: async () => {
          const found = single('schema', input.title, await findSchemas(input.sandbox, input.title));
          return found && toRef(found);
        },
        create: async () =>
          toRef(
            await sr.createSchema({
              type: 'object',
              title: input.title,
              description: input.description,
              allOf: [{ $ref: input.schemaClass }, { $ref: input.fieldGroupId }],
            }),
          ),
        existsError: titleTaken,
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
              'ReusedResourceNotFound',
            );
          }
          throw err;
        });
        const datasetSchema = dataset.schemaRef?.id;
        if (!datasetSchema) {
          throw ApplicationFailure.nonRetryable(
            `Dataset ${input.datasetId} has no schemaRef`,
            'InvalidReuse',
          );
        }
        if (schemaRef && schemaRef !== datasetSchema) {
          const schema = await client.schemaRegistry.getSchema(schemaRef);
          if (schema.$id !== datasetSchema && schema['meta:altId'] !== datasetSchema) {
            throw ApplicationFailure.nonRetryable(
              `Dataset ${input.datasetId} uses schema ${datasetSchema}, not ${schemaRef}`,
              'InvalidReuse',
            );
          }
        }
        schemaRef = datasetSchema;
      }
      if (!schemaRef) throw ApplicationFailure.nonRetryable('Nothing to reuse', 'InvalidReuse');
      const schema = await client.schemaRegistry.getSchema(schemaRef).catch((err: unknown) => {
        if (err instanceof AepNotFoundError) {
          throw ApplicationFailure.nonRetryable(
            `Schema ${schemaRef} does not exist in sandbox ${input.sandbox}`,
            'ReusedResourceNotFound',
          );
        }
        throw err;
      });
      return { schemaId: schema.$id, schemaAltId: schema['meta:altId'], datasetId: input.datasetId };
    },

    async ensureDataset(input: T.EnsureDatasetInput): Promise<T.IdOutput> {
      const catalog = api(input.sandbox).catalog;
      return ensure({
        find: async () => {
          const found = single(
            'dataset',
            input.name,
            (await findDatasets(input.sandbox, input.name)).filter((d) => d.schemaRef?.id === input.schemaId),
          );
          return found && { id: found.id };
        },
        create: async () =>
          catalog.createDataset({
            name: input.name,
            description: input.description,
            schemaRef: { id: input.schemaId, contentType: XED_FULL_CONTENT_TYPE },
          }),
      });
    },

    async ensureSourceConnection(input: T.EnsureSourceConnectionInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const items = await fs.listAll('sourceConnections', {
            property: [eq('name', input.name), `connectionSpec.id==${input.connectionSpec.id}`],
          });
          const found = single(
            'source connection',
            input.name,
            items.filter((i) => i.name === input.name),
          );
          return found && { id: found.id, etag: found.etag };
        },
        create: async () =>
          fs.create('sourceConnections', {
            name: input.name,
            description: input.description,
            providerId: input.providerId,
            connectionSpec: input.connectionSpec,
            data: { format: input.dataFormat },
          }),
      });
    },

    async ensureTargetConnection(input: T.EnsureTargetConnectionInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const items = await fs.listAll('targetConnections', {
            property: [eq('name', input.name), `params.dataSetId==${input.datasetId}`],
          });
          const found = single(
            'target connection',
            input.name,
            items.filter((i) => i.name === input.name),
          );
          return found && { id: found.id, etag: found.etag };
        },
        create: async () =>
          fs.create('targetConnections', {
            name: input.name,
            description: input.description,
            connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
            data: { format: 'json', schema: { id: input.schemaId, version: XED_FULL_CONTENT_TYPE } },
            params: { dataSetId: input.datasetId },
          }),
      });
    },

    async ensureMappingSet(input: T.EnsureMappingSetInput): Promise<T.MappingSetOutput> {
      const dataPrep = api(input.sandbox).dataPrep;
      return ensure({
        find: async () => {
          const found = single('mapping set', input.name, await findMappingSets(input.sandbox, input.name));
          return found && { id: found.id, version: found.version ?? 0 };
        },
        create: async () => {
          const created = await dataPrep.createMappingSet({
            name: input.name,
            outputSchema: { schemaRef: { id: input.schemaId, contentType: XED_FULL_CONTENT_TYPE } },
            mappings: input.mappings.map((m) => ({
              sourceType: m.sourceType,
              source: m.source,
              destination: m.destination,
            })),
          });
          return { id: created.id, version: created.version ?? 0 };
        },
      });
    },

    async ensureFlow(input: T.EnsureFlowInput): Promise<T.IdEtagOutput> {
      const fs = api(input.sandbox).flowService;
      return ensure({
        find: async () => {
          const items = await fs.listAll('flows', {
            property: [eq('name', input.name), `sourceConnectionIds[]==${input.sourceConnectionId}`],
          });
          const found = single(
            'dataflow',
            input.name,
            items.filter((i) => i.name === input.name),
          );
          return found && { id: found.id, etag: found.etag };
        },
        create: async () =>
          fs.create('flows', {
            name: input.name,
            description: input.description,
            flowSpec: input.flowSpec,
            sourceConnectionIds: [input.sourceConnectionId],
            targetConnectionIds: [input.targetConnectionId],
            transformations: [
              {
                name: 'Mapping',
                params: { mappingId: input.mappingSetId, mappingVersion: input.mappingVersion },
              },
            ],
            ...(input.options && Object.keys(input.options).length ? { options: input.options } : {}),
          }),
      });
    },

    /** AEP may publish the inlet URL a little after the flow: retried (by Temporal) until it is there. */
    async getInletUrl(input: T.GetInletUrlInput): Promise<T.GetInletUrlOutput> {
      const flow = await api(input.sandbox).flowService.get('flows', input.flowId);
      const inletUrl = flow.options?.inletUrl;
      if (!inletUrl) {
        throw ApplicationFailure.retryable(`Flow ${input.flowId} has no inlet URL yet`, 'InletUrlNotReady');
      }
      return { inletUrl, etag: flow.etag };
    },

    async removeFlow(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const fs = api(input.sandbox).flowService;
      return remove(
        input,
        async (n) => (await findFlowEntities(input.sandbox, 'flows')(n)).map((e) => e.id),
        (id) => fs.delete('flows', id),
      );
    },

    async removeTargetConnection(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const fs = api(input.sandbox).flowService;
      return remove(
        input,
        async (n) => (await findFlowEntities(input.sandbox, 'targetConnections')(n)).map((e) => e.id),
        (id) => fs.delete('targetConnections', id),
      );
    },

    async removeSourceConnection(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const fs = api(input.sandbox).flowService;
      return remove(
        input,
        async (n) => (await findFlowEntities(input.sandbox, 'sourceConnections')(n)).map((e) => e.id),
        (id) => fs.delete('sourceConnections', id),
      );
    },

    async removeMappingSet(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const dataPrep = api(input.sandbox).dataPrep;
      return remove(
        input,
        async (n) => (await findMappingSets(input.sandbox, n)).map((m) => m.id),
        (id) => dataPrep.deleteMappingSet(id),
      );
    },

    async removeDataset(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const catalog = api(input.sandbox).catalog;
      return remove(
        input,
        async (n) => (await findDatasets(input.sandbox, n)).map((d) => d.id),
        (id) => catalog.deleteDataset(id),
      );
    },

    async removeSchema(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const sr = api(input.sandbox).schemaRegistry;
      return remove(
        input,
        async (n) => (await findSchemas(input.sandbox, n)).map((s) => s['meta:altId']),
        (id) => sr.deleteSchema(id),
      );
    },

    async removeFieldGroup(input: T.RemoveInput): Promise<T.RemoveOutput> {
      const sr = api(input.sandbox).schemaRegistry;
      return remove(
        input,
        async (n) => (await findFieldGroups(input.sandbox, n)).map((s) => s['meta:altId']),
        (id) => sr.deleteFieldGroup(id),
      );
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
