// The stock Temporal CLI binary against a test's dev server, as an operator would drive it without our own CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalBinaries } from '../../src/dev/temporal-binaries';
import { ONBOARDING_WORKFLOW_TYPE } from '../../src/shared/naming';
import type { Harness } from './onboarding';

const exec = promisify(execFile);

export interface TemporalCliRun {
  stdout: string;
  stderr: string;
  code: number;
}

/** The `temporal` binary (`npm run temporal:install` fetches it), if there is one. */
export const temporalCliPath = (): string | undefined => findTemporalBinaries().cli;

/** Runs `temporal ...args` against the harness's server; never the user's own config or environment. */
export async function temporalCli(h: Harness, ...args: string[]): Promise<TemporalCliRun> {
  const cli = temporalCliPath();
  if (!cli) throw new Error('no Temporal CLI: run `npm run temporal:install`');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const connection = ['--address', h.env.address, '--namespace', h.env.namespace ?? 'default'];
  try {
    const { stdout, stderr } = await exec(cli, [...args, ...connection], { env, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}

/** `temporal workflow start` arguments for an onboarding with this input. */
export function onboardingStartArgs(taskQueue: string, workflowId: string, input: unknown): string[] {
  return [
    'workflow',
    'start',
    '--type',
    ONBOARDING_WORKFLOW_TYPE,
    '--task-queue',
    taskQueue,
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify(input),
  ];
}
