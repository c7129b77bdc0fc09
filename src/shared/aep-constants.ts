// Fixed AEP identifiers (see ../shared/reference/aep-api.md §5.9). Shared by presets, the client and the emulator.

/** Chatlio source connection spec (version 1.0). */
export const CHATLIO_CONNECTION_SPEC_ID = '073127a3-26e3-496c-9d94-9f48fb93fba8';
/** Pendo source connection spec (AEP docs: sources/tutorials/api/create/analytics/pendo-webhook.md). */
export const PENDO_CONNECTION_SPEC_ID = '6ff5654f-19d5-427d-bd3e-c0ebc802389a';
/** Customer.io source connection spec, beta (…/api/create/marketing-automation/customerio-webhook.md). */
export const CUSTOMERIO_CONNECTION_SPEC_ID = '96479064-7b8a-4d69-b9ed-21c5683837ea';
/** Shopify Streaming source connection spec, beta (…/api/create/ecommerce/shopify-streaming.md). */
export const SHOPIFY_STREAMING_CONNECTION_SPEC_ID = 'e77fd9d2-22a8-11ed-861d-0242ac120002';
/** Provider id of the self-serve streaming sources (Chatlio, Pendo, Customer.io, Shopify Streaming, HTTP API). */
export const STREAMING_PROVIDER_ID = '521eee4d-8cbe-4906-bb48-fb6bd4450033';
/** Flow spec `GenericStreamingAEP` used by webhook / Streaming SDK sources. */
export const GENERIC_STREAMING_FLOW_SPEC_ID = 'e77fde5a-22a8-11ed-861d-0242ac120002';
/** Data lake target connection spec. */
export const DATA_LAKE_CONNECTION_SPEC_ID = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
/** HTTP API streaming connection spec: a base connection (`POST /connections`) carries its inlet (…/streaming/http.md). */
export const HTTP_API_CONNECTION_SPEC_ID = 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb';
/** Flow spec of the HTTP API source "with mappings" (raw data mapped by Data Prep; aep-api.md §5.9, [C] S11). */
export const HTTP_API_FLOW_SPEC_ID = 'c1a19761-d2c7-4702-b9fa-fe91f0613e81';

export const EXPERIENCE_EVENT_CLASS = 'https://ns.adobe.com/xdm/context/experienceevent';
export const XED_FULL_CONTENT_TYPE = 'application/vnd.adobe.xed-full+json;version=1';

/**
 * The xed-full content type of a schema at Schema Registry `version` (e.g. "1.2"): a content type names the major
 * version only (schema-registry.yaml, Accept: "including a major version (e.g. `…; version=1`)"), so "1.2" gives
 * `;version=1` and "2.0" `;version=2`. No version, or one without a leading number: version 1.
 */
export function xedFullContentType(version?: string | null): string {
  return `application/vnd.adobe.xed-full+json;version=${xdmMajor(version)}`;
}

/** The major of a Schema Registry `version` ("2.1" → 2); 1 when there is none or it has no leading number. */
export function xdmMajor(version?: string | null): number {
  const major = /^\s*(\d+)/.exec(version ?? '')?.[1];
  return major ? Number(major) : 1;
}

/** Defaults of the local emulator: it accepts exactly these unless started with others. */
export const EMULATOR_DEFAULTS = {
  clientId: 'aep-emulator-client',
  clientSecret: 'aep-emulator-local-secret',
  orgId: 'EMULATOR0000000000000000@AdobeOrg',
  tenantId: 'emulatortenant',
  sandboxes: ['prod', 'dev'],
  tokenTtlSeconds: 86399,
} as const;
