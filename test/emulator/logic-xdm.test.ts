import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPERIENCE_EVENT_CLASS } from '../../src/shared/aep-constants';
import {
  FIELD_GROUPS,
  SCHEMAS,
  coerceToSchema,
  fieldGroupTypeErrors,
  fieldsOutsideTenant,
  pathExists,
  resolveComposition,
  resolveSchema,
  validateRecord,
  type SchemaStore,
  type XdmResource,
} from '../../src/emulator/logic/xdm';

function fakeStore(): SchemaStore {
  const collections = new Map<string, Map<string, { id: string }>>();
  return {
    collection<T extends { id: string }>(name: string): Map<string, T> {
      if (!collections.has(name)) collections.set(name, new Map());
      return collections.get(name) as Map<string, T>;
    },
  };
}

const FG_ID = 'https://ns.adobe.com/acme/mixins/aaa111';
const FG2_ID = 'https://ns.adobe.com/acme/mixins/bbb222';
const SCHEMA_ID = 'https://ns.adobe.com/acme/schemas/ccc333';

function put(
  store: SchemaStore,
  collection: string,
  r: { $id: string; 'meta:altId': string; title: string; [k: string]: unknown },
): void {
  store.collection<XdmResource>(collection).set(r['meta:altId'], { ...r, id: r['meta:altId'] });
}

function seeded(): SchemaStore {
  const store = fakeStore();
  put(store, FIELD_GROUPS, {
    $id: FG_ID,
    'meta:altId': '_acme.mixins.aaa111',
    title: 'Chatlio fields',
    definitions: {
      chatlio: {
        properties: {
          _acme: {
            type: 'object',
            'meta:xdmType': 'object',
            properties: {
              message: { type: 'string' },
              rating: { type: 'integer' },
              sentAt: { type: 'string', format: 'date-time' },
              visitor: {
                type: 'object',
                properties: { email: { type: 'string' }, UUID: { type: 'string' } },
                required: ['UUID'],
              },
              tags: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/chatlio' }],
  });
  put(store, FIELD_GROUPS, {
    $id: FG2_ID,
    'meta:altId': '_acme.mixins.bbb222',
    title: 'More fields',
    definitions: {
      more: { properties: { _acme: { type: 'object', properties: { score: { type: 'number' } } } } },
    },
    allOf: [{ $ref: '#/definitions/more' }],
  });
  put(store, SCHEMAS, {
    $id: SCHEMA_ID,
    'meta:altId': '_acme.schemas.ccc333',
    title: 'Chatlio events',
    allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: FG_ID }, { $ref: '_acme.mixins.bbb222' }],
  });
  return store;
}

describe('resolveSchema', () => {
  it('merges the class and every field group, found by $id or altId', () => {
    const r = resolveSchema(seeded(), SCHEMA_ID);
    assert.ok(r);
    assert.equal(r.classId, EXPERIENCE_EVENT_CLASS);
    assert.equal(r.altId, '_acme.schemas.ccc333');
    assert.deepEqual(r.required, ['_id', 'timestamp']);
    const tenant = r.properties._acme;
    assert.deepEqual(Object.keys(tenant?.properties ?? {}).sort(), [
      'message',
      'rating',
      'score',
      'sentAt',
      'tags',
      'visitor',
    ]);
    assert.equal(r.properties.timestamp?.format, 'date-time');
    assert.equal(JSON.stringify(r).includes('meta:xdmType'), false);
  });

  it('finds a schema by its altId too, and answers undefined for unknown ids', () => {
    const store = seeded();
    assert.equal(resolveSchema(store, '_acme.schemas.ccc333')?.$id, SCHEMA_ID);
    assert.equal(resolveSchema(store, 'https://ns.adobe.com/acme/schemas/nope'), undefined);
  });

  it('requires exactly one known class and existing field groups', () => {
    const store = seeded();
    const none = resolveComposition(store, [{ $ref: FG_ID }]);
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.errors.join() : '', /exactly one class in allOf, found 0/);
    const two = resolveComposition(store, [
      { $ref: EXPERIENCE_EVENT_CLASS },
      { $ref: EXPERIENCE_EVENT_CLASS },
    ]);
    assert.match(!two.ok ? two.errors.join() : '', /found 2/);
    const missing = resolveComposition(store, [
      { $ref: EXPERIENCE_EVENT_CLASS },
      { $ref: 'https://ns.adobe.com/acme/mixins/gone' },
    ]);
    assert.match(!missing.ok ? missing.errors.join() : '', /mixins\/gone does not exist/);
    const ok = resolveComposition(store, [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: FG_ID }]);
    assert.deepEqual(ok.ok && ok.fieldGroupIds, [FG_ID]);
  });
});

describe('pathExists', () => {
  const r = resolveSchema(seeded(), SCHEMA_ID)!;
  it('accepts declared leaves, objects, array items and identity map entries', () => {
    for (const p of ['_id', '_acme', '_acme.visitor.UUID', '_acme.tags[0]', 'identityMap.Email[0].id'])
      assert.equal(pathExists(r, p), true, p);
  });
  it('refuses undeclared or malformed paths', () => {
    for (const p of ['_acme.nope', 'message', '_acme.message.deeper', '_acme..x', '', '_acme.rating[0]'])
      assert.equal(pathExists(r, p), false, p);
  });
});

describe('validateRecord', () => {
  const r = resolveSchema(seeded(), SCHEMA_ID)!;
  const good = {
    _id: 'abc',
    timestamp: '2024-05-14T09:12:17.839766-07:00',
    identityMap: { Email: [{ id: 'a@b.c', primary: true }] },
    _acme: { message: 'hi', rating: 4, visitor: { UUID: 'u-1' }, tags: ['x'], score: 1.5 },
  };

  it('accepts a conforming record', () => {
    assert.deepEqual(validateRecord(r, good), []);
  });

  it('reports missing required fields at any level', () => {
    const errors = validateRecord(r, { timestamp: good.timestamp, _acme: { visitor: { email: 'e' } } });
    assert.deepEqual(errors.sort(), [
      '_acme.visitor.UUID: required field is missing',
      '_id: required field is missing',
    ]);
  });

  it('reports wrong types, bad date-times and unknown fields', () => {
    const errors = validateRecord(r, {
      ...good,
      timestamp: 'yesterday',
      extra: 1,
      _acme: { ...good._acme, rating: 4.5, message: 3, tags: 'x', sentAt: '2024-13-99T99:00:00Z' },
    });
    assert.ok(
      errors.includes('timestamp: "yesterday" is not a valid date-time (RFC 3339)'),
      errors.join('\n'),
    );
    assert.ok(errors.includes('extra: unknown field (not in schema)'));
    assert.ok(errors.includes('_acme.rating: expected integer, got number'));
    assert.ok(errors.includes('_acme.message: expected string, got number'));
    assert.ok(errors.includes('_acme.tags: expected array, got string'));
    assert.ok(errors.some((e) => e.startsWith('_acme.sentAt:')));
    assert.equal(errors.length, 6);
  });

  it('treats null as absent', () => {
    assert.deepEqual(validateRecord(r, { ...good, eventType: null }), []);
    assert.deepEqual(validateRecord(r, { ...good, _id: null }), ['_id: required field is missing']);
  });
});

describe('coerceToSchema', () => {
  const r = resolveSchema(seeded(), SCHEMA_ID)!;
  it('does the lossless conversions only', () => {
    const out = coerceToSchema(r, { _id: 12, _acme: { rating: '5', message: true, score: 'x', tags: [1] } });
    assert.deepEqual(out, { _id: '12', _acme: { rating: 5, message: 'true', score: 'x', tags: ['1'] } });
    assert.deepEqual(coerceToSchema(r, { _acme: { rating: '4.5' } }), { _acme: { rating: '4.5' } });
  });
});

describe('field-group rules', () => {
  it('lists fields outside the tenant namespace', () => {
    const fg = {
      definitions: { d: { properties: { _acme: { type: 'object' }, email: { type: 'string' } } } },
      allOf: [{ $ref: '#/definitions/d' }],
    };
    assert.deepEqual(fieldsOutsideTenant(fg, 'acme'), ['email']);
    assert.deepEqual(fieldsOutsideTenant(fg, 'other'), ['_acme', 'email']);
  });
  it('lists unsupported types', () => {
    const fg = {
      definitions: {
        d: { properties: { _acme: { type: 'object', properties: { x: { type: 'datetime' } } } } },
      },
    };
    assert.deepEqual(fieldGroupTypeErrors(fg), ['_acme.x: unsupported type "datetime"']);
  });
});
