// Where the worker's workflow bundle comes from. With WORKFLOW_BUNDLE_PATH (the Docker image), the file that
// `npm run build:bundle` wrote, and no bundling at all; without it, a short-lived child process bundles at start-up,
// so webpack never stays in the worker's memory. A bundle file that is not there or not a bundle stops start-up with
// a message that says so, before anything connects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOnboarding } from '../../src/client/onboarding';
import { useHarnessWithWorkers } from '../support/onboarding';
import { runTs, type Proc } from '../support/processes';
import { uniqueName } from '../support/temporal';

const READY = /aep-onboarding worker: /;

/** Command lines of the live child processes of `pid`. */
function childCommands(pid: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Every child process the worker started before it polled, and those still alive once it does. */
async function watchStartUp(proc: Proc): Promise<{ seen: Set<string>; aliveWhenReady: string[] }> {
  const seen = new Set<string>();
  const timer = setInterval(() => childCommands(proc.child.pid!).forEach((c) => seen.add(c)), 20);
  try {
    await proc.waitFor(READY, 120_000);
  } finally {
    clearInterval(timer);
  }
  return { seen, aliveWhenReady: childCommands(proc.child.pid!) };
}

/** The bundler process of src/temporal/worker-factory.ts (bundleInChildProcess). */
const isBundler = (cmd: string) => /worker-factory\.(ts|js)/.test(cmd);

/** The ready line's structured fields (JSON logs are the default). */
function readyLine(proc: Proc): Record<string, unknown> {
  const line = proc
    .output()
    .split('\n')
    .find((l) => l.startsWith('{') && READY.test(l));
  assert.ok(line, `a JSON ready line in:\n${proc.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('worker workflow bundle', { timeout: 300_000 }, () => {
  const w = useHarnessWithWorkers();
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'aep-bundle-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = (taskQueue: string, extra: NodeJS.ProcessEnv = {}): Proc =>
    w.startWorker(taskQueue, {}, extra);

  async function onboard(taskQueue: string, name: string) {
    const { handle } = await startOnboarding(
      w.h.env.client,
      { source: 'chatlio', name },
      { orgId: w.h.emu.options.orgId, defaultSandbox: 'prod', taskQueue, workflowId: uniqueName('bundle') },
    );
    return handle.result();
  }

  it('runs the bundle that npm run build:bundle wrote, without bundling, and completes an onboarding', async () => {
    const bundlePath = path.join(dir, 'nested', 'workflow-bundle.js');
    const build = runTs('scripts/bundle-workflows.ts', [bundlePath], {});
    assert.deepEqual(await build.exited, { code: 0, signal: null }, build.output());
    assert.match(build.output(), new RegExp(`workflow bundle: ${bundlePath} \\(\\d+ KiB\\)`));
    assert.match(readFileSync(bundlePath, 'utf8'), /onboardStreamingSource/);

    const taskQueue = uniqueName('prebuilt');
    const worker = startWorker(taskQueue, { WORKFLOW_BUNDLE_PATH: bundlePath });
    const { seen } = await watchStartUp(worker);
    assert.deepEqual([...seen].filter(isBundler), [], 'the worker started no bundler process');
    assert.equal(readyLine(worker).workflowBundle, bundlePath);

    const result = await onboard(taskQueue, 'Prebuilt bundle');
    assert.match(result.webhookUrl, /^http:\/\/127\.0\.0\.1:\d+\/.+/);
    await worker.kill('SIGTERM');
    assert.ok(!worker.output().includes(w.h.emu.options.clientSecret), 'no secret in the output');
  });

  it('without WORKFLOW_BUNDLE_PATH, bundles in a child process that is gone once the worker polls', async () => {
    const taskQueue = uniqueName('default');
    const worker = startWorker(taskQueue, { WORKFLOW_BUNDLE_PATH: '' });
    const { seen, aliveWhenReady } = await watchStartUp(worker);
    const bundlers = [...seen].filter(isBundler);
    assert.equal(bundlers.length, 1, `one bundler process among ${JSON.stringify([...seen])}`);
    assert.deepEqual(aliveWhenReady, [], 'the bundler has exited');
    assert.equal(readyLine(worker).workflowBundle, '(bundled at start-up)');

    const result = await onboard(taskQueue, 'Bundled at start-up');
    assert.ok(result.webhookUrl);
    await worker.kill('SIGTERM');
  });

  it('stops at start-up, before connecting, when WORKFLOW_BUNDLE_PATH is not a readable bundle', async () => {
    const notABundle = path.join(dir, 'not-a-bundle.js');
    writeFileSync(notABundle, 'module.exports = {};\n');
    const aDirectory = path.join(dir, 'a-directory');
    mkdirSync(aDirectory);
    const cases: Array<[string, RegExp]> = [
      [
        path.join(dir, 'missing.js'),
        /Cannot read the workflow bundle WORKFLOW_BUNDLE_PATH=\S*missing\.js \(ENOENT\): build it with 'npm run build:bundle'/,
      ],
      [aDirectory, /Cannot read the workflow bundle WORKFLOW_BUNDLE_PATH=\S*a-directory \(EISDIR\)/],
      [
        notABundle,
        /WORKFLOW_BUNDLE_PATH=\S*not-a-bundle\.js is not a workflow bundle .*npm run build:bundle/,
      ],
    ];
    for (const [bundlePath, message] of cases) {
      // Nothing listens on port 1: a worker that got as far as connecting would say so instead.
      const worker = startWorker(uniqueName('bad'), {
        WORKFLOW_BUNDLE_PATH: bundlePath,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      const exit = await worker.exited;
      assert.equal(exit.code, 1, worker.output());
      assert.match(worker.output(), message);
      assert.doesNotMatch(worker.output(), /Cannot reach Temporal/);
      assert.ok(!worker.output().includes(w.h.emu.options.clientSecret), 'no secret in the output');
    }
  });
});
