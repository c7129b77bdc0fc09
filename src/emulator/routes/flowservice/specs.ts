// Flow Service specs (provider-owned, identical for every tenant). Contents beyond the ids are [U] (§5.9).
import {
  CHATLIO_CONNECTION_SPEC_ID,
  CUSTOMERIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../../shared/aep-constants';
import type { Router } from '../../core/router';
import type { TenantStore } from '../../core/types';
import { bad, BASE, notFound, ref, str, type Entity } from './helpers';
import { listReply } from './listing';

const SPEC_COMMON = { createdAt: 0, updatedAt: 0, createdBy: 'adobe', updatedBy: 'adobe', version: '1.0' };

/**
 * A Streaming SDK webhook source (Chatlio, Pendo, Customer.io, Shopify Streaming): the ids and the
 * GenericStreamingAEP flow are the tutorials'; name, category and beta flag follow each source's catalogue card [U].
 */
function webhookSource(id: string, name: string, category: string, key: string, isBeta: boolean): Entity {
  return {
    ...SPEC_COMMON,
    id,
    name,
    providerId: STREAMING_PROVIDER_ID,
    type: 'streaming',
    attributes: { category, isSource: true, isPreview: isBeta, uiAttributes: {} },
    authSpec: [],
    sourceSpec: { attributes: { uiAttributes: { isBeta, category: { key } } } },
  };
}

/** The source connection specs a GenericStreamingAEP flow takes (its `sourceConnectionSpecIds`). */
const WEBHOOK_SOURCE_SPECS: Entity[] = [
  webhookSource(CHATLIO_CONNECTION_SPEC_ID, 'chatlio', 'marketing automation', 'marketingAutomation', true),
  webhookSource(PENDO_CONNECTION_SPEC_ID, 'pendo-webhook', 'analytics', 'analytics', false),
  webhookSource(
    CUSTOMERIO_CONNECTION_SPEC_ID,
    'customerio-webhook',
    'marketing automation',
    'marketingAutomation',
    true,
  ),
  webhookSource(SHOPIFY_STREAMING_CONNECTION_SPEC_ID, 'shopify-streaming', 'ecommerce', 'ecommerce', true),
];

export const CONNECTION_SPECS: Entity[] = [
  ...WEBHOOK_SOURCE_SPECS,
  {
    ...SPEC_COMMON,
    id: HTTP_API_CONNECTION_SPEC_ID,
    name: 'Streaming Connection',
    providerId: STREAMING_PROVIDER_ID,
    type: 'streaming',
    attributes: { category: 'streaming', isSource: true },
    authSpec: [],
    sourceSpec: { attributes: {} },
  },
  {
    ...SPEC_COMMON,
    id: DATA_LAKE_CONNECTION_SPEC_ID,
    name: 'Data Lake',
    providerId: STREAMING_PROVIDER_ID,
    type: 'datalake',
    attributes: { isDestination: true },
    authSpec: [],
    targetSpec: { attributes: {} },
  },
];

export const TARGET_SPEC_IDS = new Set([DATA_LAKE_CONNECTION_SPEC_ID]);

export const FLOW_SPECS: Entity[] = [
  {
    ...SPEC_COMMON,
    id: GENERIC_STREAMING_FLOW_SPEC_ID,
    name: 'GenericStreamingAEP',
    providerId: STREAMING_PROVIDER_ID,
    sourceConnectionSpecIds: [...WEBHOOK_SOURCE_SPECS.map((s) => s.id), HTTP_API_CONNECTION_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_CONNECTION_SPEC_ID],
    transformationSpecs: [
      { name: 'Mapping', spec: { type: 'object', properties: { mappingId: {}, mappingVersion: {} } } },
    ],
    optionSpec: {
      name: 'OptionSpec',
      spec: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          errorDiagnosticsEnabled: { title: 'Error diagnostics.', type: 'boolean', default: false },
          partialIngestionPercent: { title: 'Partial ingestion threshold.', type: 'number' },
        },
      },
    },
    attributes: { isSourceFlow: true, streaming: true },
  },
  {
    // HTTP API "with mappings" (aep-api.md §5.9): its flow streams into its base connection's inlet.
    ...SPEC_COMMON,
    id: HTTP_API_FLOW_SPEC_ID,
    // The name Adobe's HTTP API tutorial shows for it (GET /flowSpecs?property=name=="Steam data with transformation").
    name: 'Steam data with transformation',
    providerId: STREAMING_PROVIDER_ID,
    sourceConnectionSpecIds: [HTTP_API_CONNECTION_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_CONNECTION_SPEC_ID],
    transformationSpecs: [
      { name: 'Mapping', spec: { type: 'object', properties: { mappingId: {}, mappingVersion: {} } } },
    ],
    attributes: { isSourceFlow: true, streaming: true },
  },
];

export const STREAMING_FLOW_SPECS = new Set([GENERIC_STREAMING_FLOW_SPEC_ID, HTTP_API_FLOW_SPEC_ID]);

/**
 * What an org has of the provider-owned specs (src/emulator/README.md, "Spec provisioning"): every spec above unless
 * the control plane un-provisioned it in the tenant, and a flow spec's `sourceConnectionSpecIds` as the control plane
 * may have set them.
 */
export const SPEC_OVERRIDES = 'specOverrides';
export type SpecKind = 'connectionSpecs' | 'flowSpecs';
export interface SpecOverride {
  /** `{kind}/{spec id}` */
  id: string;
  provisioned?: boolean;
  sourceConnectionSpecIds?: string[];
}

export function specsOf(tenant: TenantStore, kind: SpecKind): Entity[] {
  const overrides = tenant.collection<SpecOverride>(SPEC_OVERRIDES);
  const all = kind === 'connectionSpecs' ? CONNECTION_SPECS : FLOW_SPECS;
  return all.flatMap((spec) => {
    const o = overrides.get(`${kind}/${spec.id}`);
    if (o?.provisioned === false) return [];
    return [
      o?.sourceConnectionSpecIds ? { ...spec, sourceConnectionSpecIds: o.sourceConnectionSpecIds } : spec,
    ];
  });
}

/** The body's `connectionSpec` reference, checked against the connection specs the tenant has. */
export function connectionSpecOf(
  tenant: TenantStore,
  body: Record<string, unknown>,
): { id: string; version: string } {
  const spec = ref(body['connectionSpec']);
  if (!str(spec.id)) bad("'connectionSpec.id' is required.");
  if (!specsOf(tenant, 'connectionSpecs').some((s) => s.id === spec.id))
    bad(`Invalid connection spec id ${spec.id}.`, 'FLOW-1413-400');
  return { id: spec.id as string, version: str(spec.version) ?? '1.0' };
}

function registerSpecList(router: Router, resource: SpecKind): void {
  router.add('GET', `${BASE}/${resource}`, (ctx) => listReply(ctx, resource, specsOf(ctx.tenant, resource)));
  router.add('GET', `${BASE}/${resource}/:id`, (ctx) => {
    const id = ctx.params['id'] ?? '';
    const specs = specsOf(ctx.tenant, resource);
    // The OpenAPI allows a comma list of ids on GET by id.
    const found = id.split(',').map((one) => specs.find((s) => s.id === one) ?? notFound(resource, one));
    return { status: 200, body: { items: found } };
  });
}

export function registerSpecs(router: Router): void {
  registerSpecList(router, 'connectionSpecs');
  registerSpecList(router, 'flowSpecs');
}
