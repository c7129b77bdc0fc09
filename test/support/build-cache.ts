// Builds that cost seconds of CPU (the workflow bundle, the production build), made once per change of the sources
// and shared by every test process and the benchmark: scripts/run-tests.mjs runs several processes at once, and each
// would otherwise build the same thing at the same moment. Kept under node_modules/.cache, keyed by a hash of every
// file the build can contain; one process builds while the others wait for it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleOnboardingWorkflows } from '../../src/temporal/worker-factory';
import { ROOT } from './processes';

const CACHE = path.join(ROOT, 'node_modules', '.cache', 'aep-onboarding-tests');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** A hash of every file of src/, the lockfile and `extra` (paths from the repository root). */
export function sourceHash(extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  const files = [
    ...filesUnder(path.join(ROOT, 'src')).sort(),
    path.join(ROOT, 'package-lock.json'),
    ...extra.map((f) => path.join(ROOT, f)),
  ];
  for (const f of files) hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The directory `${name}-${key}` with what `build` put in it. The first process to ask builds it, holding a lock
 * (a directory with its pid: a lock whose process is gone is taken over); the others wait until it is done. Other
 * keys of the same name are removed once a new one is built.
 */
export async function buildOnce(
  name: string,
  key: string,
  build: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(CACHE, `${name}-${key}`);
  const done = path.join(dir, '.done');
  const lock = `${dir}.lock`;
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    if (existsSync(done)) return dir;
    try {
      mkdirSync(lock);
    } catch {
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // Just made, its pid not written yet.
      }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await build(dir);
      writeFileSync(done, '');
      for (const e of readdirSync(CACHE))
        if (e.startsWith(`${name}-`) && e !== path.basename(dir) && !e.endsWith('.lock'))
          rmSync(path.join(CACHE, e), { recursive: true, force: true });
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

async function cachedBundle(
  name: string,
  key: string,
  build: () => Promise<WorkflowBundleWithSourceMap>,
): Promise<WorkflowBundleWithSourceMap> {
  const dir = await buildOnce(name, key, async (out) => {
    const built = await build();
    const tmp = path.join(out, 'bundle.json.tmp');
    writeFileSync(tmp, JSON.stringify({ code: built.code, sourceMap: built.sourceMap }));
    renameSync(tmp, path.join(out, 'bundle.json'));
  });
  return JSON.parse(readFileSync(path.join(dir, 'bundle.json'), 'utf8')) as WorkflowBundleWithSourceMap;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The onboarding workflows' bundle, as `npm run build:bundle` makes it: built once per change of src/. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= cachedBundle('workflow-bundle', sourceHash(), bundleOnboardingWorkflows);
  return bundle;
}

const fixtureBundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/**
 * The bundle of another workflows module (a test fixture standing for other workflow code, e.g. the next version
 * in test/fixtures/next-version), `workflowsPath` from the repository root: built once per change of src/ and it.
 */
export function fixtureWorkflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let b = fixtureBundles.get(workflowsPath);
  if (!b) {
    const name = `fixture-bundle-${workflowsPath.replace(/[^A-Za-z0-9]+/g, '-')}`;
    b = cachedBundle(name, sourceHash([workflowsPath]), () =>
      bundleOnboardingWorkflows(path.join(ROOT, workflowsPath)),
    );
    fixtureBundles.set(workflowsPath, b);
  }
  return b;
}
