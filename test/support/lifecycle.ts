// Helpers of the lifecycle and CLI suites: a flow made by hand with raw HTTP (the tutorial's way), webhook posts,
// and small waits on Temporal visibility.
import assert from 'node:assert/strict';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import type { DatasetRefs, FlowBody, FlowList, IdEtag, MappingSetCreatedBody, XdmBody } from './aep-bodies';
import { request, type JsonResponse, type StartedEmulator } from './emulator';

export interface HandMadeFlow {
  fieldGroupId: string;
  schemaId: string;
  schemaAltId: string;
  datasetId: string;
  baseConnectionId?: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  mappingSetId: string;
  flowId: string;
  inletUrl: string;
  webhookUrl: string;
}

/** Raw Platform calls with the tutorial's headers. */
export async function platform(emu: StartedEmulator, sandbox = 'prod') {
  const token = await emu.token();
  const headers = emu.headers(token, { sandbox });
  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) => request<T>(`${emu.url}/data/foundation${path}`, { method, headers: { ...headers, ...extra }, body });
  const ok = <T>(res: JsonResponse<T>, what: string): T => {
    assert.ok(res.status >= 200 && res.status < 300, `${what}: HTTP ${res.status} ${res.text}`);
    return res.body;
  };
  return { call, ok };
}

/**
 * The Chatlio tutorial's chain, by hand: its field names (slackchannel_ID, chatlio_email, ...) in the org's own
 * tenant namespace, plus the `_id`/`timestamp` expressions the ExperienceEvent class requires. With
 * `baseConnection`, the source is an HTTP API one under a base connection (Chatlio has none).
 */
export async function createHandMadeFlow(
  emu: StartedEmulator,
  opts: { sandbox?: string; title?: string; baseConnection?: boolean } = {},
): Promise<HandMadeFlow> {
  const { call, ok } = await platform(emu, opts.sandbox);
  const title = opts.title ?? `Hand made ${Math.random().toString(36).slice(2, 8)}`;
  const ns = `_${emu.options.tenantId}`;
  const fields = ['slackchannel_ID', 'slackchannel_name', 'UUID', 'chatlio_email', 'message', 'channel_ID'];
  const fg = ok(
    await call<XdmBody>('POST', '/schemaregistry/tenant/fieldgroups', {
      type: 'object',
      title: `${title} fields`,
      description: 'Chatlio webhook fields',
      'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
      definitions: {
        chatlio: {
          properties: {
            [ns]: {
              type: 'object',
              properties: Object.fromEntries(fields.map((f) => [f, { type: 'string', title: f }])),
            },
          },
        },
      },
      allOf: [{ $ref: '#/definitions/chatlio' }],
    }),
    'field group',
  );
  const schema = ok(
    await call<XdmBody>('POST', '/schemaregistry/tenant/schemas', {
      type: 'object',
      title: `${title} schema`,
      description: 'Chatlio events',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: fg.$id }],
    }),
    'schema',
  );
  const ds = ok(
    await call<DatasetRefs>('POST', '/catalog/dataSets', {
      name: `${title} dataset`,
      schemaRef: { id: schema.$id, contentType: XED_FULL_CONTENT_TYPE },
    }),
    'dataset',
  );
  const datasetId = ds[0]!.replace('@/dataSets/', '');
  let baseConnectionId: string | undefined;
  if (opts.baseConnection) {
    baseConnectionId = ok(
      await call<IdEtag>('POST', '/flowservice/connections', {
        name: `${title} account`,
        connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
        auth: { specName: 'Streaming Connection', params: { dataType: 'raw' } },
      }),
      'base connection',
    ).id;
  }
  const sourceConnectionId = ok(
    await call<IdEtag>('POST', '/flowservice/sourceConnections', {
      name: `${title} source connection`,
      providerId: STREAMING_PROVIDER_ID,
      description: 'Streaming Source Connection for Chatlio.',
      connectionSpec: {
        id: opts.baseConnection ? HTTP_API_CONNECTION_SPEC_ID : CHATLIO_CONNECTION_SPEC_ID,
        version: '1.0',
      },
      ...(baseConnectionId ? { baseConnectionId } : {}),
      data: { format: 'json' },
    }),
    'source connection',
  ).id;
  const targetConnectionId = ok(
    await call<IdEtag>('POST', '/flowservice/targetConnections', {
      name: `${title} target connection`,
      connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json', schema: { id: schema.$id, version: XED_FULL_CONTENT_TYPE } },
      params: { dataSetId: datasetId },
    }),
    'target connection',
  ).id;
  const mappingSetId = ok(
    await call<MappingSetCreatedBody>('POST', '/conversion/mappingSets', {
      outputSchema: { schemaRef: { id: schema.$id, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
        ...[
          ['slackchannel_ID', 'slackChannelId'],
          ['slackchannel_name', 'slackChannelName'],
          ['UUID', 'visitor.UUID'],
          ['chatlio_email', 'visitor.email'],
          ['message', 'message'],
          ['channel_ID', 'channelId'],
        ].map(([destination, source]) => ({
          destinationXdmPath: `${ns}.${destination}`,
          sourceAttribute: source,
          identity: false,
          version: 0,
        })),
      ],
    }),
    'mapping set',
  ).id;
  const flowId = ok(
    await call<IdEtag>('POST', '/flowservice/flows', {
      name: `${title} dataflow`,
      description: 'Chatlio dataflow, made by hand',
      flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [sourceConnectionId],
      targetConnectionIds: [targetConnectionId],
      transformations: [{ name: 'Mapping', params: { mappingId: mappingSetId, mappingVersion: 0 } }],
    }),
    'flow',
  ).id;
  const flow = ok(await call<FlowList<FlowBody>>('GET', `/flowservice/flows/${flowId}`), 'GET flow')
    .items[0]!;
  const inletUrl = flow.options.inletUrl!;
  return {
    fieldGroupId: fg['meta:altId'],
    schemaId: schema.$id,
    schemaAltId: schema['meta:altId'],
    datasetId,
    baseConnectionId,
    sourceConnectionId,
    targetConnectionId,
    mappingSetId,
    flowId,
    inletUrl,
    webhookUrl: `${inletUrl}?x-adobe-flow-id=${flowId}`,
  };
}

/** Posts a body to a webhook URL exactly as Chatlio does (JSON, no headers beyond the content type). */
export async function postWebhook(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Visibility (list queries) lags writes a little: polls `check` until it passes. */
export async function eventually<T>(
  fn: () => Promise<T>,
  check: (t: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The innermost cause of an error chain (WorkflowFailedError -> ActivityFailure -> ApplicationFailure). */
export function innermost(err: unknown): Error & { type?: string; details?: unknown[] } {
  let e = err as Error & { cause?: unknown };
  while (e.cause instanceof Error) e = e.cause;
  return e;
}

/** Resources of one sandbox as `collection -> ids`, to compare before/after. */
export function idsOf(resources: Record<string, unknown[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(resources).map(([k, v]) => [
      k,
      (v as Array<{ id?: string; $id?: string }>).map((e) => e.id ?? e.$id ?? '').sort(),
    ]),
  );
}
