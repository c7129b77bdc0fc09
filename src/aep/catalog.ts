import { z } from 'zod';
import { AepNotFoundError } from './errors';
import type { SchemaRef } from './schema-registry';
import type { AepTransport } from './transport';

/** Catalog can answer `name: {}` when `properties=` is used: read as absent (a name that is not a string is no name). */
const emptyObjectAsAbsent = z
  .looseObject({})
  .refine((o) => Object.keys(o).length === 0, 'expected a string or {}')
  .transform(() => undefined);

export const datasetSchema = z.looseObject({
  name: z.union([z.string(), emptyObjectAsAbsent]).nullish(),
  description: z.string().nullish(),
  schemaRef: z.looseObject({ id: z.string(), contentType: z.string().nullish() }).optional(),
  tags: z.record(z.string(), z.array(z.string())).optional(),
  created: z.number().nullish(),
  updated: z.number().nullish(),
  imsOrg: z.string().nullish(),
});

export type Dataset = z.infer<typeof datasetSchema>;
export type DatasetWithId = Dataset & { id: string };

/** `POST /dataSets` (§3): no `fileDescription` and no profile `tags` are sent. */
export interface DatasetCreate {
  name: string;
  description?: string;
  schemaRef: SchemaRef;
}

const datasetMapSchema = z.record(z.string(), datasetSchema);

const createdRefSchema = z
  .array(z.string())
  .min(1)
  .transform((refs, ctx) => {
    const id = /^@\/dataSets\/([^/]+)$/.exec(refs[0] ?? '')?.[1];
    if (id === undefined) ctx.addIssue({ code: 'custom', message: 'expected ["@/dataSets/{id}"]' });
    return id ?? '';
  });

// Catalog pages default to 20 items; 100 is its maximum.
const FIND_LIMIT = 100;
// A server that keeps answering full pages must not keep a worker busy forever.
const MAX_PAGES = 100;

/**
 * The value of a `property=name==…` look-up that matches `name` itself (and maybe more, which the caller filters
 * out). Catalog's filter-data.md ("Using the `property` parameter"): on `name`, `*` is a wildcard and `**` one literal
 * `*`. A `,` separates any-of values in Catalog filters (the same guide's simple filters) and has no documented escape,
 * so each `,` becomes a wildcard, which matches the comma too. A wildcard never touches an escaped `**`: the `*`s
 * next to a comma are left to the wildcard, so no run of three or more `*` leaves its reading to the server.
 */
export function catalogNameFilterValue(name: string): string {
  const parts = name.split(',');
  return parts
    .map((part, i) => {
      let p = part;
      if (i > 0) p = p.replace(/^\*+/, '');
      if (i < parts.length - 1) p = p.replace(/\*+$/, '');
      return p.replace(/\*/g, '**');
    })
    .join('*');
}

/** Catalog Service: datasets. Responses are objects keyed by dataset id. */
export class Catalog {
  constructor(private readonly transport: AepTransport) {}

  async createDataset(body: DatasetCreate): Promise<{ id: string }> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'catalog',
      path: '/dataSets',
      body,
      schema: createdRefSchema,
    });
    return { id: res.data };
  }

  async getDataset(id: string): Promise<DatasetWithId> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'catalog',
      path: `/dataSets/${encodeURIComponent(id)}`,
      schema: datasetMapSchema,
    });
    const dataset = res.data[id];
    if (dataset === undefined) {
      const path = this.transport.url('catalog', `/dataSets/${encodeURIComponent(id)}`).pathname;
      throw new AepNotFoundError({
        message: `GET ${path} -> HTTP ${res.status}: dataset not in the response`,
        method: 'GET',
        path,
        status: res.status,
        requestId: res.requestId,
      });
    }
    return { ...dataset, id };
  }

  /**
   * Exact-name matches. The filter value is escaped (catalogNameFilterValue) so that a name with `*` or `,` is still
   * found; a `,` widens the query to a wildcard, so the names are compared again here. Every page: Catalog pages by
   * offset (`start`, `limit` at most 100, no next link), so the filter is sent again with each `start` until a page
   * comes back short.
   */
  async findDatasetsByName(name: string): Promise<DatasetWithId[]> {
    const property = `name==${catalogNameFilterValue(name)}`;
    const found = new Map<string, Dataset>();
    for (let page = 0, start = 0; page < MAX_PAGES; page++, start += FIND_LIMIT) {
      const res = await this.transport.request({
        method: 'GET',
        service: 'catalog',
        path: '/dataSets',
        query: { property, limit: FIND_LIMIT, ...(start > 0 ? { start } : {}) },
        schema: datasetMapSchema,
      });
      const entries = Object.entries(res.data);
      for (const [id, ds] of entries) found.set(id, ds);
      if (entries.length < FIND_LIMIT) break;
    }
    return [...found].filter(([, ds]) => ds.name === name).map(([id, ds]) => ({ ...ds, id }));
  }

  async deleteDataset(id: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      service: 'catalog',
      path: `/dataSets/${encodeURIComponent(id)}`,
    });
  }
}
