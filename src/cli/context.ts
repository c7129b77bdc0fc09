// What every CLI command gets: output, the Temporal client (connected on first use), defaults from the
// environment, and how an onboarding named on the command line becomes a workflow id.
import { verifyTimeoutProblem } from '../shared/contracts/lifecycle';
import type { ParseArgsConfig } from 'node:util';
import type { Client } from '@temporalio/client';
import { holdsName, nameHolder, readOnboardingRecord, type OnboardingRecord } from '../records';
import { TORN_DOWN_STATUSES } from '../shared/contracts/lifecycle';
import { normaliseName, onboardingWorkflowId, RECORD_TYPES } from '../shared/naming';
import { AepOnboardingName, AepSandbox, AepSource } from '../shared/search-attributes';
import { isLoopbackHost } from '../shared/net';
import { loadTemporalConnectConfig } from '../temporal/connect-config';

export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  temporalUnreachable: 3,
  duplicate: 4,
  notFound: 5,
  cancelled: 6,
  /** plan found conflicts; an update met a conflicting change; a base connection is still used. */
  conflict: 7,
  /** verify: sample events did not land mapped. */
  notVerified: 8,
  /** AEP refused the credential: permission, sandbox or IMS. */
  aepAccess: 9,
  /** plan -f: changes to apply (0: none); apply: the plan awaits approval (no terminal to ask, no --yes). */
  changes: 10,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal: `watch` redraws its step list in place. */
  tty?: boolean;
  /** Asks the person at the terminal a yes/no question; absent when there is nobody to ask (no TTY). */
  confirm?: (question: string) => Promise<boolean>;
}

export interface Ctx extends Io {
  json: boolean;
  client: () => Promise<Client>;
  orgId: string;
  /** --sandbox, else AEP_SANDBOX, else prod. */
  sandbox: string;
  sandboxGiven: boolean;
  source: string;
  sourceGiven: boolean;
  taskQueue: string;
  /** The sandbox of the onboarding at hand once known (for error hints). */
  onboardingSandbox?: string;
  /** Prints `data` as JSON with --json, else the human text. */
  print: (data: unknown, human: () => string) => void;
}

export type Values = Record<string, unknown>;

export interface Command {
  summary: string;
  usage: string;
  /** Extra lines of `--help`. */
  details?: string[];
  options?: ParseArgsConfig['options'];
  run(ctx: Ctx, positionals: string[], values: Values): Promise<number>;
}

/**
 * An onboarding is named by its name (with --source/--sandbox when not the defaults) or by its workflow id; one
 * started from the Web UI under an id of the user's choosing is found by its AepOnboardingName search attribute.
 * A name matches only the onboarding whose stored name is that name in normal form: the id derived from it is not
 * proof (see holdsName), and a teardown must never act on another name's onboarding.
 */
export async function resolveOnboardingId(ctx: Ctx, ref: string | undefined): Promise<string> {
  if (!ref) throw new CliError('Name the onboarding (its name or its workflow id).', EXIT.usage);
  const client = await ctx.client();
  const name = normaliseName(ref);
  const derived = onboardingWorkflowId({ orgId: ctx.orgId, sandbox: ctx.sandbox, source: ctx.source, name });
  if (ref.startsWith('onboard-')) {
    const desc = await client.workflow
      .getHandle(ref)
      .describe()
      .catch(() => undefined);
    if (desc && (RECORD_TYPES as readonly string[]).includes(desc.type)) return ref;
  }
  // Whoever holds the name's lock is the onboarding of that name, whatever its workflow id; a refused run under the
  // derived id (it carries the name too) must not hide it.
  const holder = await nameHolder(client, {
    orgId: ctx.orgId,
    sandbox: ctx.sandbox,
    source: ctx.source,
    name,
  }).catch(() => undefined);
  if (holder) return holder;
  if (await holdsName(client, derived, name).catch(() => false)) return derived;
  const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const clauses = [
    `WorkflowType IN (${RECORD_TYPES.map(quote).join(', ')})`,
    `${AepOnboardingName.name} = ${quote(name)}`,
    ...(ctx.sandboxGiven ? [`${AepSandbox.name} = ${quote(ctx.sandbox)}`] : []),
    ...(ctx.sourceGiven ? [`${AepSource.name} = ${quote(ctx.source)}`] : []),
  ];
  const ids = new Set<string>();
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) ids.add(wf.workflowId);
  if (ids.size === 1) return [...ids][0]!;
  if (ids.size > 1) {
    throw new CliError(
      `Several onboardings are named "${ref}": ${[...ids].join(', ')}. Give --sandbox/--source or the workflow id.`,
      EXIT.usage,
    );
  }
  throw new CliError(
    `No onboarding named "${ref}" (looked for workflow id ${derived} in sandbox ${ctx.sandbox}, source ${ctx.source}). ` +
      `'aep-onboard list' shows them all.`,
    EXIT.notFound,
  );
}

/** The onboarding's record; a lifecycle operation needs a completed one. */
export async function resolveRecord(ctx: Ctx, ref: string | undefined): Promise<OnboardingRecord> {
  const id = await resolveOnboardingId(ctx, ref);
  const record = await readOnboardingRecord(await ctx.client(), id);
  if (!record) throw new CliError(`No onboarding with workflow id ${id}.`, EXIT.notFound);
  ctx.onboardingSandbox = record.result?.sandbox;
  return record;
}

/** A lifecycle operation needs a completed onboarding; only a teardown may act on one torn down (again). */
export function requireCompleted(
  record: OnboardingRecord,
  what: string,
  opts: { allowTornDown?: boolean } = {},
): asserts record is OnboardingRecord & { result: NonNullable<OnboardingRecord['result']> } {
  if (!record.result) {
    throw new CliError(
      `Cannot ${what} onboarding ${record.workflowId}: it is ${record.lifecycle}` +
        (record.status === 'RUNNING'
          ? ` (follow it with 'aep-onboard watch ${record.workflowId}').`
          : ', so it holds no resources.'),
      EXIT.runFailed,
      { lifecycle: record.lifecycle },
    );
  }
  if (!opts.allowTornDown && TORN_DOWN_STATUSES.includes(record.lifecycle)) {
    throw new CliError(
      `Cannot ${what} onboarding ${record.workflowId}: it is ${record.lifecycle}, its resources are gone` +
        (record.lifecycle === 'teardown-incomplete'
          ? ` or going (run 'aep-onboard teardown ${record.workflowId}' again).`
          : '.'),
      EXIT.notFound,
      { lifecycle: record.lifecycle },
    );
  }
}

/** A verify timeout flag in seconds (`--timeout`, `--verify-timeout`) as ms; undefined when not given. */
export function verifyTimeoutMs(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  const ms = Math.round(seconds * 1000);
  const problem = Number.isFinite(seconds) ? verifyTimeoutProblem(ms) : 'must be a number';
  if (problem) throw new CliError(`--${flag} takes seconds (1 to 86400): ${problem}`, EXIT.usage);
  return ms;
}

/**
 * Temporal on loopback, as `npm start` and `temporal server start-dev` run it: the local dev setup, the one place where
 * the CLI may fill in the emulator's defaults (its org, and for doctor its credential) instead of refusing.
 */
export function localDevTemporal(): { address: string; local: boolean } {
  const address = loadTemporalConnectConfig().connectionOptions.address ?? 'localhost:7233';
  return { address, local: isLoopbackHost(address.replace(/:\d+$/, '')) };
}
