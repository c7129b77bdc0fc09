// The layers point one way, type imports included (issue 11, /work/shared/design.md "Layers"):
//   shared contract -> AEP client, presets, onboarding records -> activities -> workflows -> Temporal wiring
//   -> client -> CLI and entry points.
// The emulator imports only the shared contract, and production code never imports it. Workflows import only types
// from the activities, and what they run pulls in no zod, no Node built-in and no I/O. No import cycle in src/.
// Fast: it parses files (test/architecture/imports.ts), it starts no server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cycles, importsOf, ROOT, sourceFiles, type Import } from './imports';

/** Lower rank = lower layer. A file imports its own layer, or a layer of lower rank; same rank is not enough. */
const RANK: Record<string, number> = {
  shared: 0,
  aep: 1,
  presets: 1,
  records: 1,
  activities: 2,
  workflows: 3,
  temporal: 4,
  client: 5,
  cli: 6,
  entry: 7,
};

function layerOf(file: string): string {
  const [, top, ...rest] = file.split('/');
  if (top === 'worker.ts' || top === 'codec-server.ts' || top === 'dev') return 'entry';
  if (!top || !rest.length) throw new Error(`${file}: no layer; add it to layerOf`);
  return top;
}

/** Cycles through files whose owners have yet to break them; each names the one change that would. */
const KNOWN_CYCLES: string[][] = [];

const files = sourceFiles();
const all: Import[] = files.flatMap(importsOf);
const local = all.filter((i): i is Import & { to: string } => i.to !== undefined);
const show = (i: Import) => `${i.from} -> ${i.specifier}${i.typeOnly ? ' (type)' : ''}`;

describe('architecture: layers', () => {
  it('finds the files and their imports', () => {
    assert.ok(files.length > 50, `only ${files.length} files under src/`);
    assert.ok(local.length > 100);
  });

  it('has no import cycle in src/, type imports included', () => {
    const edges = new Map<string, Set<string>>(files.map((f) => [f, new Set<string>()]));
    for (const i of local) edges.get(i.from)!.add(i.to);
    assert.deepEqual(cycles(edges), KNOWN_CYCLES);
  });

  it('imports point one way: a layer imports only its own and lower layers', () => {
    const wrong = local.filter((i) => {
      const [a, b] = [layerOf(i.from), layerOf(i.to)];
      if (a === b || a === 'emulator' || b === 'emulator') return false;
      return !(RANK[b]! < RANK[a]!);
    });
    assert.deepEqual(wrong.map(show), []);
  });

  it('the emulator imports only src/shared, and no production file imports the emulator', () => {
    const out = local.filter(
      (i) => layerOf(i.from) === 'emulator' && !['emulator', 'shared'].includes(layerOf(i.to)),
    );
    assert.deepEqual(out.map(show), []);
    // src/dev/start.ts is `npm start`, the dev setup, which runs the emulator in-process; nothing else may.
    const into = local.filter(
      (i) => layerOf(i.to) === 'emulator' && layerOf(i.from) !== 'emulator' && !i.from.startsWith('src/dev/'),
    );
    assert.deepEqual(into.map(show), []);
  });

  it('workflows import only types from the activities, and run only workflow-safe code', () => {
    const fromWorkflows = local.filter((i) => layerOf(i.from) === 'workflows');
    assert.deepEqual(
      fromWorkflows.filter((i) => layerOf(i.to) === 'activities' && !i.typeOnly).map(show),
      [],
    );
    assert.deepEqual(
      fromWorkflows.filter((i) => !i.typeOnly && !['workflows', 'shared'].includes(layerOf(i.to))).map(show),
      [],
    );
    // Everything the workflow bundle runs, followed through runtime imports from src/workflows.
    const runtime = new Map<string, Import[]>();
    for (const i of all) if (!i.typeOnly) runtime.set(i.from, [...(runtime.get(i.from) ?? []), i]);
    const seen = new Set<string>();
    const packages: string[] = [];
    const queue = files.filter((f) => layerOf(f) === 'workflows');
    while (queue.length) {
      const f = queue.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const i of runtime.get(f) ?? []) {
        if (i.to) queue.push(i.to);
        else if (!['@temporalio/workflow', '@temporalio/common'].includes(i.specifier))
          packages.push(show(i));
      }
    }
    assert.deepEqual(packages, []);
  });

  it('the onboarding records depend only on src/shared and @temporalio/client', () => {
    const out = all.filter(
      (i) =>
        layerOf(i.from) === 'records' &&
        (i.to ? !['records', 'shared'].includes(layerOf(i.to)) : i.specifier !== '@temporalio/client'),
    );
    assert.deepEqual(out.map(show), []);
  });

  it('the shared contract holds types and plain constants: zod only as types', () => {
    const out = all.filter(
      (i) =>
        i.from.startsWith('src/shared/contracts/') && !i.typeOnly && (!i.to || layerOf(i.to) !== 'shared'),
    );
    assert.deepEqual(out.map(show), []);
  });

  it('activities read Temporal state only through ActivityDeps.records, never an ambient client', () => {
    const out = all.filter(
      (i) => layerOf(i.from) === 'activities' && i.specifier === '@temporalio/client' && !i.typeOnly,
    );
    assert.deepEqual(out.map(show), []);
    const ambient = files.filter(
      (f) => layerOf(f) === 'activities' && /\bgetClient\b/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    );
    assert.deepEqual(ambient, []);
  });

  it('tests never import bench/ (bench may import test/support), and production code imports neither', () => {
    const testImports = sourceFiles(path.join(ROOT, 'test')).flatMap(importsOf);
    const intoBench = testImports.filter((i) => i.to?.startsWith('bench/'));
    assert.deepEqual(intoBench.map(show), []);
    const intoTestsOrBench = all.filter((i) => i.to?.startsWith('test/') || i.to?.startsWith('bench/'));
    assert.deepEqual(intoTestsOrBench.map(show), []);
  });
});
