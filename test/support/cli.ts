// The CLI in-process, as the tests drive it: runCli with captured output, and the environment a dev setup gives it.
import { runCli } from '../../src/cli/main';
import type { LifecycleStatus, OnboardingListing, OnboardingRecord } from '../../src/records';
import type {
  BaseConnectionResult,
  PlanResult,
  RunsResult,
  TeardownResult,
  UpdateResult,
  VerifyResult,
} from '../../src/shared/contracts';
import type {
  OnboardingFailureDetails,
  OnboardingProgress,
  OnboardingResult,
} from '../../src/shared/onboarding';
import type { Harness } from './onboarding';

// The `--json` documents the commands print (src/cli: ctx.print, followAndReport, runCli's error document).

/** Any command's error document (runCli): the message, the exit code, the innermost failure's type and details. */
export interface CliErrorDoc<D = unknown> {
  status: 'error';
  error: string;
  exitCode: number;
  type?: string;
  details: D;
}

/** A followed run that failed or was cancelled (start, watch, result, cancel). */
export interface RunFailureDoc<D = OnboardingFailureDetails> {
  status: 'failed' | 'cancelled';
  workflowId: string;
  error: string;
  /** The same as `error`, kept for existing scripts. */
  message: string;
  exitCode: number;
  type?: string;
  details: D;
}

/** start --no-wait */
export interface StartedDoc {
  status: 'started';
  workflowId: string;
  runId: string;
}

/** start, watch and result of a completed run; adopt. */
export interface ResultDoc {
  status: 'completed' | 'adopted';
  workflowId: string;
  /** result only. */
  lifecycle?: LifecycleStatus;
  result: OnboardingResult;
}

export interface PlanDoc {
  status: 'planned' | 'conflict';
  plan: PlanResult;
}

export type StatusDoc = Pick<
  OnboardingRecord,
  'workflowId' | 'runId' | 'kind' | 'status' | 'lifecycle' | 'result' | 'teardown'
> & { progress?: OnboardingProgress };

/** list */
export type ListDoc = OnboardingListing[];

/** update, enable, disable */
export interface UpdateDoc {
  status: 'updated';
  update: UpdateResult;
}

export interface TeardownDoc {
  status: TeardownResult['status'];
  teardown: TeardownResult;
}

export interface RunsDoc {
  status: 'ok' | 'failures';
  runs: RunsResult;
}

export interface VerifyDoc {
  status: 'verified';
  verify: VerifyResult;
}

export interface ConnectionDoc<Op extends BaseConnectionResult['op'] = BaseConnectionResult['op']> {
  status: 'updated' | 'deleted';
  connection: Extract<BaseConnectionResult, { op: Op }>;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** The `--json` document on stdout; `T` is what the caller expects it to be, not checked here. */
  json: <T = unknown>() => T;
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
  return {
    code,
    out: out.join('\n'),
    err: err.join('\n'),
    json: <T = unknown>() => JSON.parse(out.join('\n')) as T,
  };
}

export function cli(...args: string[]): Promise<CliRun> {
  return cliAnswering(undefined, ...args);
}

/** Points the CLI (this process's environment) at the harness; returns the undo. */
export function useCliEnv(h: Harness, env: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_NAMESPACE: h.env.namespace ?? 'default',
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
