// Catalog look-ups by exact name must survive names that Catalog's filter syntax reads as operators: on `name`, `*` is
// a wildcard and `**` a literal `*` (filter-data.md), `,` separates any-of values. The client escapes `*` and turns
// `,` into a wildcard, then keeps the exact matches only; here over a MockAgent (the exact query sent) and against
// the emulator (a name with both characters is found, so a find-first retry does not create a duplicate).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { catalogNameFilterValue, createAepClient, type AepClient } from '../../src/aep';
import { XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import type { StartedEmulator } from '../support/emulator';
import { aepClientFor } from '../support/onboarding';
import { createSchemaChain, startPlatform } from '../emulator/schemaregistry-fixtures';

const CAT = '/data/foundation/catalog';

void describe('catalogNameFilterValue', () => {
  void it('doubles every * and turns each , into a wildcard', () => {
    assert.equal(catalogNameFilterValue('Chat events'), 'Chat events');
    assert.equal(catalogNameFilterValue('5* chat'), '5** chat');
    assert.equal(catalogNameFilterValue('**'), '****');
    assert.equal(catalogNameFilterValue('Acme, Inc.'), 'Acme* Inc.');
    assert.equal(catalogNameFilterValue('a,b,c'), 'a*b*c');
  });

  void it('never puts a wildcard next to an escaped *', () => {
    // The wildcard covers the *s beside a comma, so no run of three * is left to the server's reading.
    assert.equal(catalogNameFilterValue('a*,b'), 'a*b');
    assert.equal(catalogNameFilterValue('a,*b'), 'a*b');
    assert.equal(catalogNameFilterValue('x*y,**z'), 'x**y*z');
    for (const name of ['a*,b', 'a,*b', '*,*', 'x**,**y', ',*', '*,', 'a**,b'])
      for (const run of catalogNameFilterValue(name).match(/\*+/g) ?? [])
        assert.ok(run.length === 1 || run.length % 2 === 0, `${name}: ${run}`);
  });
});

void describe('findDatasetsByName sends an escaped filter', () => {
  const agent = mockAgent();
  mockIms(agent, ['tok-filter']);
  const client = createAepClient(testConfig(), { dispatcher: agent });
  after(async () => {
    await client.close();
    await agent.close();
  });

  const answer = (path: string, data: unknown): string[] => {
    const seen: string[] = [];
    agent
      .get(PLATFORM)
      .intercept({ path, method: 'GET' })
      .reply((opts) => {
        seen.push(opts.path);
        return { statusCode: 200, data: JSON.stringify(data), responseOptions: { headers: JSON_HEADERS } };
      });
    return seen;
  };
  const ds = (name: string) => ({ name, schemaRef: { id: 'https://ns.adobe.com/t/schemas/1' } });

  void it('a * is sent as ** (a literal *)', async () => {
    const seen = answer(`${CAT}/dataSets?property=name%3D%3D5%2A%2A%20chat%20dataset&limit=100`, {
      'ds-1': ds('5* chat dataset'),
    });
    const found = await client.catalog.findDatasetsByName('5* chat dataset');
    assert.equal(seen.length, 1);
    assert.deepEqual(
      found.map((d) => d.id),
      ['ds-1'],
    );
  });

  void it('a , is sent as a wildcard and the wider answer is narrowed to the exact name', async () => {
    const seen = answer(`${CAT}/dataSets?property=name%3D%3DAcme%2A%20Inc.%20dataset&limit=100`, {
      'ds-1': ds('Acme, Inc. dataset'),
      'ds-2': ds('Acme Inc. dataset'),
      'ds-3': ds('Acme; Inc. dataset'),
    });
    const found = await client.catalog.findDatasetsByName('Acme, Inc. dataset');
    assert.equal(seen.length, 1);
    assert.deepEqual(
      found.map((d) => d.id),
      ['ds-1'],
    );
  });
});

void describe('findDatasetsByName against the emulator', () => {
  let emu: StartedEmulator;
  let client: AepClient;
  let schemaId = '';
  before(async () => {
    const p = await startPlatform();
    emu = p.emu;
    ({ schemaId } = await createSchemaChain(p));
    client = aepClientFor(emu);
  });
  after(async () => {
    await client.close();
    await emu.close();
  });

  void it('finds names with * and , exactly, and nothing else', async () => {
    const names = [
      '5* chat, EU [aepo-1]',
      '5x chat, EU [aepo-1]',
      '5* chat [aepo-1]',
      '5* chat; EU [aepo-1]',
    ];
    const ids: Record<string, string> = {};
    for (const name of names)
      ids[name] = (
        await client.catalog.createDataset({
          name,
          schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE },
        })
      ).id;
    for (const name of names)
      assert.deepEqual(
        (await client.catalog.findDatasetsByName(name)).map((d) => d.id),
        [ids[name]],
        name,
      );
  });
});
