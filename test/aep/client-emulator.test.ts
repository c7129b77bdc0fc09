// The typed client against the real emulator over loopback: the whole Chatlio tutorial chain, token renewal after
// the emulator expires every token, and each error kind produced by the emulator's fault injection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AepAuthenticationError,
  AepConflictError,
  AepError,
  AepNetworkError,
  AepNotFoundError,
  AepPayloadTooLargeError,
  AepPermissionError,
  AepPreconditionFailedError,
  AepRateLimitError,
  AepResponseFormatError,
  AepServerError,
  AepValidationError,
  DEFAULT_SCOPES,
  ImsError,
  createAepClient,
  mappingSetUpdateBody,
  webhookUrl,
  type AepClient,
  type AepConfig,
  type MappingSetCreate,
  type SchemaCreate,
} from '../../src/aep';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { newConversation } from '../../src/shared/presets/chatlio-samples';
import { startEmulator, type StartedEmulator } from '../support/emulator';
import { CapturingLogger } from '../support/aep-mock';
import { rejection } from '../support/failures';

const failure = (p: Promise<unknown>): Promise<AepError> => rejection(p, AepError);

const FIELDS = [
  'message',
  'UUID',
  'chatlio_email',
  'channel_ID',
  'slackchannel_ID',
  'slackchannel_name',
] as const;
const SOURCES: Record<(typeof FIELDS)[number], string> = {
  message: 'message',
  UUID: 'visitor.UUID',
  chatlio_email: 'visitor.email',
  channel_ID: 'channelId',
  slackchannel_ID: 'slackChannelId',
  slackchannel_name: 'slackChannelName',
};

void describe('AEP client against the emulator', () => {
  let emu: StartedEmulator;
  let client: AepClient;
  let config: AepConfig;
  const logger = new CapturingLogger();

  before(async () => {
    emu = await startEmulator();
    config = {
      platformUrl: emu.url,
      imsUrl: emu.url,
      clientId: emu.options.clientId,
      clientSecret: emu.options.clientSecret,
      orgId: emu.options.orgId,
      sandbox: 'prod',
      scopes: DEFAULT_SCOPES,
      requestTimeoutMs: 5000,
      connectTimeoutMs: 2000,
    };
    client = createAepClient(config, { logger });
  });
  after(async () => {
    await client.close();
    await emu.close();
  });

  void describe('the tutorial chain', () => {
    const ids: Record<string, string> = {};
    let tenant = '';
    let flowEtag = '';
    let inletUrl = '';

    void it('tenant id from /stats', async () => {
      const stats = await client.schemaRegistry.getStats();
      assert.equal(stats.tenantId, emu.options.tenantId);
      tenant = stats.tenantId;
    });

    void it('field group: create, find by title, lookup', async () => {
      const fg = await client.schemaRegistry.createFieldGroup({
        type: 'object',
        title: 'Client test Chatlio fields',
        description: 'Chatlio webhook fields',
        'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
        definitions: {
          chatlio: {
            properties: {
              [`_${tenant}`]: {
                type: 'object',
                properties: Object.fromEntries(FIELDS.map((f) => [f, { type: 'string', title: f }])),
              },
            },
          },
        },
        allOf: [{ $ref: '#/definitions/chatlio' }],
      });
      assert.match(fg.$id, new RegExp(`^https://ns\\.adobe\\.com/${tenant}/mixins/`));
      assert.match(fg['meta:altId'], new RegExp(`^_${tenant}\\.mixins\\.`));
      const found = await client.schemaRegistry.findFieldGroupsByTitle('Client test Chatlio fields');
      assert.deepEqual(
        found.map((r) => r['meta:altId']),
        [fg['meta:altId']],
      );
      assert.equal((await client.schemaRegistry.getFieldGroup(fg['meta:altId'])).$id, fg.$id);
      ids.fieldGroup = fg.$id;
      ids.fieldGroupAlt = fg['meta:altId'];
    });

    void it('schema: create, find, lookup by $id and altId; a duplicate title is XDM-1521', async () => {
      const body: SchemaCreate = {
        type: 'object',
        title: 'Client test Chatlio events',
        description: 'Chatlio events',
        allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: ids.fieldGroup! }],
      };
      const schema = await client.schemaRegistry.createSchema(body);
      assert.equal(schema.version, '1.0');
      assert.equal(schema.title, 'Client test Chatlio events');
      const found = await client.schemaRegistry.findSchemasByTitle('Client test Chatlio events');
      assert.deepEqual(
        found.map((r) => r.$id),
        [schema.$id],
      );
      assert.equal((await client.schemaRegistry.getSchema(schema.$id))['meta:altId'], schema['meta:altId']);
      assert.equal((await client.schemaRegistry.getSchema(schema['meta:altId'])).$id, schema.$id);
      const dup = await failure(client.schemaRegistry.createSchema(body));
      assert.ok(dup instanceof AepValidationError);
      assert.equal(dup.code, 'XDM-1521-400');
      assert.equal(dup.retryable, false);
      ids.schema = schema.$id;
      ids.schemaAlt = schema['meta:altId'];
    });

    void it('dataset: create, get, find by name', async () => {
      const { id } = await client.catalog.createDataset({
        name: 'Client test Chatlio dataset',
        schemaRef: { id: ids.schema!, contentType: XED_FULL_CONTENT_TYPE },
      });
      const ds = await client.catalog.getDataset(id);
      assert.equal(ds.id, id);
      assert.equal(ds.schemaRef?.id, ids.schema);
      const found = await client.catalog.findDatasetsByName('Client test Chatlio dataset');
      assert.deepEqual(
        found.map((d) => d.id),
        [id],
      );
      ids.dataset = id;
    });

    void it('source and target connections: create, get, list by name', async () => {
      const sc = await client.flowService.create('sourceConnections', {
        name: 'Client test Chatlio source',
        providerId: STREAMING_PROVIDER_ID,
        connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
        data: { format: 'json' },
      });
      assert.match(sc.etag, /^".+"$/);
      const tc = await client.flowService.create('targetConnections', {
        name: 'Client test Chatlio target',
        connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
        data: { format: 'json', schema: { id: ids.schema!, version: XED_FULL_CONTENT_TYPE } },
        params: { dataSetId: ids.dataset! },
      });
      const source = await client.flowService.get('sourceConnections', sc.id);
      assert.equal(source.connectionSpec?.id, CHATLIO_CONNECTION_SPEC_ID);
      assert.equal(source.etag, sc.etag);
      const target = await client.flowService.get('targetConnections', tc.id);
      assert.equal(target.params?.dataSetId, ids.dataset);
      const listed = await client.flowService.listAll('sourceConnections', {
        property: ['name=="Client test Chatlio source"', `connectionSpec.id==${CHATLIO_CONNECTION_SPEC_ID}`],
      });
      assert.deepEqual(
        listed.map((s) => s.id),
        [sc.id],
      );
      ids.source = sc.id;
      ids.target = tc.id;
    });

    void it('mapping set: validate, create (form A, with _id/timestamp expressions), get, list by name', async () => {
      const body: MappingSetCreate = {
        name: 'Client test Chatlio mapping',
        outputSchema: { schemaRef: { id: ids.schema!, contentType: XED_FULL_CONTENT_TYPE } },
        mappings: [
          { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
          { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
          ...FIELDS.map((f) => ({
            sourceType: 'ATTRIBUTE' as const,
            source: SOURCES[f],
            destination: `_${tenant}.${f}`,
          })),
        ],
      };
      const validation = await client.dataPrep.validateMappingSet(body);
      assert.equal(validation.validationResponse.length, body.mappings.length);
      const created = await client.dataPrep.createMappingSet(body);
      assert.equal(created.version, 0);
      const set = await client.dataPrep.getMappingSet(created.id);
      assert.equal(set.mappings.length, body.mappings.length);
      assert.ok(set.mappings.some((m) => m.destination === `_${tenant}.message`));
      const listed = await client.dataPrep.listMappingSets({ name: body.name, limit: 10, start: 0 });
      assert.deepEqual(
        listed.map((m) => m.id),
        [created.id],
      );
      ids.mapping = created.id;
    });

    void it('flow: create, get with its inlet URL, list by name', async () => {
      const created = await client.flowService.create('flows', {
        name: 'Client test Chatlio flow',
        flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
        sourceConnectionIds: [ids.source!],
        targetConnectionIds: [ids.target!],
        transformations: [{ name: 'Mapping', params: { mappingId: ids.mapping!, mappingVersion: '0' } }],
      });
      const flow = await client.flowService.get('flows', created.id);
      assert.equal(flow.state, 'enabled');
      assert.equal(flow.etag, created.etag);
      assert.deepEqual(flow.sourceConnectionIds, [ids.source]);
      assert.equal(flow.transformations[0]?.params?.mappingId, ids.mapping);
      const url = flow.options?.inletUrl ?? '';
      assert.ok(url.startsWith(`${emu.url}/collection/`), url);
      inletUrl = url;
      flowEtag = flow.etag;
      ids.flow = created.id;
      const listed = await client.flowService.listAll('flows', {
        property: ['name=="Client test Chatlio flow"'],
      });
      assert.deepEqual(
        listed.map((f) => f.id),
        [created.id],
      );
      assert.equal(
        (await client.flowService.getConnectionSpec(CHATLIO_CONNECTION_SPEC_ID)).id,
        CHATLIO_CONNECTION_SPEC_ID,
      );
      assert.equal(
        (await client.flowService.getFlowSpec(GENERIC_STREAMING_FLOW_SPEC_ID)).id,
        GENERIC_STREAMING_FLOW_SPEC_ID,
      );
    });

    void it('inlet: a Chatlio webhook is ingested and shows in the runs', async () => {
      assert.equal(webhookUrl(inletUrl, ids.flow!), `${inletUrl}?x-adobe-flow-id=${ids.flow}`);
      const receipt = await client.inlet.send(inletUrl, ids.flow!, newConversation, { syncValidation: true });
      assert.equal(receipt.inletId, inletUrl.split('/').pop());
      assert.ok(receipt.receivedTimeMs > 0);
      const runs = await client.flowService.listRuns(ids.flow!);
      assert.equal(runs.length, 1);
      const summary = runs[0]?.metrics?.recordSummary;
      assert.equal(summary?.inputRecordCount, 1);
      assert.equal(summary?.outputRecordCount, 1);
      assert.equal(summary?.failedRecordCount, 0);
      assert.equal((await client.flowService.getRun(runs[0]!.id)).flowId, ids.flow);
      const state = await emu.control.state();
      const rows = state.tenants.find((t) => t.sandbox === 'prod')?.records[ids.dataset!] as
        Record<string, Record<string, unknown>>[] | undefined;
      assert.equal(rows?.length, 1);
      assert.equal(rows?.[0]?.[`_${tenant}`]?.message, newConversation.message);
    });

    void it('patch with the etag; a stale etag is 412; disable/enable', async () => {
      const patched = await client.flowService.patch(
        'flows',
        ids.flow!,
        [{ op: 'replace', path: '/description', value: 'patched by the client test' }],
        flowEtag,
      );
      assert.notEqual(patched.etag, flowEtag);
      const stale = await failure(
        client.flowService.patch(
          'flows',
          ids.flow!,
          [{ op: 'replace', path: '/name', value: 'x' }],
          flowEtag,
        ),
      );
      assert.ok(stale instanceof AepPreconditionFailedError);
      // Adobe's 412 body is {"errorMessage": ...} alone: no code, the status says it all.
      assert.match(stale.message, /does not match the current version/);
      assert.ok(stale.requestId, 'request id from the emulator');
      assert.equal(
        (await client.flowService.get('flows', ids.flow!)).description,
        'patched by the client test',
      );

      const disabled = await client.flowService.flowAction(ids.flow!, 'disable', patched.etag);
      assert.equal((await client.flowService.get('flows', ids.flow!)).state, 'disabled');
      const refused = await failure(client.inlet.send(inletUrl, ids.flow!, newConversation));
      assert.ok(refused instanceof AepValidationError, refused.message);
      await client.flowService.flowAction(ids.flow!, 'enable', disabled.etag);
      assert.equal((await client.flowService.get('flows', ids.flow!)).state, 'enabled');
    });

    void it('mapping set PUT bumps the version', async () => {
      const current = await client.dataPrep.getMappingSet(ids.mapping!);
      const updated = await client.dataPrep.updateMappingSet(
        ids.mapping!,
        mappingSetUpdateBody({
          name: current.name,
          schemaId: current.outputSchema!.schemaRef!.id,
          contentType: current.outputSchema?.schemaRef?.contentType,
          mappings: current.mappings.map((m) => ({
            sourceType: 'ATTRIBUTE',
            source: m.source ?? '',
            destination: m.destination ?? '',
          })),
        }),
      );
      assert.equal(updated.version, 1);
    });

    void it('another sandbox sees none of it', async () => {
      const dev = client.withSandbox('dev');
      assert.deepEqual(await dev.flowService.listAll('flows'), []);
      await assert.rejects(dev.flowService.get('flows', ids.flow!), AepNotFoundError);
    });

    void it('delete everything in reverse order; lookups then give AepNotFoundError', async () => {
      await client.flowService.delete('flows', ids.flow!);
      const gone = await failure(client.flowService.get('flows', ids.flow!));
      assert.ok(gone instanceof AepNotFoundError);
      assert.equal(gone.code, 'FLOW-1439-404');
      await client.flowService.delete('targetConnections', ids.target!);
      await client.flowService.delete('sourceConnections', ids.source!);
      await client.dataPrep.deleteMappingSet(ids.mapping!);
      await client.catalog.deleteDataset(ids.dataset!);
      await client.schemaRegistry.deleteSchema(ids.schemaAlt!);
      await client.schemaRegistry.deleteFieldGroup(ids.fieldGroupAlt!);

      await assert.rejects(client.flowService.get('sourceConnections', ids.source!), AepNotFoundError);
      await assert.rejects(client.dataPrep.getMappingSet(ids.mapping!), AepNotFoundError);
      await assert.rejects(client.catalog.getDataset(ids.dataset!), AepNotFoundError);
      await assert.rejects(client.schemaRegistry.getSchema(ids.schema!), AepNotFoundError);
      assert.deepEqual(await client.schemaRegistry.findFieldGroupsByTitle('Client test Chatlio fields'), []);
      assert.deepEqual(await client.catalog.findDatasetsByName('Client test Chatlio dataset'), []);
      const second = await failure(client.flowService.delete('flows', ids.flow!));
      assert.ok(second instanceof AepNotFoundError);
    });
  });

  void describe('token renewal', () => {
    void it('after POST /__emulator/tokens/expire: one 401, a new token, the call replayed', async () => {
      await client.schemaRegistry.getStats(); // a cached token
      await emu.control.clearCalls();
      await emu.control.expireTokens();
      assert.equal((await client.schemaRegistry.getStats()).tenantId, emu.options.tenantId);
      const calls = (await emu.control.calls()).map((c) => `${c.method} ${c.path} ${c.status}`);
      assert.deepEqual(calls, [
        'GET /data/foundation/schemaregistry/stats 401',
        'POST /ims/token/v3 200',
        'GET /data/foundation/schemaregistry/stats 200',
      ]);
    });
  });

  void describe('fault injection -> error kinds', () => {
    before(() => emu.control.clearFaults());
    const FLOWS = '^/data/foundation/flowservice/flows$';
    const listFlows = () => client.flowService.list('flows');

    const statusCases: [number, new (...a: never[]) => AepError, boolean][] = [
      [400, AepValidationError, false],
      [403, AepPermissionError, false],
      [404, AepNotFoundError, false],
      [405, AepError, false],
      [409, AepConflictError, false],
      [412, AepPreconditionFailedError, false],
      [422, AepValidationError, false],
      [500, AepServerError, true],
      [502, AepServerError, true],
      [504, AepServerError, true],
    ];
    for (const [status, Cls, retryable] of statusCases) {
      void it(`status ${status} -> ${Cls.name}`, async () => {
        await emu.control.fault({ method: 'GET', path: FLOWS, kind: 'status', status });
        const err = await failure(listFlows());
        assert.equal(err.constructor, Cls);
        assert.equal(err.status, status);
        assert.equal(err.retryable, retryable);
        assert.ok(err.requestId, 'x-request-id kept');
        assert.equal(err.path, '/data/foundation/flowservice/flows');
      });
    }

    void it('429 with Retry-After seconds -> AepRateLimitError', async () => {
      await emu.control.fault({
        method: 'GET',
        path: FLOWS,
        kind: 'status',
        status: 429,
        retryAfterSeconds: 3,
      });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepRateLimitError);
      assert.equal(err.retryAfterMs, 3000);
      assert.equal(err.retryable, true);
    });

    void it('503 with Retry-After -> AepServerError carrying the delay', async () => {
      await emu.control.fault({
        method: 'GET',
        path: FLOWS,
        kind: 'status',
        status: 503,
        retryAfterSeconds: 2,
      });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepServerError);
      assert.equal(err.retryAfterMs, 2000);
    });

    void it('an HTML 502 page -> AepServerError', async () => {
      await emu.control.fault({
        method: 'GET',
        path: FLOWS,
        kind: 'status',
        status: 502,
        rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>',
        contentType: 'text/html',
      });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepServerError);
      assert.match(err.message, /502 Bad Gateway/);
    });

    void it('truncated JSON on a 200 -> AepResponseFormatError', async () => {
      await emu.control.fault({
        method: 'GET',
        path: FLOWS,
        kind: 'status',
        status: 200,
        rawBody: '{"items":[{"id":"ab',
        contentType: 'application/json',
      });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepResponseFormatError);
      assert.equal(err.retryable, false);
    });

    void it('413 on the inlet -> AepPayloadTooLargeError', async () => {
      await emu.control.fault({ method: 'POST', path: '^/collection/', kind: 'status', status: 413 });
      const err = await failure(client.inlet.send(`${emu.url}/collection/${'0'.repeat(64)}`, 'f', { a: 1 }));
      assert.ok(err instanceof AepPayloadTooLargeError);
    });

    void it('dropped connection -> AepNetworkError', async () => {
      await emu.control.fault({ method: 'GET', path: FLOWS, kind: 'drop' });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepNetworkError);
      assert.equal(err.retryable, true);
    });

    void it('lost response after the change (commit-then-reset) -> AepNetworkError, and the change happened', async () => {
      await emu.control.fault({
        method: 'POST',
        path: '^/data/foundation/flowservice/sourceConnections$',
        kind: 'commit-then-reset',
      });
      const err = await failure(
        client.flowService.create('sourceConnections', {
          name: 'Client test lost response',
          connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
          data: { format: 'json' },
        }),
      );
      assert.ok(err instanceof AepNetworkError);
      const found = await client.flowService.listAll('sourceConnections', {
        property: ['name=="Client test lost response"'],
      });
      assert.equal(found.length, 1);
      await client.flowService.delete('sourceConnections', found[0]!.id);
    });

    void it('latency beyond the request timeout -> AepNetworkError (headers timeout)', async () => {
      const impatient = createAepClient({ ...config, requestTimeoutMs: 300 });
      try {
        await impatient.schemaRegistry.getStats(); // token first, without latency
        await emu.control.fault({ method: 'GET', path: FLOWS, kind: 'latency', latencyMs: 1500 });
        const err = await failure(impatient.flowService.list('flows'));
        assert.ok(err instanceof AepNetworkError);
        assert.equal(err.code, 'UND_ERR_HEADERS_TIMEOUT');
      } finally {
        await impatient.close();
      }
    });

    void it('401 on the call and on its replay -> AepAuthenticationError after one renewal', async () => {
      await emu.control.clearCalls();
      await emu.control.fault({ method: 'GET', path: FLOWS, kind: 'status', status: 401, count: 2 });
      const err = await failure(listFlows());
      assert.ok(err instanceof AepAuthenticationError);
      assert.equal(err.retryable, false);
      const calls = (await emu.control.calls()).map((c) => `${c.method} ${c.path} ${c.status}`);
      assert.deepEqual(calls, [
        'GET /data/foundation/flowservice/flows 401',
        'POST /ims/token/v3 200',
        'GET /data/foundation/flowservice/flows 401',
      ]);
    });

    void it('IMS 503 -> retryable ImsError; wrong secret -> final ImsError invalid_client', async () => {
      const fresh = createAepClient(config);
      const wrong = createAepClient({ ...config, clientSecret: 'not-the-emulator-secret' });
      try {
        await emu.control.fault({ method: 'POST', path: '^/ims/token/v3$', kind: 'status', status: 503 });
        const down = await failure(fresh.schemaRegistry.getStats());
        assert.ok(down instanceof ImsError);
        assert.equal(down.retryable, true);
        assert.equal(
          (await fresh.schemaRegistry.getStats()).tenantId,
          emu.options.tenantId,
          'the next call renews',
        );
        const bad = await failure(wrong.schemaRegistry.getStats());
        assert.ok(bad instanceof ImsError);
        assert.equal(bad.code, 'invalid_client');
        assert.equal(bad.retryable, false);
        assert.ok(!bad.message.includes('not-the-emulator-secret'));
      } finally {
        await fresh.close();
        await wrong.close();
      }
    });

    void it('every fault was consumed', async () => {
      assert.deepEqual(await emu.control.faults(), []);
    });
  });

  void it('no log line carries the secret or a token', () => {
    const secrets = client.ims.secrets();
    assert.ok(secrets.length >= 3, 'the secret and at least two tokens');
    assert.ok(logger.lines.length > 50);
    for (const line of logger.lines) for (const s of secrets) assert.ok(!line.includes(s), line);
  });
});
