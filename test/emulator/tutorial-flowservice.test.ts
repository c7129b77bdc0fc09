// Replays the Chatlio Flow Service tutorial (shared/seed/chatlio-flow-service-api.fr.md) as raw HTTP with its exact
// request bodies; only the placeholders ({ACCESS_TOKEN}, {TENANT_ID}, ids from earlier steps) are filled in.
// The emulator runs with tenant `extconndev` so the tutorial's `_extconndev` mappings apply as written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EXPERIENCE_EVENT_CLASS, XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import { newConversation } from '../../src/shared/presets/chatlio-samples';
import type {
  DatasetRefs,
  FlowBody,
  FlowList,
  IdEtag,
  ImsTokenBody,
  InletReceiptBody,
  MappingSetCreatedBody,
  PlatformErrorBody,
  RunBody,
  XdmBody,
} from '../support/aep-bodies';
import { request, startEmulator, type JsonResponse, type StartedEmulator } from '../support/emulator';

const PLATFORM = '/data/foundation';
const TENANT = 'extconndev';

void describe('Chatlio Flow Service tutorial, replayed', () => {
  let emu: StartedEmulator;
  let token: string;
  // The tutorial's curl headers.
  const tutorialHeaders = (): Record<string, string> => ({
    Authorization: `Bearer ${token}`,
    'x-api-key': emu.options.clientId,
    'x-gw-ims-org-id': emu.options.orgId,
    'x-sandbox-name': 'prod',
    'Content-Type': 'application/json',
  });
  const post = <T = unknown>(
    path: string,
    body: unknown,
    headers = tutorialHeaders(),
  ): Promise<JsonResponse<T>> =>
    request<T>(`${emu.url}${PLATFORM}${path}`, { method: 'POST', headers, body });
  const ids: Record<string, string> = {};

  before(async () => {
    emu = await startEmulator({ tenantId: TENANT });
  });
  after(() => emu.close());

  void it('gets an access token (IMS)', async () => {
    const res = await request<ImsTokenBody>(`${emu.url}/ims/token/v3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emu.options.clientId,
        client_secret: emu.options.clientSecret,
        scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext',
      }).toString(),
    });
    assert.equal(res.status, 200);
    token = res.body.access_token;
  });

  void it('creates the prerequisites: field group, two schemas, a dataset', async () => {
    const fieldGroup = await post<XdmBody>('/schemaregistry/tenant/fieldgroups', {
      type: 'object',
      title: 'Chatlio fields',
      description: 'Chatlio webhook fields',
      'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
      definitions: {
        chatlio: {
          properties: {
            [`_${TENANT}`]: {
              type: 'object',
              properties: Object.fromEntries(
                [
                  'slackchannel_ID',
                  'slackchannel_name',
                  'UUID',
                  'chatlio_email',
                  'message',
                  'channel_ID',
                ].map((f) => [f, { type: 'string', title: f }]),
              ),
            },
          },
        },
      },
      allOf: [{ $ref: '#/definitions/chatlio' }],
    });
    assert.equal(fieldGroup.status, 201, fieldGroup.text);
    for (const title of ['Chatlio events', 'Other schema']) {
      const schema = await post<XdmBody>('/schemaregistry/tenant/schemas', {
        type: 'object',
        title,
        description: 'Chatlio events',
        allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: fieldGroup.body.$id }],
      });
      assert.equal(schema.status, 201, schema.text);
      ids[title] = schema.body.$id;
    }
    const dataSet = await post<DatasetRefs>('/catalog/dataSets', {
      name: 'Chatlio events dataset',
      schemaRef: { id: ids['Chatlio events'], contentType: XED_FULL_CONTENT_TYPE },
    });
    assert.equal(dataSet.status, 201, dataSet.text);
    ids['dataSet'] = dataSet.body[0]!.replace('@/dataSets/', '');
  });

  void it('POST /sourceConnections', async () => {
    const res = await post<IdEtag>('/flowservice/sourceConnections', {
      name: 'Streaming Source Connection for Chatlio.',
      providerId: '521eee4d-8cbe-4906-bb48-fb6bd4450033',
      description: 'Streaming Source Connection for Chatlio.',
      connectionSpec: { id: '073127a3-26e3-496c-9d94-9f48fb93fba8', version: '1.0' },
      data: { format: 'json' },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['etag', 'id']);
    assert.match(res.body.etag, /^".+"$/);
    ids['sourceConnection'] = res.body.id;
  });

  void it('POST /targetConnections', async () => {
    const res = await post<IdEtag>('/flowservice/targetConnections', {
      name: 'Streaming Target Connection for a Chatlio.',
      description: 'Streaming Target Connection for a Chatlio.',
      connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
      data: {
        format: 'json',
        schema: { id: ids['Chatlio events'], version: 'application/vnd.adobe.xed-full+json;version=1' },
      },
      params: { dataSetId: ids['dataSet'] },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['etag', 'id']);
    ids['targetConnection'] = res.body.id;
  });

  void it('POST /conversion/mappingSets (the tutorial body: outputSchema with legacy mapping items)', async () => {
    const mappingBody = (schemaId: string): unknown => ({
      outputSchema: {
        schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
      },
      mappings: [
        ['_extconndev.slackchannel_ID', 'slackChannelId'],
        ['_extconndev.slackchannel_name', 'slackChannelName'],
        ['_extconndev.UUID', 'visitor.UUID'],
        ['_extconndev.chatlio_email', 'visitor.email'],
        ['_extconndev.message', 'message'],
        ['_extconndev.channel_ID', 'channelId'],
      ].map(([destinationXdmPath, sourceAttribute]) => ({
        destinationXdmPath,
        sourceAttribute,
        identity: false,
        version: 0,
      })),
    });
    for (const [key, schema] of [
      ['mapping', ids['Chatlio events']],
      ['otherMapping', ids['Other schema']],
    ] as const) {
      const res = await post<MappingSetCreatedBody>('/conversion/mappingSets', mappingBody(schema ?? ''));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.version, 0);
      for (const f of ['id', 'createdDate', 'modifiedDate', 'createdBy', 'modifiedBy'])
        assert.ok(f in res.body, f);
      ids[key] = res.body.id;
    }
  });

  const flowBody = (mappingId: string): unknown => ({
    name: 'Streaming Dataflow for Chatlio',
    description: 'Streaming Dataflow for Chatlio',
    flowSpec: { id: 'e77fde5a-22a8-11ed-861d-0242ac120002', version: '1.0' },
    sourceConnectionIds: [ids['sourceConnection']],
    targetConnectionIds: [ids['targetConnection']],
    transformations: [{ name: 'Mapping', params: { mappingId, mappingVersion: 0 } }],
  });

  void it('POST /flows exactly as printed (no Authorization) is refused by the gateway', async () => {
    const headers = tutorialHeaders();
    delete headers['Authorization'];
    const res = await post('/flowservice/flows', flowBody(ids['mapping'] ?? ''), headers);
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { error_code: '403010', message: 'Oauth token is missing.' });
  });

  void it('POST /flows with a mapping set for another schema than the dataset is refused (FLOW-1425-400)', async () => {
    const res = await post<PlatformErrorBody>('/flowservice/flows', flowBody(ids['otherMapping'] ?? ''));
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1425-400');
  });

  void it('POST /flows with Authorization', async () => {
    const res = await post<IdEtag>('/flowservice/flows', flowBody(ids['mapping'] ?? ''));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['etag', 'id']);
    ids['flow'] = res.body.id;
    ids['flowEtag'] = res.body.etag;
  });

  void it('GET /flows/{FLOW_ID} answers the documented shape with the inletUrl', async () => {
    const headers = tutorialHeaders();
    delete headers['Content-Type'];
    const res = await request<FlowList<FlowBody>>(`${emu.url}${PLATFORM}/flowservice/flows/${ids['flow']}`, {
      headers,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    const flow = res.body.items[0]!;
    // Every field of the tutorial's sample response.
    for (const key of [
      'id',
      'createdAt',
      'updatedAt',
      'createdBy',
      'updatedBy',
      'createdClient',
      'updatedClient',
      'sandboxId',
      'sandboxName',
      'imsOrgId',
      'name',
      'description',
      'flowSpec',
      'state',
      'version',
      'etag',
      'sourceConnectionIds',
      'targetConnectionIds',
      'inheritedAttributes',
      'options',
      'transformations',
      'runs',
      'providerRefId',
      'lastOperation',
    ])
      assert.ok(key in flow, key);
    assert.equal(flow.state, 'enabled');
    assert.equal(flow.etag, ids['flowEtag']);
    assert.equal(flow.version, flow.etag);
    assert.equal(flow.sandboxName, 'prod');
    assert.equal(flow.imsOrgId, emu.options.orgId);
    assert.deepEqual(flow.inheritedAttributes.properties, { isSourceFlow: true });
    assert.equal(
      flow.inheritedAttributes.sourceConnections[0]!.connectionSpec.id,
      '073127a3-26e3-496c-9d94-9f48fb93fba8',
    );
    assert.equal(
      flow.inheritedAttributes.targetConnections[0]!.connectionSpec.id,
      'c604ff05-7f1a-43c0-8e18-33bf874cb11c',
    );
    assert.equal(flow.runs, `/runs?property=flowId==${ids['flow']}`);
    assert.deepEqual(flow.lastOperation.operation, 'enable');
    assert.match(flow.options.inletUrl!, /\/collection\/[0-9a-f]{64}$/);
    ids['inletUrl'] = flow.options.inletUrl!;
  });

  void it('the inletUrl takes the Chatlio webhook and the flow gets a run', async () => {
    const res = await request<InletReceiptBody>(`${ids['inletUrl']}?x-adobe-flow-id=${ids['flow']}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: newConversation,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.inletID, ids['inletUrl']?.split('/').pop());
    const runs = await request<FlowList<RunBody>>(
      `${emu.url}${PLATFORM}/flowservice/runs?property=flowId==${ids['flow']}`,
      { headers: tutorialHeaders() },
    );
    assert.equal(runs.status, 200);
    assert.equal(runs.body.items.length, 1);
    const summary = runs.body.items[0]!.metrics.recordSummary;
    assert.equal(summary.inputRecordCount, 1);
    assert.equal(summary.outputRecordCount + summary.failedRecordCount, 1);
  });

  void it('appendix: updates the flow with If-Match, then deletes it and its connections', async () => {
    const flowUrl = `${emu.url}${PLATFORM}/flowservice/flows/${ids['flow']}`;
    const patch = await request<IdEtag>(flowUrl, {
      method: 'PATCH',
      headers: { ...tutorialHeaders(), 'If-Match': ids['flowEtag'] ?? '' },
      body: [
        { op: 'replace', path: '/name', value: 'Streaming Dataflow for Chatlio (updated)' },
        { op: 'replace', path: '/description', value: 'updated' },
      ],
    });
    assert.equal(patch.status, 200, patch.text);
    assert.notEqual(patch.body.etag, ids['flowEtag']);
    const del = await request(flowUrl, { method: 'DELETE', headers: tutorialHeaders() });
    assert.equal(del.status, 204);
    const gone = await request<PlatformErrorBody>(flowUrl, { headers: tutorialHeaders() });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1439-404');
    for (const path of [
      `targetConnections/${ids['targetConnection']}`,
      `sourceConnections/${ids['sourceConnection']}`,
    ]) {
      const res = await request(`${emu.url}${PLATFORM}/flowservice/${path}`, {
        method: 'DELETE',
        headers: tutorialHeaders(),
      });
      assert.equal(res.status, 204, path);
    }
  });
});
