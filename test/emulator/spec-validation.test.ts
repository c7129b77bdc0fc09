// The emulator speaks the spec (issue #12): a request that breaks the derived spec of its operation is refused 400
// in the owning service's error shape, naming the failing field; the client's own bodies (src/aep/bodies.ts) pass;
// `specValidation: false` (`--no-spec-validation`) turns it off.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  dataLakeTargetBody,
  datasetBody,
  fieldGroupBody,
  flowBody,
  mappingSetBody,
  schemaBody,
  sourceConnectionBody,
} from '../../src/aep/bodies';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  EMULATOR_DEFAULTS,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type { AllowEntry } from '../../src/emulator/core/openapi';
import type { DatasetRefs, PlatformErrorBody, XdmErrorBody } from '../support/aep-bodies';
import { fetchToken, request, spawnEmulator } from '../support/emulator';
import {
  CATALOG,
  CONVERSION,
  createSchemaChain,
  FLOWS,
  SR,
  startPlatform,
  type Answer,
  type Platform,
} from './schemaregistry-fixtures';

interface InsightsErrorBody {
  errorCode: string;
  httpStatus: number;
  title: string;
  details: string;
}

/** A §0.4 body (Flow Service, Catalog, Data Prep) with `code`, whose message names every one of `fields`. */
function assertPlatform(res: Answer, code: string, ...fields: string[]): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const b = res.body as PlatformErrorBody;
  assert.equal(b.type, `https://ns.adobe.com/aep/errors/${code}`);
  assert.equal(b.status, 400);
  assert.equal(b.title, 'Bad Request');
  assert.equal(b.errorMessage, b.report['detailed-message']);
  assert.match(b.errorMessage, /does not conform to/);
  for (const f of fields) assert.ok(b.errorMessage.includes(f), `${f} not named in: ${b.errorMessage}`);
}

function assertXdm(res: Answer, ...fields: string[]): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  const b = res.body as XdmErrorBody;
  assert.equal(b.type, 'http://ns.adobe.com/aep/errors/XDM-1001-400');
  assert.equal(b.title, 'Bad Request');
  assert.equal(typeof b.report.registryRequestId, 'string');
  assert.match(b.detail, /does not conform to schema-registry/);
  for (const f of fields) assert.ok(b.detail.includes(f), `${f} not named in: ${b.detail}`);
}

const source = () => ({
  name: 'Chatlio source',
  providerId: STREAMING_PROVIDER_ID,
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  data: { format: 'json' },
});

const fieldGroup = (tenantId: string) =>
  fieldGroupBody({
    tenantId,
    title: 'Spec validation fields',
    description: 'fields',
    schemaClass: EXPERIENCE_EVENT_CLASS,
    fieldGroup: { key: 'chat', fields: { message: { type: 'string', title: 'Message' } }, required: [] },
  });

const mappings = [{ sourceType: 'ATTRIBUTE' as const, source: 'message', destination: '_x.chat.message' }];

describe('emulator: requests are checked against the specs', () => {
  let p: Platform;
  let schemaId: string;
  before(async () => {
    p = await startPlatform();
    ({ schemaId } = await createSchemaChain(p, 'Validation'));
  });
  after(() => p.close());

  it('Flow Service: a missing required field and a wrong type are FLOW-1100-400, each field named', async () => {
    const { data: _data, ...noData } = source();
    assertPlatform(await p.call('POST', `${FLOWS}/sourceConnections`, noData), 'FLOW-1100-400', "'data'");
    assertPlatform(
      await p.call('POST', `${FLOWS}/sourceConnections`, {
        ...source(),
        connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: 1 },
        data: { format: 7 },
      }),
      'FLOW-1100-400',
      '/connectionSpec/version must be string',
      '/data/format must be string',
    );
    // The request id rides in the report, as on every Flow Service error.
    const res = await p.call<PlatformErrorBody>('POST', `${FLOWS}/sourceConnections`, noData);
    assert.equal(res.body.report['request-id'], res.headers.get('x-request-id'));
  });

  it('Schema Registry: missing meta:intendedToExtend, a title that is no string: XDM-1001-400', async () => {
    const { 'meta:intendedToExtend': _m, ...noClass } = fieldGroup(p.tenantId);
    assertXdm(await p.call('POST', `${SR}/tenant/fieldgroups`, noClass), "'meta:intendedToExtend'");
    assertXdm(
      await p.call('POST', `${SR}/tenant/fieldgroups`, { ...fieldGroup(p.tenantId), title: 42 }),
      '/title must be string',
    );
  });

  it('Catalog: a bad enum and a wrong type are CAT-1002-400', async () => {
    const res = await p.call('POST', `${CATALOG}/dataSets`, {
      ...datasetBody({ name: 'bad', schemaId }),
      fileDescription: { format: 'xml', charset: 'EBCDIC' },
      enableErrorDiagnostics: 'yes',
    });
    assertPlatform(
      res,
      'CAT-1002-400',
      '/fileDescription/format must be equal to one of the allowed values',
      '/fileDescription/charset must be equal to one of the allowed values',
      '/enableErrorDiagnostics must be boolean',
    );
  });

  it('Data Prep: a bad sourceType enum, a wrong type, a missing required query parameter: DATAPREP-1002-400', async () => {
    const body = mappingSetBody({ name: 'bad', schemaId, mappings });
    assertPlatform(
      await p.call('POST', `${CONVERSION}/mappingSets`, {
        ...body,
        allowNullValues: 'no',
        mappings: [{ ...mappings[0], sourceType: 'COLUMN' }],
      }),
      'DATAPREP-1002-400',
      '/mappings/0/sourceType must be equal to one of the allowed values ["ATTRIBUTE","EXPRESSION","STATIC"]',
      '/allowNullValues must be boolean',
    );
    assertPlatform(
      await p.call('GET', `${CONVERSION}/mappingSets?limit=10`),
      'DATAPREP-1002-400',
      'required query parameter start missing',
    );
  });

  it('Observability Insights: a missing required metric is INSGHT-1001-400', async () => {
    const res = await p.call<InsightsErrorBody>('GET', '/data/infrastructure/observability/insights/metrics');
    assert.equal(res.status, 400);
    assert.equal(res.body.errorCode, 'INSGHT-1001-400');
    assert.equal(res.body.httpStatus, 400);
    assert.match(res.body.details, /required query parameter metric missing/);
  });

  it('the client’s own bodies (src/aep/bodies.ts) pass, end to end', async () => {
    const fg = await p.call<{ $id: string }>('POST', `${SR}/tenant/fieldgroups`, fieldGroup(p.tenantId));
    assert.equal(fg.status, 201, JSON.stringify(fg.body));
    const schema = await p.call<{ $id: string }>(
      'POST',
      `${SR}/tenant/schemas`,
      schemaBody({
        title: 'Client schema',
        description: 'client',
        schemaClass: EXPERIENCE_EVENT_CLASS,
        fieldGroupIds: [fg.body.$id],
      }),
    );
    assert.equal(schema.status, 201, JSON.stringify(schema.body));
    const ds = await p.call<DatasetRefs>(
      'POST',
      `${CATALOG}/dataSets`,
      datasetBody({ name: 'Client dataset', schemaId: schema.body.$id }),
    );
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const datasetId = String(ds.body[0]).replace('@/dataSets/', '');
    const ms = await p.call<{ id: string }>(
      'POST',
      `${CONVERSION}/mappingSets`,
      mappingSetBody({
        name: 'Client mapping',
        schemaId: schema.body.$id,
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${p.tenantId}.chat.message` },
        ],
      }),
    );
    assert.equal(ms.status, 200, JSON.stringify(ms.body));
    const sc = await p.call<{ id: string }>(
      'POST',
      `${FLOWS}/sourceConnections`,
      sourceConnectionBody({
        name: 'Client source',
        providerId: STREAMING_PROVIDER_ID,
        connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
        dataFormat: 'json',
      }),
    );
    assert.equal(sc.status, 201, JSON.stringify(sc.body));
    const tc = await p.call<{ id: string }>(
      'POST',
      `${FLOWS}/targetConnections`,
      dataLakeTargetBody({ name: 'Client target', schemaId: schema.body.$id, datasetId }),
    );
    assert.equal(tc.status, 201, JSON.stringify(tc.body));
    const flow = await p.call(
      'POST',
      `${FLOWS}/flows`,
      flowBody({
        name: 'Client flow',
        flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
        sourceConnectionId: sc.body.id,
        targetConnectionId: tc.body.id,
        mappingSetId: ms.body.id,
        mappingVersion: 0,
      }),
    );
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
  });

  it('what the allowlist excuses passes: a lower-case JSON Patch op with a string value', async () => {
    const sc = await p.call<{ id: string; etag: string }>('POST', `${FLOWS}/sourceConnections`, source());
    const patched = await p.call(
      'PATCH',
      `${FLOWS}/sourceConnections/${sc.body.id}`,
      [{ op: 'replace', path: '/description', value: 'a string value' }],
      { 'if-match': sc.body.etag },
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });
});

describe('emulator: spec validation switched off', () => {
  it('specValidation: false lets through what only the spec refuses', async () => {
    const p = await startPlatform({ specValidation: false });
    try {
      const { schemaId } = await createSchemaChain(p, 'Off');
      const res = await p.call('POST', `${CATALOG}/dataSets`, {
        ...datasetBody({ name: 'lenient', schemaId }),
        fileDescription: { format: 'xml' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    } finally {
      await p.close();
    }
  });

  it('--no-spec-validation does the same for the process', async () => {
    const off = await spawnEmulator(['--port', '0', '--no-spec-validation']);
    try {
      const token = await fetchToken(off.url, EMULATOR_DEFAULTS);
      const res = await request(`${off.url}${FLOWS}/sourceConnections`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-api-key': EMULATOR_DEFAULTS.clientId,
          'x-gw-ims-org-id': EMULATOR_DEFAULTS.orgId,
          'x-sandbox-name': EMULATOR_DEFAULTS.sandboxes[0] ?? 'prod',
          'content-type': 'application/json',
        },
        // description is typed string: refused when the check is on (above, for connectionSpec.version).
        body: { ...source(), description: 5 },
      });
      assert.equal(res.status, 201, res.text);
    } finally {
      await off.stop();
    }
  });
});

describe('the one allowlist (src/shared/aep-openapi/allowlist.json)', () => {
  it('names specs and operations that exist, valid expressions, a reason and evidence', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'shared', 'aep-openapi');
    const { entries } = JSON.parse(readFileSync(path.join(dir, 'allowlist.json'), 'utf8')) as {
      entries: AllowEntry[];
    };
    assert.ok(entries.length > 10);
    for (const e of entries) {
      const what = JSON.stringify(e).slice(0, 120);
      assert.ok(e.reason.length > 20 && e.evidence.length > 10, what);
      if (e.match !== undefined) assert.doesNotThrow(() => new RegExp(e.match!), what);
      if (e.spec === '*') continue;
      const doc = JSON.parse(readFileSync(path.join(dir, `${e.spec}.json`), 'utf8')) as {
        paths: Record<string, Record<string, unknown>>;
      };
      // An operation the spec lacks is allowlisted as exactly that (no-operation); any other must exist.
      if (e.rule === 'no-operation') continue;
      for (const op of e.operation === '*' ? [] : [e.operation].flat()) {
        const [method, template] = op.split(' ') as [string, string];
        assert.ok(doc.paths[template]?.[method.toLowerCase()], `${e.spec}: ${op}`);
      }
    }
  });
});
