// The CLI in-process, as the tests drive it: runCli with captured output, and the environment a dev setup gives it.
import { runCli } from '../../src/cli/main';
import type { Harness } from './onboarding';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  json: () => any;
}

/** Runs `aep-onboard ...args`; `answer` plays a terminal user answering every question (none: no terminal). */
export async function cliAnswering(
  answer: { yes: boolean; asked: string[] } | undefined,
  ...args: string[]
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const confirm = answer
    ? async (q: string) => {
        answer.asked.push(q);
        return answer.yes;
      }
    : undefined;
  const code = await runCli(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    ...(confirm ? { confirm } : {}),
  });
  return { code, out: out.join('\n'), err: err.join('\n'), json: () => JSON.parse(out.join('\n')) };
}

export function cli(...args: string[]): Promise<CliRun> {
  return cliAnswering(undefined, ...args);
}

/** Points the CLI (this process's environment) at the harness; returns the undo. */
export function useCliEnv(h: Harness, env: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_NAMESPACE: 'default',
    AEP_ORG_ID: h.emu.options.orgId,
    AEP_SANDBOX: 'prod',
    ...env,
  });
  delete process.env.TEMPORAL_TASK_QUEUE;
  delete process.env.TEMPORAL_PROFILE;
  return () => {
    process.env = saved;
  };
}
