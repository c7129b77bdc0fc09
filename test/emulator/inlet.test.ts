import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { chatlioSamples } from '../../src/shared/presets/chatlio-samples';
import type {
  FlowBody,
  FlowList,
  InletErrorBody,
  IdEtag,
  MappingSetCreatedBody,
  RunBody,
  XdmRecord,
} from '../support/aep-bodies';
import {
  CONVERSION,
  FLOWS,
  createDataset,
  createSchemaChain,
  startPlatform,
  type Platform,
} from './schemaregistry-fixtures';

interface Flow {
  flowId: string;
  webhook: string;
  inletId: string;
}

describe('streaming inlet', () => {
  let p: Platform;
  let schemaId: string;
  let dataSetId: string;
  let t: string;
  let main: Flow;

  async function createFlow(mappings: unknown[], name: string): Promise<Flow> {
    const ms = await p.call<MappingSetCreatedBody>('POST', `${CONVERSION}/mappingSets`, {
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings,
    });
    assert.equal(ms.status, 200, JSON.stringify(ms.body));
    const source = await p.call<IdEtag>('POST', `${FLOWS}/sourceConnections`, {
      name: `${name} source`,
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    const target = await p.call<IdEtag>('POST', `${FLOWS}/targetConnections`, {
      name: `${name} target`,
      connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json', schema: { id: schemaId, version: XED_FULL_CONTENT_TYPE } },
      params: { dataSetId },
    });
    assert.equal(target.status, 201, JSON.stringify(target.body));
    const flow = await p.call<IdEtag>('POST', `${FLOWS}/flows`, {
      name,
      flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [source.body.id],
      targetConnectionIds: [target.body.id],
      transformations: [{ name: 'Mapping', params: { mappingId: ms.body.id, mappingVersion: 0 } }],
    });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const got = await p.call<FlowList<FlowBody>>('GET', `${FLOWS}/flows/${flow.body.id}`);
    const inletUrl: string = got.body.items[0]!.options.inletUrl!;
    return {
      flowId: flow.body.id,
      webhook: `${inletUrl}?x-adobe-flow-id=${flow.body.id}`,
      inletId: inletUrl.split('/').pop()!,
    };
  }

  /** What Chatlio does: a bare POST of its JSON, no Platform headers. */
  const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  async function records(): Promise<XdmRecord[]> {
    const state = await p.emu.control.state();
    const prod = state.tenants.find((x) => x.org === p.emu.options.orgId && x.sandbox === 'prod');
    return (prod?.records[dataSetId] ?? []) as XdmRecord[];
  }

  async function run(flowId: string) {
    const res = await p.call<FlowList<RunBody>>('GET', `${FLOWS}/runs?property=flowId==${flowId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    return res.body.items[0]!.metrics;
  }

  before(async () => {
    p = await startPlatform();
    t = p.tenantId;
    ({ schemaId } = await createSchemaChain(p));
    dataSetId = await createDataset(p, schemaId);
    const attr = (source: string, field: string) => ({
      sourceType: 'ATTRIBUTE',
      source,
      destination: `_${t}.${field}`,
    });
    main = await createFlow(
      [
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
        attr('message', 'message'),
        attr('visitor.UUID', 'UUID'),
        attr('visitor.email', 'chatlio_email'),
        attr('slackChannelId', 'slackchannel_ID'),
        attr('conversationUUID', 'conversationUUID'),
        attr('agentName', 'agentName'),
        attr('rating', 'rating'),
        attr('comment', 'comment'),
      ],
      'Chatlio main',
    );
  });
  after(() => p.close());

  it('turns each Chatlio sample into a mapped record and counts it in the run', async () => {
    for (const [name, sample] of Object.entries(chatlioSamples)) {
      const res = await post(main.webhook, JSON.stringify(sample));
      assert.equal(res.status, 200, name);
      const body = (await res.json()) as { inletID: string; xactionId: string; receivedTimeMs: number };
      assert.equal(body.inletID, main.inletId);
      assert.match(body.xactionId, /^\d+:\d+:\d+$/);
      assert.equal(typeof body.receivedTimeMs, 'number');
    }
    const rows = await records();
    assert.equal(rows.length, 5);
    const [conversation, offline, transcript, unanswered, feedback] = rows;
    for (const row of rows) {
      assert.match(row._id, /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(row.timestamp)));
    }
    assert.deepEqual(conversation![`_${t}`], {
      message: chatlioSamples.newConversation.message,
      UUID: chatlioSamples.newConversation.visitor.UUID,
      chatlio_email: chatlioSamples.newConversation.visitor.email,
      slackchannel_ID: chatlioSamples.newConversation.slackChannelId,
      conversationUUID: chatlioSamples.newConversation.conversationUUID,
    });
    assert.equal(offline![`_${t}`]!.UUID, chatlioSamples.offlineMessage.visitor.UUID);
    assert.equal(transcript![`_${t}`]!.agentName, chatlioSamples.transcript.agentName);
    assert.equal(transcript![`_${t}`]!.message, undefined);
    assert.equal(unanswered![`_${t}`]!.UUID, chatlioSamples.unansweredVisitor.visitor.UUID);
    assert.equal(feedback![`_${t}`]!.rating, 5);
    assert.equal(feedback![`_${t}`]!.comment, chatlioSamples.feedback.comment);

    const metrics = await run(main.flowId);
    assert.deepEqual(metrics.recordSummary, {
      inputRecordCount: 5,
      outputRecordCount: 5,
      failedRecordCount: 0,
    });
    assert.equal(metrics.statusSummary.status, 'success');
  });

  it('accepts the flow id as a header too', async () => {
    const before = (await records()).length;
    const res = await post(main.webhook.split('?')[0]!, JSON.stringify(chatlioSamples.newConversation), {
      'x-adobe-flow-id': main.flowId,
    });
    assert.equal(res.status, 200);
    assert.equal((await records()).length, before + 1);
  });

  it('counts a record missing a required field as failed; syncValidation reports it', async () => {
    const noId = await createFlow(
      [{ sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` }],
      'Chatlio without _id',
    );
    const before = (await records()).length;
    const res = await post(noId.webhook, JSON.stringify(chatlioSamples.newConversation));
    assert.equal(res.status, 200, 'validation is asynchronous on AEP: the sender still gets 200');
    assert.equal((await records()).length, before);
    let metrics = await run(noId.flowId);
    assert.deepEqual(metrics.recordSummary, {
      inputRecordCount: 1,
      outputRecordCount: 0,
      failedRecordCount: 1,
    });
    assert.equal(metrics.statusSummary.status, 'failed');
    assert.match(metrics.statusSummary.errors[0]!.message, /_id: required field is missing/);

    const sync = await post(`${noId.webhook}&syncValidation=true`, JSON.stringify(chatlioSamples.feedback));
    assert.equal(sync.status, 400);
    const body = (await sync.json()) as { title: string; status: number; report: { message: string } };
    assert.equal(body.title, 'Invalid XDM Message Format');
    assert.equal(body.status, 400);
    assert.match(body.report.message, /timestamp: required field is missing/);
    metrics = await run(noId.flowId);
    assert.equal(metrics.recordSummary.failedRecordCount, 2);
  });

  it('rejects a record whose mapped value has the wrong type', async () => {
    const before = (await records()).length;
    const res = await post(main.webhook, JSON.stringify({ ...chatlioSamples.feedback, rating: 'excellent' }));
    assert.equal(res.status, 200);
    assert.equal((await records()).length, before);
    const metrics = await run(main.flowId);
    assert.ok(metrics.recordSummary.failedRecordCount >= 1);
    assert.ok(
      metrics.statusSummary.errors.some((e: { message: string }) =>
        /rating: expected integer/.test(e.message),
      ),
    );
  });

  it('answers 413 above 1 MB', async () => {
    const big = JSON.stringify({ ...chatlioSamples.newConversation, message: 'x'.repeat(1024 * 1024) });
    const res = await post(main.webhook, big);
    assert.equal(res.status, 413);
  });

  it('answers 400 "Invalid XDM Message Format" on invalid JSON', async () => {
    const res = await post(main.webhook, '{"visitor": ');
    assert.equal(res.status, 400);
    const body = (await res.json()) as { type: string; title: string; report: { message: string } };
    assert.equal(body.type, 'http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet');
    assert.equal(body.title, 'Invalid XDM Message Format');
    assert.match(body.report.message, new RegExp(main.inletId));
  });

  it('answers 404 for an unknown inlet and 400 for a missing or foreign flow id', async () => {
    const origin = new URL(main.webhook).origin;
    const unknown = await post(`${origin}/collection/${'0'.repeat(64)}?x-adobe-flow-id=${main.flowId}`, '{}');
    assert.equal(unknown.status, 404);
    const body = (await unknown.json()) as { type: string; status: number };
    assert.equal(body.type, 'http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet');
    assert.equal(body.status, 404);
    assert.equal((await post(main.webhook.split('?')[0]!, '{}')).status, 400);
    const foreign = await post(`${main.webhook.split('?')[0]!}?x-adobe-flow-id=not-this-flow`, '{}');
    assert.equal(foreign.status, 400);
  });

  it('refuses an XDM envelope that breaks the spec (issue #12), naming the fields; raw events pass', async () => {
    const res = await post(main.webhook, JSON.stringify({ header: 'not an object', body: { xdmMeta: {} } }));
    assert.equal(res.status, 400);
    const body = (await res.json()) as InletErrorBody;
    assert.equal(body.title, 'Invalid XDM Message Format');
    assert.match(body.report.message, /does not conform to streaming-ingestion/);
    assert.match(body.report.message, /\/header must be object/);
    assert.match(body.report.message, /\/body must have required property 'xdmEntity'/);
  });

  it('refuses data for a disabled flow', async () => {
    const flow = await p.call<FlowList<FlowBody>>('GET', `${FLOWS}/flows/${main.flowId}`);
    const disable = await p.call('POST', `${FLOWS}/flows/${main.flowId}/action?op=disable`, undefined, {
      'if-match': flow.body.items[0]!.etag,
    });
    assert.equal(disable.status, 200, JSON.stringify(disable.body));
    const res = await post(main.webhook, JSON.stringify(chatlioSamples.newConversation));
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { report: { message: string } }).report.message, /disabled/);
  });
});
