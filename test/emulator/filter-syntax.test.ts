// The emulator reads list filters as AEP does (src/emulator/README.md, "Filter syntax"): Catalog's `*` / `**` / `,`
// on `name`, Flow Service's missing `~` (FLOW-1440-400) and its `[]` array paths, Schema Registry's exclusive
// `start` and its refusal of `limit` / `start` without `orderby`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EMULATOR_DEFAULTS,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type { FlowList, IdEtag, PlatformErrorBody, XdmListBody } from '../support/aep-bodies';
import { seedTargets } from '../support/emulator';
import {
  CATALOG,
  FLOWS,
  SR,
  XED_ID,
  createDataset,
  createSchemaChain,
  startPlatform,
  type Platform,
} from './schemaregistry-fixtures';

void describe('Catalog property filters on name', () => {
  let p: Platform;
  let schemaId = '';
  before(async () => {
    p = await startPlatform();
    ({ schemaId } = await createSchemaChain(p));
    for (const name of ['Star* one', 'Starx one', 'Star one', 'Comma, one', 'Comma two'])
      await createDataset(p, schemaId, name);
  });
  after(() => p.close());

  const names = async (query: string): Promise<string[]> => {
    const res = await p.call('GET', `${CATALOG}/dataSets?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Object.values(res.body as Record<string, { name: string }>)
      .map((d) => d.name)
      .sort();
  };
  const nameEq = (value: string) => names(`property=${encodeURIComponent(`name==${value}`)}`);

  void it('** is one literal *', async () => {
    assert.deepEqual(await nameEq('Star** one'), ['Star* one']);
  });

  void it('* is a wildcard that also matches nothing', async () => {
    assert.deepEqual(await nameEq('Star* one'), ['Star one', 'Star* one', 'Starx one']);
    assert.deepEqual(await nameEq('Star***'), ['Star* one']);
  });

  void it(', separates any-of values', async () => {
    assert.deepEqual(await nameEq('Comma two,Star one'), ['Comma two', 'Star one']);
    assert.deepEqual(await nameEq('Comma, one'), []);
    assert.deepEqual(await nameEq('Comma* one'), ['Comma, one']);
  });

  void it('a * in another property is no wildcard', async () => {
    const id = await createDataset(p, schemaId, 'Described');
    const patched = await p.call('PATCH', `${CATALOG}/dataSets/${id}`, { description: 'desc*' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(await names(`property=${encodeURIComponent('description==desc*')}`), ['Described']);
    assert.deepEqual(await names(`property=${encodeURIComponent('description==de*')}`), []);
  });
});

void describe('Flow Service property filters', () => {
  let p: Platform;
  let sc = '';
  let mappingSetId = '';
  before(async () => {
    p = await startPlatform();
    const seed = seedTargets(p.emu.state, EMULATOR_DEFAULTS.orgId, 'prod');
    mappingSetId = seed.mappingSetId;
    const source = await p.call<IdEtag>('POST', `${FLOWS}/sourceConnections`, {
      name: 'filter source',
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    sc = source.body.id;
    const target = await p.call<IdEtag>('POST', `${FLOWS}/targetConnections`, {
      name: 'filter target',
      connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      data: {
        format: 'json',
        schema: { id: seed.schemaId, version: 'application/vnd.adobe.xed-full+json;version=1' },
      },
      params: { dataSetId: seed.dataSetId },
    });
    assert.equal(target.status, 201, JSON.stringify(target.body));
    const flow = await p.call('POST', `${FLOWS}/flows`, {
      name: 'filter flow',
      flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [sc],
      targetConnectionIds: [target.body.id],
      transformations: [{ name: 'Mapping', params: { mappingId: mappingSetId, mappingVersion: 0 } }],
    });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
  });
  after(() => p.close());

  const list = (path: string, ...filters: string[]) =>
    p.call<FlowList<unknown> & PlatformErrorBody>(
      'GET',
      `${FLOWS}/${path}?${filters.map((f) => `property=${encodeURIComponent(f)}`).join('&')}`,
    );

  void it('refuses ~ with FLOW-1440-400', async () => {
    for (const path of ['flows', 'sourceConnections', 'flowSpecs']) {
      const res = await list(path, 'name~^filter');
      assert.equal(res.status, 400, path);
      assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1440-400');
      assert.equal(res.body.errorMessage, "Operator '~' not implemented.");
    }
  });

  void it('matches array items only through []', async () => {
    const count = async (...filters: string[]) => {
      const res = await list('flows', ...filters);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items.length;
    };
    assert.equal(await count(`sourceConnectionIds[]==${sc}`), 1);
    assert.equal(await count(`sourceConnectionIds==${sc}`), 0);
    assert.equal(await count(`transformations[].params.mappingId==${mappingSetId}`), 1);
    assert.equal(await count(`transformations.params.mappingId==${mappingSetId}`), 0);
    const specs = await list('flowSpecs', `sourceConnectionSpecIds==${CHATLIO_CONNECTION_SPEC_ID}`);
    assert.equal(specs.body.items.length, 0);
    const bracketed = await list('flowSpecs', `sourceConnectionSpecIds[]==${CHATLIO_CONNECTION_SPEC_ID}`);
    assert.ok(bracketed.body.items.length >= 1);
  });
});

void describe('Schema Registry paging', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
    for (const title of ['Paged A', 'Paged B', 'Paged C', 'Paged D'])
      await p.call('POST', `${SR}/tenant/schemas`, {
        type: 'object',
        title,
        description: 'test schema',
        allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
      });
  });
  after(() => p.close());

  const titles = async (query: string): Promise<{ titles: string[]; next: unknown; status: number }> => {
    const res = await p.call<XdmListBody>('GET', `${SR}/tenant/schemas?${query}`, undefined, {
      accept: XED_ID,
    });
    return {
      status: res.status,
      titles: res.status === 200 ? res.body.results.map((r) => r.title ?? '') : [],
      next: res.status === 200 ? res.body._page.next : res.body,
    };
  };

  void it('start is exclusive and _page.next is the last key of the page', async () => {
    const first = await titles('orderby=title&limit=2');
    assert.deepEqual(first.titles, ['Paged A', 'Paged B']);
    assert.equal(first.next, 'Paged B');
    const second = await titles('orderby=title&limit=2&start=Paged%20B');
    assert.deepEqual(second.titles, ['Paged C', 'Paged D']);
    assert.equal(second.next, null);
    const desc = await titles('orderby=-title&limit=3&start=Paged%20C');
    assert.deepEqual(desc.titles, ['Paged B', 'Paged A']);
  });

  void it('a page never ends between items with the same key (limit is a hint)', async () => {
    const tied = await titles('orderby=type&limit=1&property=title~%5EPaged');
    assert.equal(tied.titles.length, 4);
    assert.equal(tied.next, null);
  });

  void it('refuses limit or start without orderby', async () => {
    for (const query of ['limit=2', 'start=Paged%20A', 'limit=2&start=Paged%20A']) {
      const res = await titles(query);
      assert.equal(res.status, 400, query);
      assert.equal((res.next as { type: string }).type, 'http://ns.adobe.com/aep/errors/XDM-1001-400');
    }
    assert.equal((await titles('property=title==Paged%20A')).status, 200);
  });
});
