import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyMappings,
  getPath,
  normaliseMappingSet,
  parseExpression,
  setPath,
  type Mapping,
} from '../../src/emulator/logic/mapping';
import { newConversation, transcript } from '../../src/shared/presets/chatlio-samples';

const SCHEMA = 'https://ns.adobe.com/acme/schemas/abc';

describe('normaliseMappingSet', () => {
  it('keeps form A as is', () => {
    const r = normaliseMappingSet({
      name: 'chatlio',
      outputSchema: {
        schemaRef: { id: SCHEMA, contentType: 'application/vnd.adobe.xed-full+json;version=1' },
      },
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'message', destination: '_acme.message', name: 'msg' },
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
      ],
    });
    assert.ok(r.ok);
    assert.equal(r.value.name, 'chatlio');
    assert.deepEqual(r.value.mappings, [
      { sourceType: 'ATTRIBUTE', source: 'message', destination: '_acme.message', name: 'msg' },
      { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
    ]);
  });

  it('turns form B (xdmSchema + legacy items) into form A', () => {
    const r = normaliseMappingSet({
      version: 0,
      xdmSchema: SCHEMA,
      xdmVersion: '1.0',
      mappings: [
        { sourceAttribute: 'visitor.email', destinationXdmPath: '_acme.email', identity: false, version: 0 },
      ],
    });
    assert.ok(r.ok);
    assert.deepEqual(r.value.outputSchema.schemaRef, {
      id: SCHEMA,
      contentType: 'application/vnd.adobe.xed-full+json;version=1.0',
    });
    assert.deepEqual(r.value.mappings, [
      { sourceType: 'ATTRIBUTE', source: 'visitor.email', destination: '_acme.email', identity: false },
    ]);
  });

  it('accepts the hybrid form C and echoed `text/x.schema-path` source types', () => {
    const r = normaliseMappingSet({
      outputSchema: { schemaRef: { id: SCHEMA } },
      mappings: [
        { destinationXdmPath: '_acme.UUID', sourceAttribute: 'visitor.UUID', identity: false, version: 0 },
        { sourceType: 'text/x.schema-path', source: 'message', destination: '_acme.message' },
        { sourceType: 'static', source: 42, destination: '_acme.rating' },
      ],
    });
    assert.ok(r.ok);
    assert.equal(r.value.outputSchema.schemaRef.contentType, 'application/vnd.adobe.xed-full+json;version=1');
    assert.deepEqual(
      r.value.mappings.map((m) => [m.sourceType, m.source, m.destination]),
      [
        ['ATTRIBUTE', 'visitor.UUID', '_acme.UUID'],
        ['ATTRIBUTE', 'message', '_acme.message'],
        ['STATIC', '42', '_acme.rating'],
      ],
    );
  });

  it('lists every problem', () => {
    const r = normaliseMappingSet({
      mappings: [
        { sourceType: 'MAGIC', source: 'a', destination: 'b' },
        { source: 'a' },
        { sourceType: 'EXPRESSION', source: 'nope(1)', destination: 'x' },
        { source: 'a', destination: 'x..y' },
      ],
    });
    assert.equal(r.ok, false);
    const errors = r.ok ? [] : r.errors;
    assert.equal(errors.length, 5, errors.join('\n'));
    assert.match(errors[0]!, /outputSchema/);
    assert.match(errors[1]!, /mappings\[0\]\.sourceType/);
    assert.match(errors[2]!, /mappings\[1\] needs a destination/);
    assert.ok(errors.some((e) => /unknown function nope\(\)/.test(e)));
    assert.ok(errors.some((e) => /"x\.\.y" is not a valid path/.test(e)));
    assert.equal(normaliseMappingSet([]).ok, false);
  });
});

describe('expressions', () => {
  const run = (expr: string, source: unknown = newConversation): unknown =>
    applyMappings([{ sourceType: 'EXPRESSION', source: expr, destination: 'out' }], source, {
      now: () => Date.UTC(2024, 4, 14, 12, 0, 0),
      uuid: () => 'fixed-uuid',
    }).record.out;

  it('evaluates the function set over literals and field references', () => {
    assert.equal(run('uuid()'), 'fixed-uuid');
    assert.equal(run('now()'), '2024-05-14T12:00:00.000Z');
    assert.equal(run('concat(visitor.name, " <", visitor.email, ">")'), 'Jane Doe <jane.doe@example.com>');
    assert.equal(run('upper(slackChannelName)'), 'LIVE-CHAT');
    assert.equal(run('lower(  "ABC" )'), 'abc');
    assert.equal(run('trim("  x ")'), 'x');
    assert.equal(run('to_string(42)'), '42');
    assert.equal(run('to_string(messages[1].isVisitorMsg)', transcript), 'false');
    assert.equal(run('concat(lower("A"), 1.5, true)'), 'a1.5true');
    assert.equal(run('messages[0].username', transcript), 'Jane Doe');
    assert.equal(run("'single \\' quoted'"), "single ' quoted");
  });

  it('skips the destination when a referenced field is missing', () => {
    assert.equal(run('concat("a", visitor.nope)'), undefined);
  });

  it('rejects malformed expressions with a position', () => {
    assert.throws(() => parseExpression('concat("a"'), /expected ',' or '\)'/);
    assert.throws(() => parseExpression('uuid(1)'), /uuid\(\) takes 0 argument/);
    assert.throws(() => parseExpression('lower()'), /lower\(\) takes 1/);
    assert.throws(() => parseExpression('"open'), /unterminated string/);
    assert.throws(() => parseExpression('a b'), /trailing input at position 2/);
  });
});

describe('applyMappings', () => {
  it('maps attributes, statics and expressions into nested destinations and skips missing sources', () => {
    const mappings: Mapping[] = [
      { sourceType: 'ATTRIBUTE', source: 'visitor.UUID', destination: '_acme.visitor.UUID' },
      { sourceType: 'ATTRIBUTE', source: 'visitor.email', destination: 'identityMap.Email[0].id' },
      { sourceType: 'ATTRIBUTE', source: 'visitor.missing', destination: '_acme.none' },
      { sourceType: 'ATTRIBUTE', source: 'visitor', destination: '_acme.copy' },
      { sourceType: 'STATIC', source: 'chatlio', destination: 'producedBy' },
      { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
    ];
    const { record, errors } = applyMappings(mappings, newConversation, { uuid: () => 'id-1' });
    assert.deepEqual(errors, []);
    assert.deepEqual(record, {
      _acme: { visitor: { UUID: newConversation.visitor.UUID }, copy: newConversation.visitor },
      identityMap: { Email: [{ id: 'jane.doe@example.com' }] },
      producedBy: 'chatlio',
      _id: 'id-1',
    });
    assert.notEqual((record._acme as { copy: unknown }).copy, newConversation.visitor);
  });

  it('reports an invalid stored expression without failing the other mappings', () => {
    const { record, errors } = applyMappings(
      [
        { sourceType: 'EXPRESSION', source: 'bogus(', destination: 'a' },
        { sourceType: 'ATTRIBUTE', source: 'message', destination: 'b' },
      ],
      newConversation,
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^a: /);
    assert.deepEqual(record, { b: newConversation.message });
  });

  it('getPath / setPath handle indexes and nulls', () => {
    assert.equal(getPath({ a: [{ b: 1 }] }, 'a[0].b'), 1);
    assert.equal(getPath({ a: null }, 'a.b'), undefined);
    assert.equal(getPath({ a: null }, 'a'), undefined);
    assert.equal(getPath({ a: 0 }, 'a'), 0);
    const target: Record<string, unknown> = { a: 'scalar' };
    setPath(target, 'a.b', 1);
    setPath(target, 'l[0].m', 'x');
    assert.deepEqual(target, { a: { b: 1 }, l: [{ m: 'x' }] });
  });
});
