// The derived specs in src/shared/aep-openapi/ are the repo's own copy of Adobe's (scripts/derive-openapi.ts): when
// ../shared/reference/openapi is present they must still be exactly what the script derives from it; on a clone
// without it the committed files are used as they are.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deriveAll, OUT_DIR, SOURCE_DIR } from '../../scripts/derive-openapi';

void describe('derived OpenAPI specs', () => {
  void it('match what scripts/derive-openapi.ts derives from ../shared/reference/openapi', async (t) => {
    if (!existsSync(SOURCE_DIR)) {
      const why = 'skipped: ../shared/reference/openapi absent (the committed derived specs are used)';
      console.log(why);
      t.skip(why);
      return;
    }
    const derived = await deriveAll();
    // A spec the project wrote itself where Adobe's set has none (the Sandbox API) is not the script's.
    const projectWritten = (f: string) =>
      f.endsWith('.json') &&
      (JSON.parse(readFileSync(path.join(OUT_DIR, f), 'utf8')) as { 'x-project-written'?: boolean })[
        'x-project-written'
      ] === true;
    // allowlist.json: the spec bugs the project excuses (src/emulator/core/openapi.ts), not a spec.
    const committed = readdirSync(OUT_DIR).filter(
      (f) => f !== 'README.md' && f !== 'allowlist.json' && !projectWritten(f),
    );
    assert.deepEqual(committed.sort(), Object.keys(derived).sort(), 'the same files');
    for (const [name, content] of Object.entries(derived))
      assert.ok(
        readFileSync(path.join(OUT_DIR, name), 'utf8') === content,
        `${name} is stale: run npx tsx scripts/derive-openapi.ts and commit the result`,
      );
  });

  void it('are OpenAPI 3 and keep every operation the client calls', () => {
    const doc = (name: string) =>
      JSON.parse(readFileSync(path.join(OUT_DIR, `${name}.json`), 'utf8')) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
    for (const [name, ops] of Object.entries({
      'flow-service': ['post /flows', 'patch /flows/{FLOW_ID}', 'post /flows/{FLOW_ID}/action', 'get /runs'],
      'schema-registry': ['post /tenant/fieldgroups', 'get /{CONTAINER_ID}/schemas', 'get /stats'],
      catalog: ['post /dataSets', 'get /dataSets/{DATASET_ID}', 'delete /dataSets/{DATASET_ID}'],
      'data-prep': ['post /mappingSets', 'put /mappingSets/{MAPPING_SET_ID}', 'post /mappingSets/validate'],
      'streaming-ingestion': ['post /collection/{CONNECTION_ID}'],
    })) {
      const d = doc(name);
      assert.match(d.openapi, /^3\./, name);
      for (const op of ops) {
        const [method, p] = op.split(' ') as [string, string];
        assert.ok(d.paths[p]?.[method], `${name}: ${op}`);
      }
    }
  });
});
