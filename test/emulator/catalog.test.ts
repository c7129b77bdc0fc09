import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import type { DatasetBody, DatasetRefs, PlatformErrorBody } from '../support/aep-bodies';
import {
  CATALOG,
  createDataset,
  createSchemaChain,
  startPlatform,
  type Platform,
} from './schemaregistry-fixtures';

describe('Catalog datasets', () => {
  let p: Platform;
  let schemaId: string;
  let clock = 1_700_000_000_000;
  before(async () => {
    p = await startPlatform({ now: () => (clock += 1000) });
    ({ schemaId } = await createSchemaChain(p));
  });
  after(() => p.close());

  it('creates a dataset (201, @/dataSets/{id}, Location) and reads it back keyed by id', async () => {
    const res = await p.call<DatasetRefs>('POST', `${CATALOG}/dataSets?requestDataSource=true`, {
      name: 'Created dataset',
      description: 'desc',
      schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE },
      fileDescription: { persisted: true, containerFormat: 'parquet', format: 'parquet' },
      tags: { unifiedProfile: ['enabled:true'] },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.length, 1);
    const m = /^@\/dataSets\/([0-9a-f]{24})$/.exec(res.body[0]!);
    assert.ok(m, res.body[0]);
    const id = m[1]!;
    assert.equal(res.headers.get('location'), `${p.emu.url}${CATALOG}/dataSets/${id}`);

    const got = await p.call<Record<string, DatasetBody>>('GET', `${CATALOG}/dataSets/${id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(Object.keys(got.body), [id]);
    const d = got.body[id]!;
    assert.equal(d.name, 'Created dataset');
    assert.deepEqual(d.schemaRef, { id: schemaId, contentType: XED_FULL_CONTENT_TYPE });
    // The client's tags, plus the two Catalog adds to every dataset (README "Catalog dataset answers").
    assert.deepEqual(d.tags, {
      'adobe/pqs/table': ['created_dataset'],
      'adobe/siphon/table/format': ['parquet'],
      unifiedProfile: ['enabled:true'],
    });
    assert.deepEqual(d.classification, { dataBehavior: 'time-series', managedBy: 'CUSTOMER' });
    assert.equal(d.fileDescription!.format, 'parquet');
    assert.equal(d.imsOrg, p.emu.options.orgId);
    assert.equal(d.sandboxName, 'prod');
    assert.equal(typeof d.created, 'number');

    const projected = await p.call('GET', `${CATALOG}/dataSets/${id}?properties=name,schemaRef`);
    assert.deepEqual(projected.body, { [id]: { name: 'Created dataset', schemaRef: d.schemaRef } });
  });

  it('refuses an unknown or missing schema and answers 404 in the Catalog error shape', async () => {
    const unknown = await p.call<PlatformErrorBody>('POST', `${CATALOG}/dataSets`, {
      name: 'x',
      schemaRef: { id: 'https://ns.adobe.com/nobody/schemas/00', contentType: XED_FULL_CONTENT_TYPE },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.type, 'https://ns.adobe.com/aep/errors/CAT-1003-400');
    const missing = await p.call('POST', `${CATALOG}/dataSets`, { name: 'x' });
    assert.equal(missing.status, 400);
    const notFound = await p.call<PlatformErrorBody>('GET', `${CATALOG}/dataSets/000000000000000000000000`);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.body.type, 'https://ns.adobe.com/aep/errors/CAT-1010-404');
    assert.equal(notFound.body.status, 404);
    assert.match(notFound.body.errorMessage, /000000000000000000000000/);
  });

  it('filters, orders and pages lists', async () => {
    const ids: Record<string, string> = {};
    for (const name of ['Filter alpha', 'Filter beta', 'Filter gamma', 'Other delta'])
      ids[name] = await createDataset(p, schemaId, name);
    const names = async (q: string): Promise<string[]> => {
      const res = await p.call<Record<string, DatasetBody>>('GET', `${CATALOG}/dataSets?${q}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return Object.values(res.body).map((d) => d.name!);
    };
    assert.deepEqual(await names('name=Filter%20alpha,Filter%20gamma&orderBy=asc:name'), [
      'Filter alpha',
      'Filter gamma',
    ]);
    assert.deepEqual(await names('property=name==Filter%20beta'), ['Filter beta']);
    assert.deepEqual(await names('property=name~%5EFilter&orderBy=desc:name'), [
      'Filter gamma',
      'Filter beta',
      'Filter alpha',
    ]);
    assert.deepEqual(await names('name=Filter*&orderBy=asc:name&limit=2'), ['Filter alpha', 'Filter beta']);
    assert.deepEqual(await names('name=Filter*&orderBy=asc:name&limit=2&start=2'), ['Filter gamma']);
    assert.ok(!(await names('name=!Filter%20alpha')).includes('Filter alpha'));
    assert.deepEqual(await names('orderBy=desc:created&limit=1'), ['Other delta']);
    const projected = await p.call('GET', `${CATALOG}/dataSets?property=name==Other%20delta&properties=name`);
    assert.deepEqual(projected.body, { [ids['Other delta']!]: { name: 'Other delta' } });

    const many = await p.call<Record<string, DatasetBody>>('GET', `${CATALOG}/dataSets`);
    assert.ok(Object.keys(many.body).length <= 20);
    for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'start=-1'])
      assert.equal((await p.call('GET', `${CATALOG}/dataSets?${bad}`)).status, 400, bad);
  });

  it('patches a dataset', async () => {
    const id = await createDataset(p, schemaId, 'Before patch');
    const res = await p.call('PATCH', `${CATALOG}/dataSets/${id}`, { name: 'After patch' });
    assert.equal(res.status, 200);
    const got = await p.call('GET', `${CATALOG}/dataSets/${id}?properties=name`);
    assert.deepEqual(got.body, { [id]: { name: 'After patch' } });
  });

  it('deletes: 200 with the id, then 200 [] and 404', async () => {
    const id = await createDataset(p, schemaId, 'To delete');
    const del = await p.call('DELETE', `${CATALOG}/dataSets/${id}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, [`@/dataSets/${id}`]);
    const again = await p.call('DELETE', `${CATALOG}/dataSets/${id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, []);
    assert.equal((await p.call('GET', `${CATALOG}/dataSets/${id}`)).status, 404);
  });
});
