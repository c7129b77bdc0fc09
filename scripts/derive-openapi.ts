// Derives the project's own copy of Adobe's OpenAPI specs (issue #12): reads ../shared/reference/openapi/*.yaml,
// keeps only the paths the client calls and the emulator serves, converts Swagger 2.0 (Schema Registry) to OpenAPI 3
// with swagger2openapi (the converter the OpenAPI community maintains; hand-converting 4,700 lines would be a second
// source of bugs), drops every component no kept operation reaches, and writes JSON into src/shared/aep-openapi/ with
// Adobe's LICENSE and COPYRIGHT beside it. The repo owns the result: a clone without ../shared uses the committed files,
// and test/contract/derived-specs.test.ts checks they still match this script's output when ../shared is present.
// Usage: npx tsx scripts/derive-openapi.ts [--check]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { convertObj } from 'swagger2openapi';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '..');
/** ../shared/reference/openapi; AEP_OPENAPI_SOURCE_DIR points elsewhere (a newer copy of Adobe's specs). */
export const SOURCE_DIR =
  process.env.AEP_OPENAPI_SOURCE_DIR || path.resolve(ROOT, '..', 'shared', 'reference', 'openapi');
export const OUT_DIR = path.join(ROOT, 'src', 'shared', 'aep-openapi');

/** Per spec, the path templates kept (every method on them): what src/aep calls and src/emulator serves. */
export const KEPT: Record<string, { file: string; paths: string[] }> = {
  'flow-service': {
    file: 'flow-service.yaml',
    paths: [
      '/connections',
      '/connections/{BASE_CONNECTION_ID}',
      // PATCH and DELETE of a base connection live under this spelling, with the trailing slash (line 463).
      '/connections/{BASE_CONNECTION_ID}/',
      '/connectionSpecs',
      '/connectionSpecs/{CONNECTION_SPEC_ID}',
      '/flows',
      '/flows/{FLOW_ID}',
      '/flows/{FLOW_ID}/action',
      '/flowSpecs',
      '/flowSpecs/{FLOW_SPEC_ID}',
      '/runs',
      '/runs/{RUN_ID}',
      '/sourceConnections',
      '/sourceConnections/{SOURCE_CONNECTION_ID}',
      '/targetConnections',
      '/targetConnections/{TARGET_CONNECTION_ID}',
    ],
  },
  'schema-registry': {
    file: 'schema-registry.yaml',
    paths: [
      '/stats',
      '/{CONTAINER_ID}/fieldgroups',
      '/{CONTAINER_ID}/fieldgroups/{FIELD_GROUP_ID}',
      '/tenant/fieldgroups',
      '/tenant/fieldgroups/{FIELD_GROUP_ID}',
      '/{CONTAINER_ID}/schemas',
      '/{CONTAINER_ID}/schemas/{SCHEMA_ID}',
      '/tenant/schemas',
      '/tenant/schemas/{SCHEMA_ID}',
      '/{CONTAINER_ID}/mixins',
      '/{CONTAINER_ID}/mixins/{MIXIN_ID}',
      '/tenant/mixins',
      '/tenant/mixins/{MIXIN_ID}',
    ],
  },
  catalog: { file: 'catalog.yaml', paths: ['/dataSets', '/dataSets/{DATASET_ID}'] },
  'data-prep': {
    file: 'data-prep.yaml',
    paths: [
      '/mappingSets',
      '/mappingSets/validate',
      '/mappingSets/preview',
      '/mappingSets/{MAPPING_SET_ID}',
      '/mappingSets/{MAPPING_SET_ID}/mappings',
      '/mappingSets/{MAPPING_SET_ID}/mappings/{MAPPING_ID}',
    ],
  },
  'streaming-ingestion': { file: 'streaming-ingestion.yaml', paths: ['/collection/{CONNECTION_ID}'] },
  'observability-insights': { file: 'observability-insights.yaml', paths: ['/metrics'] },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refsIn(node: Json, out: Set<string>): void {
  if (Array.isArray(node)) for (const v of node) refsIn(v, out);
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out.add(v);
      else refsIn(v, out);
    }
  }
}

function pointer(doc: JsonObject, ref: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** Keeps the listed paths and, of `components`, only what they reach (transitively). */
function reduce(doc: JsonObject, keep: string[]): JsonObject {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const missing = keep.filter((p) => !(p in paths));
  if (missing.length > 0) throw new Error(`paths not in the spec: ${missing.join(', ')}`);
  const keptPaths: JsonObject = {};
  for (const p of keep) keptPaths[p] = paths[p] as Json;

  const reached = new Set<string>();
  const queue = new Set<string>();
  refsIn(keptPaths, queue);
  while (queue.size > 0) {
    const [ref] = queue;
    queue.delete(ref!);
    if (reached.has(ref!)) continue;
    reached.add(ref!);
    const target = pointer(doc, ref!);
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    const more = new Set<string>();
    refsIn(target, more);
    for (const r of more) if (!reached.has(r)) queue.add(r);
  }
  const components: JsonObject = {};
  const source = isObject(doc.components) ? doc.components : {};
  for (const [section, entries] of Object.entries(source)) {
    if (!isObject(entries)) continue;
    const kept = Object.keys(entries)
      .filter((name) =>
        reached.has(`#/components/${section}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`),
      )
      .sort();
    if (kept.length > 0) components[section] = Object.fromEntries(kept.map((n) => [n, entries[n]!]));
  }
  const { paths: _p, components: _c, tags: _t, ...rest } = doc;
  return { ...rest, paths: keptPaths, ...(Object.keys(components).length > 0 ? { components } : {}) };
}

async function toOpenApi3(doc: JsonObject): Promise<JsonObject> {
  if (typeof doc.openapi === 'string') return doc;
  // patch: fixes the spec's small Swagger errors (the converter reports each one it patches) instead of refusing.
  const converted = await convertObj(doc, { patch: true, warnOnly: true, resolveInternal: false });
  return converted.openapi as JsonObject;
}

/** File name -> content, exactly as written to OUT_DIR. */
export async function deriveAll(sourceDir = SOURCE_DIR): Promise<Record<string, string>> {
  const prettier = { ...(await resolveConfig(path.join(OUT_DIR, 'x.json'))), parser: 'json' };
  const out: Record<string, string> = {};
  for (const [name, { file, paths }] of Object.entries(KEPT)) {
    const text = readFileSync(path.join(sourceDir, file), 'utf8');
    const doc = await toOpenApi3(parse(text) as JsonObject);
    const reduced = reduce(doc, paths);
    reduced['x-derived-from'] = {
      file: `reference/openapi/${file}`,
      sha256: createHash('sha256').update(text).digest('hex'),
      by: 'scripts/derive-openapi.ts',
    };
    out[`${name}.json`] = await format(JSON.stringify(reduced), prettier);
  }
  for (const f of ['LICENSE', 'COPYRIGHT']) out[f] = readFileSync(path.join(sourceDir, f), 'utf8');
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(SOURCE_DIR)) {
    console.error(`${SOURCE_DIR} absent: nothing to derive (the committed specs in ${OUT_DIR} stay)`);
    process.exit(1);
  }
  const files = await deriveAll();
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(OUT_DIR, name);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    if (check) stale.push(name);
    else writeFileSync(target, content);
  }
  if (check && stale.length > 0) {
    console.error(`stale derived specs: ${stale.join(', ')} (run npx tsx scripts/derive-openapi.ts)`);
    process.exit(1);
  }
  console.log(check ? 'derived specs up to date' : `wrote ${Object.keys(files).length} files to ${OUT_DIR}`);
}

if (require.main === module) void main();
