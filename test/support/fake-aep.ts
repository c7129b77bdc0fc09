// A recording fake of the AEP client for unit tests: resources in memory (per sandbox) with ids, every call
// recorded (service.method + args), failures scripted per call. Errors are the real classes, made by the real
// factories of src/aep/errors.ts (aepErrorFromResponse, networkError), so the activities map them as in production.
// Each service is typed as a Pick of the real class: a signature change in src/aep breaks this file's build.
import { createActivities, type Activities } from '../../src/activities';
import { PresetRegistry } from '../../src/presets/registry';
import { NO_RECORDS } from './records';
import { randomUUID } from 'node:crypto';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  CUSTOMERIO_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
} from '../../src/shared/aep-constants';

/** The webhook sources' connection specs (every built-in preset's), as the emulator serves them. */
const SOURCE_SPECS = [
  CHATLIO_CONNECTION_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  CUSTOMERIO_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
];
import {
  aepErrorFromResponse,
  networkError,
  redactConfig,
  type AepClient,
  type AepError,
  type Catalog,
  type DataPrep,
  type DatasetWithId,
  type FlowKind,
  type FlowService,
  type IdEtag,
  type Inlet,
  type MappingSet,
  type ObservabilityInsights,
  type Run,
  type SchemaRegistry,
  type XdmResource,
} from '../../src/aep';

export type FakeMethod =
  | `schemaRegistry.${keyof SchemaRegistryFake}`
  | `catalog.${keyof CatalogFake}`
  | `dataPrep.${keyof DataPrepFake}`
  | `flowService.${keyof FlowServiceFake}`
  | `inlet.${keyof InletFake}`
  | `observability.${keyof ObservabilityFake}`;

export interface FakeCall {
  method: FakeMethod;
  args: unknown[];
  sandbox: string;
  /** What the call threw (a scripted failure, or the fake's own 404 / title clash). */
  error?: Error;
}

interface Script {
  method: FakeMethod;
  error: () => Error;
  /** How many more calls fail; Infinity for all. */
  times: number;
  /** Only calls whose args match fail. */
  when?: (args: unknown[]) => boolean;
  /** The call takes effect before it fails: a create whose answer was lost. */
  landFirst?: boolean;
}

type SchemaRegistryFake = Pick<
  SchemaRegistry,
  | 'getStats'
  | 'createFieldGroup'
  | 'findFieldGroupsByTitle'
  | 'getFieldGroup'
  | 'deleteFieldGroup'
  | 'createSchema'
  | 'findSchemasByTitle'
  | 'getSchema'
  | 'deleteSchema'
>;
type CatalogFake = Pick<Catalog, 'createDataset' | 'getDataset' | 'findDatasetsByName' | 'deleteDataset'>;
type DataPrepFake = Pick<
  DataPrep,
  'createMappingSet' | 'getMappingSet' | 'listMappingSets' | 'deleteMappingSet' | 'validateMappingSet'
>;
type FlowServiceFake = Pick<
  FlowService,
  'create' | 'get' | 'listAll' | 'delete' | 'flowAction' | 'listRuns' | 'getConnectionSpec' | 'getFlowSpec'
>;
type InletFake = Pick<Inlet, 'webhookUrl' | 'postToWebhook'>;
type ObservabilityFake = Pick<ObservabilityInsights, 'totals'>;

/** One event posted to a flow's webhook: counted (runs, dataset metrics) once the fake's clock passes `countedAt`. */
interface Ingested {
  flowId: string;
  datasetId?: string;
  countedAt: number;
}

/** The collections the fake keeps, per sandbox. */
export type FakeCollection = 'fieldgroups' | 'schemas' | 'datasets' | 'mappingSets' | FlowKind;
type Stored = Record<string, unknown> & { id: string };

/** Real AEP errors, built by the client's own factories. */
export const aepErrors = {
  http(status: number, opts: { code?: string; retryAfter?: string; path?: string; method?: string } = {}) {
    return aepErrorFromResponse({
      method: opts.method ?? 'POST',
      path: opts.path ?? '/fake',
      status,
      headers: opts.retryAfter !== undefined ? { 'retry-after': opts.retryAfter } : {},
      bodyText: JSON.stringify({ type: 'about:blank', title: `HTTP ${status}`, code: opts.code }),
      secrets: [],
    });
  },
  validation: () => aepErrors.http(400, { code: 'FAKE-1400-400' }),
  authentication: () => aepErrors.http(401),
  permission: () => aepErrors.http(403),
  notFound: (path = '/fake') => aepErrors.http(404, { path, method: 'DELETE' }),
  rateLimited: (retryAfterSeconds: number) => aepErrors.http(429, { retryAfter: String(retryAfterSeconds) }),
  server: (status = 503) => aepErrors.http(status),
  network(): AepError {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    return networkError({ method: 'POST', path: '/fake', cause, secrets: [] });
  },
  ims: (status = 400) =>
    aepErrorFromResponse({
      method: 'POST',
      path: '/ims/token/v3',
      status,
      headers: {},
      bodyText: JSON.stringify({ error: 'invalid_client', error_description: 'invalid client' }),
      secrets: [],
      ims: true,
    }),
};

/** The provider specs an org has by default: the Chatlio preset's, as the emulator serves them. */
const DEFAULT_FLOW_SPECS: Record<
  string,
  { sourceConnectionSpecIds: string[]; targetConnectionSpecIds: string[] }
> = {
  [GENERIC_STREAMING_FLOW_SPEC_ID]: {
    sourceConnectionSpecIds: SOURCE_SPECS,
    targetConnectionSpecIds: [DATA_LAKE_CONNECTION_SPEC_ID],
  },
  [HTTP_API_FLOW_SPEC_ID]: {
    sourceConnectionSpecIds: [HTTP_API_CONNECTION_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_CONNECTION_SPEC_ID],
  },
};

export class FakeAep {
  readonly calls: FakeCall[] = [];
  /** Connection specs the org has (`unprovision` takes one away). */
  readonly connectionSpecs = new Set<string>([...SOURCE_SPECS, DATA_LAKE_CONNECTION_SPEC_ID]);
  /** Flow specs the org has, with the connection specs each lists. */
  readonly flowSpecs = structuredClone(DEFAULT_FLOW_SPECS);
  /** Data Prep's verdict on one mapping: an error message refuses it (default: every mapping passes). */
  mappingVerdict: (m: { source?: string; destination?: string }) => string | undefined = () => undefined;
  readonly tenantId: string;
  private readonly data = new Map<string, Map<string, Stored>>();
  private readonly scripts: Script[] = [];
  private readonly hooks: Array<{ method: FakeMethod; fn: (call: FakeCall) => void }> = [];
  private readonly views = new Map<string, AepClient>();
  readonly client: AepClient;
  /** Events posted to webhooks, in order. */
  readonly ingested: Ingested[] = [];
  /**
   * The fake's clock, for what lags ingestion (a test on the time-skipping server sets it to workflow time), and
   * how long after a post the flow's runs and the dataset's metrics count the event (landing + aggregation).
   */
  now: () => number = Date.now;
  countDelayMs = 0;

  constructor(opts: { sandbox?: string; tenantId?: string } = {}) {
    this.tenantId = opts.tenantId ?? 'faketenant';
    this.client = this.view(opts.sandbox ?? 'prod');
  }

  /** The next `times` calls of `method` (whose args match `when`) throw `error`. */
  fail(
    method: FakeMethod,
    error: Error | (() => Error),
    opts: { times?: number; when?: (args: unknown[]) => boolean; landFirst?: boolean } = {},
  ): void {
    this.scripts.push({
      method,
      error: typeof error === 'function' ? error : () => error,
      times: opts.times ?? 1,
      when: opts.when,
      landFirst: opts.landFirst,
    });
  }

  /** Runs `fn` after every call of `method` (e.g. to land an earlier attempt's create late). */
  after(method: FakeMethod, fn: (call: FakeCall) => void): void {
    this.hooks.push({ method, fn });
  }

  /** The calls made, as `service.method`, optionally only those of some methods. */
  methods(...only: FakeMethod[]): FakeMethod[] {
    return this.calls.map((c) => c.method).filter((m) => only.length === 0 || only.includes(m));
  }

  callsOf(method: FakeMethod): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Puts a resource in place (as another run, a person, or a lost create would have). Returns its id. */
  seed(collection: FakeCollection, resource: Record<string, unknown>, sandbox = 'prod'): string {
    const stored = this.store(collection, resource, sandbox);
    return stored.id;
  }

  /** What the fake holds of a collection. */
  all(collection: FakeCollection, sandbox = 'prod'): Stored[] {
    return [...this.coll(sandbox, collection).values()];
  }

  private coll(sandbox: string, collection: FakeCollection): Map<string, Stored> {
    const key = `${sandbox}/${collection}`;
    let c = this.data.get(key);
    if (!c) this.data.set(key, (c = new Map<string, Stored>()));
    return c;
  }

  private store(collection: FakeCollection, resource: Record<string, unknown>, sandbox: string): Stored {
    let stored: Stored;
    if (collection === 'fieldgroups' || collection === 'schemas') {
      const type = collection === 'schemas' ? 'schemas' : 'mixins';
      const hex = randomUUID().replace(/-/g, '');
      stored = {
        $id: `https://ns.adobe.com/${this.tenantId}/${type}/${hex}`,
        'meta:altId': `_${this.tenantId}.${type}.${hex}`,
        version: '1.0',
        ...resource,
        id: `_${this.tenantId}.${type}.${hex}`,
      };
      if (typeof resource['meta:altId'] === 'string') stored.id = resource['meta:altId'];
    } else {
      stored = {
        ...(collection === 'mappingSets' ? { version: 0 } : { etag: `"${randomUUID()}"` }),
        ...resource,
        id: typeof resource['id'] === 'string' ? resource['id'] : randomUUID().replace(/-/g, ''),
      };
    }
    this.coll(sandbox, collection).set(stored.id, stored);
    return stored;
  }

  /** Records the call, applies the scripts and the hooks around `fn`. */
  private async call<R>(sandbox: string, method: FakeMethod, args: unknown[], fn: () => R): Promise<R> {
    const call: FakeCall = { method, args, sandbox };
    this.calls.push(call);
    await Promise.resolve();
    try {
      const script = this.scripts.find((s) => s.method === method && s.times > 0 && (s.when?.(args) ?? true));
      if (script) {
        script.times -= 1;
        if (script.landFirst) fn();
        throw script.error();
      }
      return fn();
    } catch (err) {
      call.error = err as Error;
      throw err;
    } finally {
      for (const h of this.hooks) if (h.method === method) h.fn(call);
    }
  }

  private view(sandbox: string): AepClient {
    const existing = this.views.get(sandbox);
    if (existing) return existing;
    const c = (collection: FakeCollection) => this.coll(sandbox, collection);
    const rec = <R>(method: FakeMethod, args: unknown[], fn: () => R) => this.call(sandbox, method, args, fn);
    const missing = (path: string): never => {
      throw aepErrors.notFound(path);
    };
    const body = (b: unknown) => (b && typeof b === 'object' ? (b as Record<string, unknown>) : {});

    const xdm = (collection: 'fieldgroups' | 'schemas') => ({
      create: (b: unknown) => {
        const title = body(b)['title'];
        const clash = [...c('fieldgroups').values(), ...c('schemas').values()].find(
          (r) => r['title'] === title,
        );
        if (clash) throw aepErrors.http(400, { code: 'XDM-1521-400' });
        return this.store(collection, body(b), sandbox) as unknown as XdmResource;
      },
      // The id listing (xed-id) carries no description, as AEP's does not.
      find: (title: string) =>
        [...c(collection).values()]
          .filter((r) => r['title'] === title)
          .map((r) => ({
            $id: String(r['$id']),
            'meta:altId': String(r['meta:altId']),
            version: r['version'] as string,
            title: r['title'] as string,
          })),
      get: (id: string) =>
        ([...c(collection).values()].find((r) => r.id === id || r['$id'] === id) as
          XdmResource | undefined) ?? missing(`/${collection}/${id}`),
      del: (id: string) => {
        const r = [...c(collection).values()].find((x) => x.id === id || x['$id'] === id);
        if (!r) return missing(`/${collection}/${id}`);
        c(collection).delete(r.id);
      },
    });
    const fg = xdm('fieldgroups');
    const sc = xdm('schemas');

    const schemaRegistry: SchemaRegistryFake = {
      getStats: () => rec('schemaRegistry.getStats', [], () => ({ tenantId: this.tenantId })),
      createFieldGroup: (b) => rec('schemaRegistry.createFieldGroup', [b], () => fg.create(b)),
      findFieldGroupsByTitle: (t) => rec('schemaRegistry.findFieldGroupsByTitle', [t], () => fg.find(t)),
      getFieldGroup: (id) => rec('schemaRegistry.getFieldGroup', [id], () => fg.get(id)),
      deleteFieldGroup: (id) => rec('schemaRegistry.deleteFieldGroup', [id], () => fg.del(id)),
      createSchema: (b) => rec('schemaRegistry.createSchema', [b], () => sc.create(b)),
      findSchemasByTitle: (t) => rec('schemaRegistry.findSchemasByTitle', [t], () => sc.find(t)),
      getSchema: (id) => rec('schemaRegistry.getSchema', [id], () => sc.get(id)),
      deleteSchema: (id) => rec('schemaRegistry.deleteSchema', [id], () => sc.del(id)),
    };

    const catalog: CatalogFake = {
      createDataset: (b) =>
        rec('catalog.createDataset', [b], () => ({ id: this.store('datasets', body(b), sandbox).id })),
      getDataset: (id) =>
        rec('catalog.getDataset', [id], () => c('datasets').get(id) ?? missing(`/dataSets/${id}`)),
      findDatasetsByName: (name) =>
        rec(
          'catalog.findDatasetsByName',
          [name],
          () => [...c('datasets').values()].filter((d) => d['name'] === name) as DatasetWithId[],
        ),
      deleteDataset: (id) =>
        rec('catalog.deleteDataset', [id], () => {
          if (!c('datasets').delete(id)) missing(`/dataSets/${id}`);
        }),
    };

    const dataPrep: DataPrepFake = {
      createMappingSet: (b) =>
        rec('dataPrep.createMappingSet', [b], () => {
          const m = this.store('mappingSets', body(b), sandbox);
          return { id: m.id, version: Number(m['version']) };
        }),
      getMappingSet: (id, version) =>
        rec(
          'dataPrep.getMappingSet',
          [id, version],
          () => (c('mappingSets').get(id) as MappingSet | undefined) ?? missing(`/mappingSets/${id}`),
        ),
      listMappingSets: (opts) =>
        rec(
          'dataPrep.listMappingSets',
          [opts],
          () =>
            [...c('mappingSets').values()].filter(
              (m) => opts.name === undefined || m['name'] === opts.name,
            ) as MappingSet[],
        ),
      deleteMappingSet: (id) =>
        rec('dataPrep.deleteMappingSet', [id], () => {
          if (!c('mappingSets').delete(id)) missing(`/mappingSets/${id}`);
        }),
      // One verdict per mapping, in order, in data-prep.yaml's shape (TransformErrorInfo).
      validateMappingSet: (b) =>
        rec('dataPrep.validateMappingSet', [b], () => ({
          validationResponse: b.mappings.map((m) => {
            const problem = this.mappingVerdict(m);
            return problem
              ? { status: 'FAILED', errors: [{ destination: m.destination, exception: problem }] }
              : { status: 'SUCCESS', errors: null };
          }),
        })),
    };

    /** `name=="…"` filters, as resources.ts builds them; other filters are not modelled. */
    const byFilters = (items: Stored[], property: string[] = []) =>
      items.filter((e) =>
        property.every((p) => {
          const m = /^name==(.*)$/.exec(p);
          return !m || e['name'] === JSON.parse(m[1] ?? '""');
        }),
      );
    const flowService: FlowServiceFake = {
      create: (kind, b) =>
        rec('flowService.create', [kind, b], (): IdEtag => {
          // A streaming base connection (HTTP API) carries its own inlet in auth.params, as the tutorial shows.
          const auth = body(body(b)['auth']);
          const extra =
            kind === 'flows'
              ? { options: { ...body(body(b)['options']), inletUrl: 'https://fake/collection/x' } }
              : kind === 'connections'
                ? {
                    auth: {
                      ...auth,
                      params: { ...body(auth['params']), inletUrl: 'https://fake/collection/base' },
                    },
                  }
                : {};
          const e = this.store(kind, { ...body(b), ...extra, state: 'enabled' }, sandbox);
          return { id: e.id, etag: String(e['etag']) };
        }),
      get: ((kind: FlowKind, id: string) =>
        rec(
          'flowService.get',
          [kind, id],
          () => c(kind).get(id) ?? missing(`/${kind}/${id}`),
        )) as FlowService['get'],
      listAll: ((kind: FlowKind, opts?: { property?: string[] }) =>
        rec('flowService.listAll', [kind, opts], () =>
          byFilters([...c(kind).values()], opts?.property),
        )) as FlowService['listAll'],
      delete: (kind, id) =>
        rec('flowService.delete', [kind, id], () => {
          if (!c(kind).delete(id)) missing(`/${kind}/${id}`);
        }),
      flowAction: (id, op, etag) =>
        rec('flowService.flowAction', [id, op, etag], (): IdEtag => {
          const f = c('flows').get(id) ?? missing(`/flows/${id}/action`);
          const updated = {
            ...f,
            state: op === 'enable' ? 'enabled' : 'disabled',
            etag: `"${randomUUID()}"`,
          };
          c('flows').set(id, updated);
          return { id, etag: updated.etag };
        }),
      getConnectionSpec: (id) =>
        rec('flowService.getConnectionSpec', [id], () =>
          this.connectionSpecs.has(id) ? { id, name: id } : missing(`/connectionSpecs/${id}`),
        ),
      getFlowSpec: (id) =>
        rec('flowService.getFlowSpec', [id], () => {
          const spec = this.flowSpecs[id];
          return spec ? { id, ...structuredClone(spec) } : missing(`/flowSpecs/${id}`);
        }),
      listRuns: (flowId) =>
        rec('flowService.listRuns', [flowId], (): Run[] => {
          const counted = this.ingested.filter((i) => i.flowId === flowId && i.countedAt <= this.now());
          if (!counted.length) return [];
          const n = counted.length;
          const recordSummary = { inputRecordCount: n, outputRecordCount: n, failedRecordCount: 0 };
          return [
            { id: `run-${flowId}`, flowId, metrics: { recordSummary, statusSummary: { status: 'success' } } },
          ];
        }),
    };

    const inlet: InletFake = {
      webhookUrl: (inletUrl, flowId) => `${inletUrl}?flowId=${encodeURIComponent(flowId)}`,
      // Every event is accepted and (later) counted as written to the flow's target dataset.
      postToWebhook: (url, event, opts) =>
        rec('inlet.postToWebhook', [url, event, opts], () => {
          const flowId = new URL(url).searchParams.get('x-adobe-flow-id') ?? '';
          const flow = c('flows').get(flowId);
          const targetId = (flow?.['targetConnectionIds'] as string[] | undefined)?.[0];
          const target = targetId ? c('targetConnections').get(targetId) : undefined;
          const datasetId = (body(target?.['params'])['dataSetId'] as string | undefined) ?? undefined;
          const at = this.now();
          this.ingested.push({ flowId, datasetId, countedAt: at + this.countDelayMs });
          return { inletId: 'fake', xactionId: `${at}:1:1`, receivedTimeMs: at };
        }),
    };
    const observability: ObservabilityFake = {
      totals: (query) =>
        rec('observability.totals', [query], () => {
          const written = this.ingested.filter((i) => i.datasetId === query.id && i.countedAt <= this.now());
          return Object.fromEntries(
            query.metric.map((m) => [m, m.includes('recordsuccess') ? written.length : 0]),
          );
        }),
    };

    const client = {
      config: redactConfig({
        platformUrl: 'https://fake.invalid',
        imsUrl: 'https://fake.invalid',
        clientId: 'fake-client',
        clientSecret: 'fake-secret',
        orgId: 'FAKEORG@AdobeOrg',
        sandbox,
        scopes: 'openid',
        requestTimeoutMs: 1_000,
        connectTimeoutMs: 1_000,
      }),
      schemaRegistry,
      catalog,
      dataPrep,
      flowService,
      inlet,
      observability,
      withSandbox: (s: string) => this.view(s),
      close: async () => {},
    };
    // ims and transport are never used by the activities under test: left out, hence the cast.
    const view = client as unknown as AepClient;
    this.views.set(sandbox, view);
    return view;
  }
}

/**
 * The real activities over a fresh FakeAep, with no read model. Nothing the fake does lands late, so no undo needs
 * to wait for a create (settle time 0) unless a test asks for one.
 */
export function fakeActivities(opts: { createSettleMs?: number } = {}): {
  fake: FakeAep;
  activities: Activities;
} {
  const fake = new FakeAep();
  const activities = createActivities({
    aep: fake.client,
    presets: PresetRegistry.fromEnv({}),
    records: NO_RECORDS,
    createSettleMs: opts.createSettleMs ?? 0,
  });
  return { fake, activities };
}
