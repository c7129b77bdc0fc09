// Listing every page keeps the caller's filters. AEP's Flow Service next link carries the continuation token only
// (flow-service.yaml, `PageLink` example `/connections?continuationToken=…`), so a client that follows it verbatim
// loses its `property=` filters from page 2 on; the emulator's link is AEP's, and each page is filtered by its own
// request. Catalog pages by offset (`start`), with no link: every page must carry the filter again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AepClient } from '../../src/aep';
import { propertyEq } from '../../src/aep';
import { CHATLIO_CONNECTION_SPEC_ID, STREAMING_PROVIDER_ID } from '../../src/shared/aep-constants';
import type { FlowList, SourceConnectionBody } from '../support/aep-bodies';
import { request, startEmulator, type StartedEmulator } from '../support/emulator';
import { aepClientFor } from '../support/onboarding';

const FS = '/data/foundation/flowservice';
const CAT = '/data/foundation/catalog';

void describe('pagination keeps the filters', () => {
  let emu: StartedEmulator;
  let client: AepClient;
  before(async () => {
    emu = await startEmulator();
    client = aepClientFor(emu);
  });
  after(async () => {
    await client.close();
    await emu.close();
  });

  const source = (name: string) =>
    client.flowService.create('sourceConnections', {
      name,
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });

  void it('Flow Service: listAll with a filter over several pages returns exactly the matching items', async () => {
    // Five matches among five others, interleaved, in pages of two: three pages of matches.
    const wanted: string[] = [];
    for (let i = 0; i < 5; i++) {
      wanted.push((await source('paged match')).id);
      await source(`paged other ${i}`);
    }
    await emu.control.clearCalls();
    const found = await client.flowService.listAll('sourceConnections', {
      property: [propertyEq('name', 'paged match')],
      limit: 2,
      orderby: 'createdAt',
    });
    assert.deepEqual(
      found.map((s) => s.id),
      wanted,
    );
    const lists = (await emu.control.calls()).filter(
      (c) => c.method === 'GET' && c.path === `${FS}/sourceConnections`,
    );
    assert.equal(lists.length, 3);
    for (const [i, call] of lists.entries()) {
      const q = new URLSearchParams(call.query);
      assert.deepEqual(q.getAll('property'), ['name=="paged match"'], `page ${i + 1}`);
      assert.equal(q.get('orderby'), 'createdAt', `page ${i + 1}`);
      assert.equal(q.get('limit'), '2', `page ${i + 1}`);
      assert.equal(q.has('continuationToken'), i > 0, `page ${i + 1}`);
    }
  });

  void it('the emulator’s next link is AEP’s: the token only; a page follows its own request', async () => {
    const token = await emu.token();
    const get = (query: string) =>
      request<FlowList<SourceConnectionBody>>(`${emu.url}${FS}/sourceConnections?${query}`, {
        headers: emu.headers(token),
      });
    const filter = `property=${encodeURIComponent(propertyEq('name', 'paged match'))}&orderby=createdAt`;
    const first = await get(`${filter}&limit=2`);
    assert.equal(first.status, 200, first.text);
    const href = first.body._links.next?.href ?? '';
    assert.match(href, /^\/sourceConnections\?continuationToken=[^&]+$/);
    const next = new URL(href, 'http://x').searchParams.get('continuationToken') ?? '';
    // Followed verbatim: no filter, the default limit, so the other items are in it.
    const verbatim = await get(`continuationToken=${encodeURIComponent(next)}`);
    assert.ok(verbatim.body.items.some((s) => s.name !== 'paged match'));
    // With the request's own query again: only matches, two of them.
    const refiltered = await get(`${filter}&limit=2&continuationToken=${encodeURIComponent(next)}`);
    assert.deepEqual(
      refiltered.body.items.map((s) => s.name),
      ['paged match', 'paged match'],
    );
  });

  void it('Catalog: findDatasetsByName reads past the first 100 matches of its filter', async () => {
    // A `,` in a name becomes a wildcard in the filter (catalogNameFilterValue): 100 near-misses come first.
    const tenant = emu.state.tenant(emu.options.orgId, 'prod');
    const schemaRef = {
      id: 'https://ns.adobe.com/emulatortenant/schemas/paged',
      contentType: 'application/vnd.adobe.xed-full+json;version=1',
    };
    const sets = tenant.collection<{ id: string; [k: string]: unknown }>('dataSets');
    for (let i = 0; i < 100; i++) sets.set(`near${i}`, { id: `near${i}`, name: 'Acme; Inc. 7', schemaRef });
    sets.set('other', { id: 'other', name: 'Unrelated', schemaRef });
    sets.set('exact', { id: 'exact', name: 'Acme, Inc. 7', schemaRef });
    tenant.mutated();
    await emu.control.clearCalls();
    const found = await client.catalog.findDatasetsByName('Acme, Inc. 7');
    assert.deepEqual(
      found.map((d) => d.id),
      ['exact'],
    );
    const lists = (await emu.control.calls()).filter((c) => c.path === `${CAT}/dataSets`);
    assert.equal(lists.length, 2);
    for (const call of lists)
      assert.equal(new URLSearchParams(call.query).get('property'), 'name==Acme* Inc. 7');
    assert.equal(new URLSearchParams(lists[1]!.query).get('start'), '100');
  });
});
