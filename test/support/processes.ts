// Runs the project's programs as a user would: child processes, output captured, ready lines awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches; rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runTs(script: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  return run(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], env);
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`process exited before ${pattern}; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A port free on loopback right now (for servers a test starts in another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `src/worker.ts` as its own process, pointed at a test's Temporal server and emulator: `workerJs`, its compiled
 * build (test/support/infra.ts, buildWorkerOnce), as the image runs it; else under tsx, which costs each start
 * about 0.8 s more CPU and keeps source maps on.
 */
export function startWorkerProcess(
  target: {
    temporalAddress: string;
    namespace: string;
    emulatorUrl: string;
    credentials: { clientId: string; clientSecret: string; orgId: string };
    workerJs?: string;
  },
  taskQueue: string,
  extra: NodeJS.ProcessEnv = {},
): Proc {
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: target.temporalAddress,
    TEMPORAL_NAMESPACE: target.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    AEP_PLATFORM_URL: target.emulatorUrl,
    AEP_IMS_URL: target.emulatorUrl,
    AEP_CLIENT_ID: target.credentials.clientId,
    AEP_CLIENT_SECRET: target.credentials.clientSecret,
    AEP_ORG_ID: target.credentials.orgId,
    WORKER_METRICS_BIND: 'off',
    ...extra,
  };
  return target.workerJs ? run(process.execPath, [target.workerJs], env) : runTs('src/worker.ts', [], env);
}
