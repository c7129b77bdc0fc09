import { z } from 'zod';
import { AepNotFoundError } from './errors';
import {
  flowSpecSchema,
  idEtagSchema,
  runSchema,
  schemaByKind,
  specSchema,
  type ConnectionSpec,
  type EntityByKind,
  type FlowKind,
  type FlowSpec,
  type IdEtag,
  type Run,
} from './flow-service-schemas';
import type { AepTransport, QueryValue } from './transport';

export * from './flow-service-schemas';

/** A connection or flow spec, by id and version. */
export interface SpecRef {
  id: string;
  version: string;
}

/** `POST /sourceConnections` (§5.3): no base connection for a webhook source; `providerId` as Adobe's example. */
export interface SourceConnectionCreate {
  name: string;
  description?: string;
  /** HTTP API: the base connection whose inlet the source streams into. */
  baseConnectionId?: string;
  providerId?: string;
  connectionSpec: SpecRef;
  data: { format: string };
}

/** `POST /targetConnections` (§5.3): the data lake, with the schema's content type as `data.schema.version`. */
export interface TargetConnectionCreate {
  name: string;
  description?: string;
  connectionSpec: SpecRef;
  data: { format: string; schema: { id: string; version: string } };
  params: { dataSetId: string };
}

/** A mapping transformation must be named `Mapping` (§5.3). */
export const MAPPING_TRANSFORMATION = 'Mapping';

/** The one transformation of a streaming flow: its mapping set, by id and version (a string, as the spec types it). */
export interface MappingTransformation {
  name: typeof MAPPING_TRANSFORMATION;
  params: { mappingId: string; mappingVersion: string };
}

/** Streaming flow options sent on create (the inlet URL comes back in `options`). */
export interface FlowOptionsCreate {
  errorDiagnosticsEnabled?: boolean;
  partialIngestionPercent?: number;
}

/** `POST /flows` (§5.3). */
export interface FlowCreate {
  name: string;
  description?: string;
  flowSpec: SpecRef;
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  transformations: MappingTransformation[];
  options?: FlowOptionsCreate;
}

/** `POST /connections` (HTTP API tutorial): a streaming base connection; its inlet comes back in `auth.params`. */
export interface ConnectionCreate {
  name: string;
  description?: string;
  providerId: string;
  connectionSpec: SpecRef;
  auth: {
    specName: string;
    params: { dataType: string; name: string; sourceId?: string; authenticationRequired?: boolean };
  };
}

export interface CreateBodies {
  connections: ConnectionCreate;
  sourceConnections: SourceConnectionCreate;
  targetConnections: TargetConnectionCreate;
  flows: FlowCreate;
}

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** A `property` filter `path==value`; the value is quoted so that spaces and brackets in names survive. */
export const propertyEq = (path: string, value: string) => `${path}==${JSON.stringify(value)}`;

export interface ListOptions {
  /** Filters like `name==X`; each one is ANDed (`property=a&property=b`). */
  property?: string[];
  limit?: number;
  continuationToken?: string;
  orderby?: string;
}

const listSchema = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    items: z.array(item),
    _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
  });

// A server that keeps answering with a next link must not keep a worker busy forever.
const MAX_PAGES = 1000;

/**
 * The continuation token of a `_links.next.href` (relative to the service, or absolute). Only the token is read:
 * AEP's link carries nothing else (flow-service.yaml, `PageLink` example `/connections?continuationToken=…`), so the
 * next request is the caller's own query (filters, `orderby`, `limit`) plus the token, never the link as given.
 */
function nextToken(href: string | undefined): string | undefined {
  if (!href) return undefined;
  return new URL(href, 'http://relative.invalid').searchParams.get('continuationToken') ?? undefined;
}

/** Flow Service: connections, source/target connections, flows, runs and specs. */
export class FlowService {
  constructor(private readonly transport: AepTransport) {}

  async create<K extends keyof CreateBodies>(kind: K, body: CreateBodies[K]): Promise<IdEtag> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'flowservice',
      path: `/${kind}`,
      body,
      schema: idEtagSchema,
    });
    return res.data;
  }

  async get<K extends FlowKind>(kind: K, id: string): Promise<EntityByKind[K]> {
    return this.getItem(`/${kind}/${encodeURIComponent(id)}`, schemaByKind[kind]);
  }

  async list<K extends FlowKind>(
    kind: K,
    opts: ListOptions = {},
  ): Promise<{ items: EntityByKind[K][]; next?: string }> {
    const page = await this.page(`/${kind}`, listQuery(opts), schemaByKind[kind]);
    const next = nextToken(page.nextHref);
    return next === undefined ? { items: page.items } : { items: page.items, next };
  }

  /** Every page: the same query each time, with the continuation token of the previous page's next link. */
  async listAll<K extends FlowKind>(
    kind: K,
    opts: Omit<ListOptions, 'continuationToken'> = {},
  ): Promise<EntityByKind[K][]> {
    return this.collect(`/${kind}`, listQuery(opts), schemaByKind[kind]);
  }

  async patch(kind: FlowKind, id: string, ops: JsonPatchOp[], etag: string): Promise<IdEtag> {
    const res = await this.transport.request({
      method: 'PATCH',
      service: 'flowservice',
      path: `/${kind}/${encodeURIComponent(id)}`,
      body: ops,
      ifMatch: etag,
      schema: idEtagSchema,
    });
    return res.data;
  }

  async delete(kind: FlowKind, id: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      service: 'flowservice',
      path: `/${kind}/${encodeURIComponent(id)}`,
    });
  }

  async flowAction(id: string, op: 'enable' | 'disable', etag?: string): Promise<IdEtag> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'flowservice',
      path: `/flows/${encodeURIComponent(id)}/action`,
      // flow-service.yaml's op enum is upper case (ENABLE, DISABLE); the docs' examples write it lower case.
      query: { op: op.toUpperCase() },
      ifMatch: etag,
      schema: idEtagSchema,
    });
    return res.data;
  }

  async listRuns(flowId: string): Promise<Run[]> {
    return this.collect('/runs', { property: [`flowId==${flowId}`] }, runSchema);
  }

  async getRun(id: string): Promise<Run> {
    return this.getItem(`/runs/${encodeURIComponent(id)}`, runSchema);
  }

  async getConnectionSpec(id: string): Promise<ConnectionSpec> {
    return this.getItem(`/connectionSpecs/${encodeURIComponent(id)}`, specSchema);
  }

  async getFlowSpec(id: string): Promise<FlowSpec> {
    return this.getItem(`/flowSpecs/${encodeURIComponent(id)}`, flowSpecSchema);
  }

  /** GET-by-id answers `{items:[entity]}`; an empty list means the entity does not exist. */
  private async getItem<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'flowservice',
      path,
      schema: listSchema(schema),
    });
    const item = res.data.items[0];
    if (item === undefined) {
      const fullPath = this.transport.url('flowservice', path).pathname;
      throw new AepNotFoundError({
        message: `GET ${fullPath} -> HTTP ${res.status}: no item returned`,
        method: 'GET',
        path: fullPath,
        status: res.status,
        requestId: res.requestId,
      });
    }
    return item;
  }

  private async page<T>(
    path: string,
    query: Record<string, QueryValue>,
    schema: z.ZodType<T>,
  ): Promise<{ items: T[]; nextHref?: string }> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'flowservice',
      path,
      query,
      schema: listSchema(schema),
    });
    return { items: res.data.items, nextHref: res.data._links?.next?.href };
  }

  private async collect<T>(
    path: string,
    query: Record<string, QueryValue>,
    schema: z.ZodType<T>,
  ): Promise<T[]> {
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const { items, nextHref }: { items: T[]; nextHref?: string } = await this.page(
        path,
        token === undefined ? query : { ...query, continuationToken: token },
        schema,
      );
      all.push(...items);
      token = nextToken(nextHref);
      // A link without a token, or one already followed, would only fetch a page again.
      if (token === undefined || seen.has(token)) break;
      seen.add(token);
    }
    return all;
  }
}

function listQuery(opts: ListOptions): Record<string, QueryValue> {
  return {
    property: opts.property,
    limit: opts.limit,
    continuationToken: opts.continuationToken,
    orderby: opts.orderby,
  };
}
