import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  filterItems,
  FilterError,
  parseOrderBy,
  parseProperty,
  sortItems,
  valuesAt,
} from '../../src/emulator/logic/filters';

const flows = [
  {
    id: 'f1',
    name: 'alpha flow',
    state: 'enabled',
    createdAt: 100,
    sourceConnectionIds: ['s1', 's2'],
    transformations: [{ name: 'Mapping', params: { mappingId: 'm1', mappingVersion: 0 } }],
    inheritedAttributes: { properties: { isSourceFlow: true } },
  },
  {
    id: 'f2',
    name: 'beta, with comma',
    state: 'disabled',
    createdAt: 200,
    sourceConnectionIds: ['s3'],
    transformations: [{ name: 'Mapping', params: { mappingId: 'm2', mappingVersion: 1 } }],
    inheritedAttributes: { properties: { isSourceFlow: false } },
  },
  { id: 'f3', name: 'gamma', state: 'enabled', createdAt: 300, sourceConnectionIds: [] },
];

const ids = (expr: string[]): string[] => filterItems(flows, expr).map((f) => f.id);

void describe('property filters', () => {
  void it('parses operators, quotes and comma lists', () => {
    assert.deepEqual(parseProperty('name=="a,b",c'), { path: ['name'], op: '==', values: ['a,b', 'c'] });
    assert.deepEqual(parseProperty('createdAt>=5'), { path: ['createdAt'], op: '>=', values: ['5'] });
    assert.deepEqual(parseProperty('transformations[].params.mappingId==m'), {
      path: ['transformations', 'params', 'mappingId'],
      op: '==',
      values: ['m'],
    });
    assert.deepEqual(parseProperty('description'), { path: ['description'], op: 'exists', values: [] });
    assert.throws(() => parseProperty('==x'), FilterError);
    assert.throws(() => parseProperty('a..b==x'), FilterError);
    assert.throws(() => parseProperty('name~('), FilterError);
  });

  void it('applies == and != with any-of / none-of lists', () => {
    assert.deepEqual(ids(['state==enabled']), ['f1', 'f3']);
    assert.deepEqual(ids(['id==f1,f3']), ['f1', 'f3']);
    assert.deepEqual(ids(['state!=enabled']), ['f2']);
    assert.deepEqual(ids(['id!=f1,f2']), ['f3']);
    assert.deepEqual(ids(['name=="beta, with comma"']), ['f2']);
    assert.deepEqual(ids(['name==alpha flow']), ['f1']);
  });

  void it('compares numbers and strings with < > <= >=', () => {
    assert.deepEqual(ids(['createdAt>100']), ['f2', 'f3']);
    assert.deepEqual(ids(['createdAt>=200']), ['f2', 'f3']);
    assert.deepEqual(ids(['createdAt<200']), ['f1']);
    assert.deepEqual(ids(['createdAt<=200']), ['f1', 'f2']);
    assert.deepEqual(ids(['name<beta']), ['f1']);
  });

  void it('ANDs repeated filters', () => {
    assert.deepEqual(ids(['state==enabled', 'createdAt>150']), ['f3']);
    assert.deepEqual(ids(['state==enabled', 'state==disabled']), []);
  });

  void it('follows nested and array paths, with or without []', () => {
    assert.deepEqual(ids(['inheritedAttributes.properties.isSourceFlow==true']), ['f1']);
    assert.deepEqual(ids(['sourceConnectionIds[]==s2']), ['f1']);
    assert.deepEqual(ids(['sourceConnectionIds==s3']), ['f2']);
    assert.deepEqual(ids(['transformations[].params.mappingId==m2']), ['f2']);
    assert.deepEqual(ids(['transformations.params.mappingVersion==1']), ['f2']);
    assert.deepEqual(ids(['transformations']), ['f1', 'f2']);
    assert.deepEqual(valuesAt(flows[0], ['sourceConnectionIds']), ['s1', 's2']);
  });

  void it('supports ~ regex', () => {
    assert.deepEqual(ids(['name~^(alpha|gamma)']), ['f1', 'f3']);
  });
});

void describe('orderby', () => {
  void it('sorts ascending, descending and puts missing fields last', () => {
    assert.deepEqual(
      sortItems(flows, parseOrderBy('-createdAt')).map((f) => f.id),
      ['f3', 'f2', 'f1'],
    );
    assert.deepEqual(
      sortItems(flows, parseOrderBy(' name')).map((f) => f.id),
      ['f1', 'f2', 'f3'],
    );
    assert.deepEqual(
      sortItems([{ id: 'x' }, ...flows], parseOrderBy('+createdAt')).map((f) => f.id),
      ['f1', 'f2', 'f3', 'x'],
    );
    assert.throws(() => parseOrderBy('-'), FilterError);
    assert.throws(() => parseOrderBy('a b'), FilterError);
  });
});
