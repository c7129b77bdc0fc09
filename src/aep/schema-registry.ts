import { z } from 'zod';
import { xdmMajor } from '../shared/aep-constants';
import type { PresetField } from '../shared/preset-schema';
import { AepNotFoundError } from './errors';
import type { AepTransport } from './transport';

export const XED_ID_ACCEPT = 'application/vnd.adobe.xed-id+json';
export const XED_FULL_ACCEPT = 'application/vnd.adobe.xed-full+json; version=1';

/**
 * The lookup Accept of a resource at Schema Registry `version` ("2.1"): a lookup names the major only, and is
 * answered with that major's latest minor (help/xdm/api/getting-started.md, "Accept header": `version={MAJOR_VERSION}`;
 * "If supplying the major version only … the registry will return the latest minor version"). A lookup naming
 * another major than the resource's finds nothing (404). No version, or one without a leading number: version 1.
 */
export function xedFullAccept(version?: string | null): string {
  return `application/vnd.adobe.xed-full+json; version=${xdmMajor(version)}`;
}

export const xdmResourceRefSchema = z.looseObject({
  $id: z.string(),
  'meta:altId': z.string(),
  version: z.string().nullish(),
  title: z.string().nullish(),
});

export const xdmResourceSchema = z.looseObject({
  $id: z.string(),
  'meta:altId': z.string(),
  version: z.string().nullish(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  type: z.string().nullish(),
  'meta:resourceType': z.string().nullish(),
  'meta:class': z.string().nullish(),
  'meta:tenantNamespace': z.string().nullish(),
  allOf: z.array(z.unknown()).optional(),
});

export const statsSchema = z.looseObject({ tenantId: z.string(), imsOrg: z.string().nullish() });

const listSchema = z.looseObject({ results: z.array(xdmResourceRefSchema) });

export type XdmResourceRef = z.infer<typeof xdmResourceRefSchema>;
export type XdmResource = z.infer<typeof xdmResourceSchema>;
export type RegistryStats = z.infer<typeof statsSchema>;

type ResourceType = 'fieldgroups' | 'schemas';

/** An entry of an XDM `allOf`: a class, a field group, or a definition of the same document (`#/definitions/…`). */
export interface XdmRef {
  $ref: string;
}

/** A field in JSON-Schema terms, as a field group holds it (object fields nest). */
export type XdmField = PresetField;

/** `POST /tenant/fieldgroups` (§2.3). Custom fields live under `_{tenantId}` (§2.2); `fieldGroupBody` nests them. */
export interface FieldGroupCreate {
  type: 'object';
  title: string;
  description: string;
  /** The classes the field group may extend. */
  'meta:intendedToExtend': string[];
  definitions: Record<string, { properties: Record<string, XdmField> }>;
  allOf: XdmRef[];
}

/** `POST /tenant/schemas` (§2.3): exactly one class in `allOf`, then the field groups. */
export interface SchemaCreate {
  type: 'object';
  title: string;
  description: string;
  allOf: XdmRef[];
}

/** How Catalog and Data Prep point at a schema: its `$id` and the XDM content type (`schemaRef`, §3, §4.2). */
export interface SchemaRef {
  id: string;
  contentType: string;
}

/**
 * Schema Registry, tenant container. Ids in paths may be the `meta:altId` or the `$id`; both are URL-encoded
 * (a no-op for an altId).
 */
export class SchemaRegistry {
  constructor(private readonly transport: AepTransport) {}

  async getStats(): Promise<RegistryStats> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'schemaregistry',
      path: '/stats',
      schema: statsSchema,
    });
    return res.data;
  }

  createFieldGroup(body: FieldGroupCreate): Promise<XdmResource> {
    return this.create('fieldgroups', body);
  }
  findFieldGroupsByTitle(title: string): Promise<XdmResourceRef[]> {
    return this.findByTitle('fieldgroups', title);
  }
  /** `version`: the resource's Schema Registry version when known (a listing has it); else it is read first. */
  getFieldGroup(id: string, version?: string | null): Promise<XdmResource> {
    return this.lookup('fieldgroups', id, version);
  }
  deleteFieldGroup(id: string): Promise<void> {
    return this.remove('fieldgroups', id);
  }

  createSchema(body: SchemaCreate): Promise<XdmResource> {
    return this.create('schemas', body);
  }
  findSchemasByTitle(title: string): Promise<XdmResourceRef[]> {
    return this.findByTitle('schemas', title);
  }
  /** `version`: the schema's Schema Registry version when known (a listing has it); else it is read first. */
  getSchema(id: string, version?: string | null): Promise<XdmResource> {
    return this.lookup('schemas', id, version);
  }
  deleteSchema(id: string): Promise<void> {
    return this.remove('schemas', id);
  }

  private async create(type: ResourceType, body: FieldGroupCreate | SchemaCreate): Promise<XdmResource> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'schemaregistry',
      path: `/tenant/${type}`,
      body,
      schema: xdmResourceSchema,
    });
    return res.data;
  }

  /** Titles are unique per tenant (XDM-1521), so one page (up to 300 results) is enough. */
  private async findByTitle(type: ResourceType, title: string): Promise<XdmResourceRef[]> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'schemaregistry',
      path: `/tenant/${type}`,
      query: { property: `title==${title}` },
      accept: XED_ID_ACCEPT,
      schema: listSchema,
    });
    return res.data.results;
  }

  /**
   * A lookup must name the resource's major version in its Accept header, and the id alone does not give it: when
   * the caller does not know it, the id listing (which carries `version`) is asked first, filtered on `$id` or
   * `meta:altId` (appendix.md, "Filtering": `property` applies to any JSON property of the listed resources).
   */
  private async lookup(type: ResourceType, id: string, version?: string | null): Promise<XdmResource> {
    const path = `/tenant/${type}/${encodeURIComponent(id)}`;
    let known = version;
    if (!known) {
      const res = await this.transport.request({
        method: 'GET',
        service: 'schemaregistry',
        path: `/tenant/${type}`,
        query: { property: `${/^https?:/i.test(id) ? '$id' : 'meta:altId'}==${id}` },
        accept: XED_ID_ACCEPT,
        schema: listSchema,
      });
      const listed = res.data.results.find((r) => r.$id === id || r['meta:altId'] === id);
      if (!listed) {
        const fullPath = this.transport.url('schemaregistry', path).pathname;
        throw new AepNotFoundError({
          message: `GET ${fullPath}: not in the ${type} listing (HTTP ${res.status})`,
          method: 'GET',
          path: fullPath,
          status: res.status,
          requestId: res.requestId,
        });
      }
      known = listed.version;
    }
    const res = await this.transport.request({
      method: 'GET',
      service: 'schemaregistry',
      path,
      accept: xedFullAccept(known),
      schema: xdmResourceSchema,
    });
    return res.data;
  }

  private async remove(type: ResourceType, id: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      service: 'schemaregistry',
      path: `/tenant/${type}/${encodeURIComponent(id)}`,
    });
  }
}
