import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import { newConversation } from '../../src/shared/presets/chatlio-samples';
import type {
  MappingBody,
  MappingSetBody,
  MappingSetCreatedBody,
  MappingSetListBody,
  MappingValidationBody,
  PlatformErrorBody,
} from '../support/aep-bodies';
import { CONVERSION, createSchemaChain, startPlatform, type Platform } from './schemaregistry-fixtures';

/** The French tutorial's hybrid (form C) body, with its `_extconndev` namespace and schema id adapted. */
function tutorialBody(schemaId: string, tenantId: string): unknown {
  const legacy = (destinationXdmPath: string, sourceAttribute: string) => ({
    destinationXdmPath: destinationXdmPath.replace('_extconndev', `_${tenantId}`),
    sourceAttribute,
    identity: false,
    version: 0,
  });
  return {
    outputSchema: {
      schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
    },
    mappings: [
      legacy('_extconndev.slackchannel_ID', 'slackChannelId'),
      legacy('_extconndev.slackchannel_name', 'slackChannelName'),
      legacy('_extconndev.UUID', 'visitor.UUID'),
      legacy('_extconndev.chatlio_email', 'visitor.email'),
      legacy('_extconndev.message', 'message'),
      legacy('_extconndev.channel_ID', 'channelId'),
    ],
  };
}

describe('Data Prep mapping sets', () => {
  let p: Platform;
  let schemaId: string;
  let schemaAltId: string;
  let t: string;
  let clock = 1_700_000_000_000;
  before(async () => {
    p = await startPlatform({ now: () => (clock += 1000) });
    t = p.tenantId;
    ({ schemaId, schemaAltId } = await createSchemaChain(p));
  });
  after(() => p.close());

  it("accepts the tutorial's hybrid body (form C) and echoes both spellings", async () => {
    const res = await p.call<MappingSetCreatedBody>(
      'POST',
      `${CONVERSION}/mappingSets`,
      tutorialBody(schemaId, t),
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.id, /^[0-9a-f]{32}$/);
    assert.equal(res.body.version, 0);
    assert.equal(res.body.createdDate, res.body.modifiedDate);
    assert.equal(typeof res.body.createdBy, 'string');
    assert.deepEqual(Object.keys(res.body).sort(), [
      'createdBy',
      'createdDate',
      'id',
      'modifiedBy',
      'modifiedDate',
      'version',
    ]);

    const got = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${res.body.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.outputSchema.schemaRef.id, schemaId);
    assert.equal(got.body.xdmSchema, schemaId);
    assert.equal(got.body.mappings.length, 6);
    const uuid = got.body.mappings.find((m) => m.destination === `_${t}.UUID`)!;
    assert.equal(uuid.source, 'visitor.UUID');
    assert.equal(uuid.sourceAttribute, 'visitor.UUID');
    assert.equal(uuid.destinationXdmPath, `_${t}.UUID`);
    assert.equal(uuid.sourceType, 'text/x.schema-path');
    assert.equal(uuid.identity, false);
    assert.match(uuid.id, /^[0-9a-f]{32}$/);
    const one = await p.call<MappingBody>(
      'GET',
      `${CONVERSION}/mappingSets/${res.body.id}/mappings/${uuid.id}`,
    );
    assert.equal(one.body.destination, `_${t}.UUID`);
  });

  it('answers GET and PUT as data-prep.yaml types them: no null inputSchema/description, an integer schema version', async () => {
    const created = await p.call<MappingSetCreatedBody>('POST', `${CONVERSION}/mappingSets`, {
      name: 'typed answers',
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` }],
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const url = `${CONVERSION}/mappingSets/${created.body.id}`;
    const got = await p.call<Record<string, unknown>>('GET', url);
    const put = await p.call<Record<string, unknown>>('PUT', url, {
      name: 'typed answers',
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` }],
    });
    for (const [what, res] of [
      ['GET', got],
      ['PUT', put],
    ] as const) {
      assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`);
      assert.ok(!('inputSchema' in res.body), `${what}: inputSchema is an object in the spec, not null`);
      const outputSchema = res.body.outputSchema as { version: unknown };
      assert.equal(outputSchema.version, 1, `${what}: SchemaRepresentation.version is an integer`);
      assert.equal(res.body.xdmVersion, '1');
      for (const m of res.body.mappings as Array<Record<string, unknown>>)
        assert.ok(
          !('description' in m) || typeof m.description === 'string',
          `${what}: description ${String(m.description)}`,
        );
    }
  });

  it('requires limit and start on the list, as data-prep.yaml does', async () => {
    for (const q of ['', '?limit=10', '?start=0']) {
      const res = await p.call('GET', `${CONVERSION}/mappingSets${q}`);
      assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await p.call('GET', `${CONVERSION}/mappingSets?limit=10&start=0`)).status, 200);
  });

  it('accepts form A with expressions and form B (xdmSchema), also on the /data/foundation alias', async () => {
    const a = await p.call<MappingSetCreatedBody>('POST', `${CONVERSION}/mappingSets`, {
      name: 'form A',
      outputSchema: { schemaRef: { id: schemaAltId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
        { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` },
        { sourceType: 'STATIC', source: 'chatlio', destination: 'producedBy' },
      ],
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const gotA = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${a.body.id}`);
    assert.equal(gotA.body.outputSchema.schemaRef.id, schemaId, 'altId is stored as the $id');
    assert.equal(gotA.body.name, 'form A');
    assert.deepEqual(
      gotA.body.mappings.map((m) => m.sourceType),
      ['text/x.aep-xl', 'text/x.aep-xl', 'text/x.schema-path', 'STATIC'],
    );

    const b = await p.call<MappingSetCreatedBody>('POST', '/data/foundation/mappingSets', {
      version: 0,
      xdmSchema: schemaId,
      xdmVersion: '1.0',
      mappings: [
        {
          sourceAttribute: 'visitor.email',
          destinationXdmPath: `_${t}.chatlio_email`,
          identity: false,
          version: 0,
        },
      ],
    });
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const gotB = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${b.body.id}`);
    assert.equal(gotB.body.mappings[0]!.destination, `_${t}.chatlio_email`);
    assert.equal(
      gotB.body.outputSchema.schemaRef.contentType,
      'application/vnd.adobe.xed-full+json;version=1.0',
    );
  });

  it('refuses destinations missing from the schema, unknown schemas and malformed bodies', async () => {
    const badPaths = await p.call<PlatformErrorBody>('POST', `${CONVERSION}/mappingSets`, {
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'message', destination: '_extconndev.message' },
        { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` },
        { sourceType: 'ATTRIBUTE', source: 'x', destination: `_${t}.nope` },
      ],
    });
    assert.equal(badPaths.status, 400);
    assert.equal(badPaths.body.type, 'https://ns.adobe.com/aep/errors/DATAPREP-1004-400');
    assert.match(badPaths.body.errorMessage, /_extconndev\.message, _\w+\.nope$/);

    const noSchema = await p.call<PlatformErrorBody>('POST', `${CONVERSION}/mappingSets`, {
      outputSchema: { schemaRef: { id: `https://ns.adobe.com/${t}/schemas/ffff` } },
      mappings: [],
    });
    assert.equal(noSchema.status, 400);
    assert.equal(noSchema.body.type, 'https://ns.adobe.com/aep/errors/DATAPREP-1003-400');

    const malformed = await p.call<PlatformErrorBody>('POST', `${CONVERSION}/mappingSets`, {
      outputSchema: { schemaRef: { id: schemaId } },
      mappings: [{ sourceType: 'EXPRESSION', source: 'concat(', destination: '_id' }],
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.type, 'https://ns.adobe.com/aep/errors/DATAPREP-1002-400');
  });

  it('PUT increments the version and keeps older versions readable', async () => {
    const created = await p.call<MappingSetCreatedBody>(
      'POST',
      `${CONVERSION}/mappingSets`,
      tutorialBody(schemaId, t),
    );
    const id = created.body.id;
    const put = await p.call<MappingSetBody>('PUT', `${CONVERSION}/mappingSets/${id}`, {
      outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` }],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.version, 1);
    assert.equal(put.body.mappings.length, 1);
    assert.ok(put.body.modifiedDate > put.body.createdDate);
    const put2 = await p.call<MappingSetBody>('PUT', `${CONVERSION}/mappingSets/${id}`, put.body);
    assert.equal(put2.status, 200, 'a GET/PUT round trip is accepted');
    assert.equal(put2.body.version, 2);
    assert.equal((await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${id}`)).body.version, 2);
    const v0 = await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${id}?version=0`);
    assert.equal(v0.body.version, 0);
    assert.equal(v0.body.mappings.length, 6);
    assert.equal(
      (await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${id}?version=1`)).body.mappings.length,
      1,
    );
    const v9 = await p.call<PlatformErrorBody>('GET', `${CONVERSION}/mappingSets/${id}?version=9`);
    assert.equal(v9.status, 404);
    assert.equal(v9.body.type, 'https://ns.adobe.com/aep/errors/DATAPREP-1010-404');
    const badPut = await p.call('PUT', `${CONVERSION}/mappingSets/${id}`, {
      outputSchema: { schemaRef: { id: schemaId } },
      mappings: [{ source: 'a', destination: `_${t}.missing` }],
    });
    assert.equal(badPut.status, 400);
    assert.equal((await p.call<MappingSetBody>('GET', `${CONVERSION}/mappingSets/${id}`)).body.version, 2);
  });

  it('lists by name with limit/start/orderBy', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await p.call<MappingSetCreatedBody>('POST', `${CONVERSION}/mappingSets`, {
        name: 'listed',
        outputSchema: { schemaRef: { id: schemaId } },
        mappings: [{ source: 'message', destination: `_${t}.message` }],
      });
      ids.push(res.body.id);
    }
    const page = await p.call<MappingSetListBody>(
      'GET',
      `${CONVERSION}/mappingSets?name=listed&limit=2&start=0&orderBy=-createdDate`,
    );
    assert.equal(page.status, 200);
    assert.deepEqual(page.body._page, { count: 3, limit: 2 });
    assert.deepEqual(
      page.body.data.map((d) => d.id),
      [ids[2], ids[1]],
    );
    const rest = await p.call<MappingSetListBody>(
      'GET',
      `${CONVERSION}/mappingSets?name=listed&limit=2&start=2&orderBy=-createdDate`,
    );
    assert.deepEqual(
      rest.body.data.map((d) => d.id),
      [ids[0]],
    );
    assert.equal((await p.call('GET', `${CONVERSION}/mappingSets?orderBy=name`)).status, 400);
    assert.equal((await p.call('GET', `${CONVERSION}/mappingSets?limit=x`)).status, 400);
  });

  it('deletes (204, then 404)', async () => {
    const created = await p.call<MappingSetCreatedBody>(
      'POST',
      `${CONVERSION}/mappingSets`,
      tutorialBody(schemaId, t),
    );
    const del = await p.call('DELETE', `${CONVERSION}/mappingSets/${created.body.id}`);
    assert.equal(del.status, 204);
    assert.equal((await p.call('GET', `${CONVERSION}/mappingSets/${created.body.id}`)).status, 404);
    assert.equal((await p.call('DELETE', `${CONVERSION}/mappingSets/${created.body.id}`)).status, 404);
  });

  it('validates against inline schemas: the output one for a schema not created yet, the input one for sources', async () => {
    const call = (body: unknown) =>
      p.call<MappingValidationBody>('POST', `${CONVERSION}/mappingSets/validate`, body);
    const outputSchema = {
      jsonSchema: {
        type: 'object',
        properties: { [`_${t}`]: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    };
    const inputSchema = { jsonSchema: { type: 'object', properties: { x: { type: 'string' } } } };
    const r = await call({
      outputSchema,
      inputSchema,
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'x', destination: `_${t}.a` },
        { sourceType: 'ATTRIBUTE', source: 'y', destination: `_${t}.a` },
        { sourceType: 'ATTRIBUTE', source: 'x', destination: `_${t}.b` },
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: `_${t}.a` },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.validationResponse.map((v) => [v.status, v.errors?.map((e) => e.code) ?? null]),
      [
        ['SUCCESS', null],
        ['FAILED', ['DATAPREP-1005-400']],
        ['FAILED', ['DATAPREP-1004-400']],
        ['SUCCESS', null],
      ],
    );
    // Without an input schema, sources are not judged (as before); a schemaRef still wins over jsonSchema.
    const noInput = await call({
      outputSchema,
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'y', destination: `_${t}.a` }],
    });
    assert.equal(noInput.body.validationResponse[0]!.status, 'SUCCESS');
    const byRef = await call({
      outputSchema: { ...outputSchema, schemaRef: { id: schemaId } },
      mappings: [{ sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` }],
    });
    assert.equal(byRef.body.validationResponse[0]!.status, 'SUCCESS');
  });

  it('validates per mapping and previews mapped records', async () => {
    const validate = await p.call<MappingValidationBody>('POST', `${CONVERSION}/mappingSets/validate`, {
      outputSchema: { schemaRef: { id: schemaId } },
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.message` },
        { sourceType: 'ATTRIBUTE', source: 'message', destination: `_${t}.unknown` },
        { sourceType: 'EXPRESSION', source: 'upper(', destination: `_${t}.message` },
      ],
    });
    assert.equal(validate.status, 200);
    const v = validate.body.validationResponse;
    assert.deepEqual(v[0], { status: 'SUCCESS', errors: null });
    assert.equal(v[1]!.status, 'FAILED');
    assert.match(v[1]!.errors![0]!.message, /unknown/);
    assert.equal(v[2]!.status, 'FAILED');

    const preview = await p.call('POST', `${CONVERSION}/mappingSets/preview`, {
      data: [newConversation, { message: 'only a message' }],
      mappingSet: {
        outputSchema: { schemaRef: { id: schemaId } },
        mappings: [
          { sourceType: 'ATTRIBUTE', source: 'visitor.UUID', destination: `_${t}.UUID` },
          { sourceType: 'EXPRESSION', source: 'upper(message)', destination: `_${t}.message` },
          { sourceType: 'STATIC', source: '4', destination: `_${t}.rating` },
        ],
      },
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(preview.body, [
      {
        data: {
          [`_${t}`]: {
            UUID: newConversation.visitor.UUID,
            message: newConversation.message.toUpperCase(),
            rating: 4,
          },
        },
        errors: null,
      },
      { data: { [`_${t}`]: { message: 'ONLY A MESSAGE', rating: 4 } }, errors: null },
    ]);
  });
});
