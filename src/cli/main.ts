// `aep-onboard` (also `npm run cli -- ...`): thin entry point. Parse, connect, act, print; exit codes for scripts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import {
  describeRunFailure,
  DuplicateOnboardingError,
  followOnboarding,
  InvalidInputError,
  isCancelledRun,
  onboardingFailureDetails,
  startOnboarding,
  type OnboardingHandle,
} from '../client/onboarding';
import { getProgressQuery } from '../workflows/onboarding';
import { PresetRegistry } from '../presets/registry';
import { EMULATOR_DEFAULTS } from '../shared/aep-constants';
import { DEFAULT_TASK_QUEUE, ONBOARDING_WORKFLOW_TYPE, onboardingWorkflowId } from '../shared/naming';
import type { OnboardingResult } from '../shared/onboarding';
import { AepOnboardingName } from '../shared/search-attributes';
import { formatProgress, formatResult } from './format';

export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  temporalUnreachable: 3,
  duplicate: 4,
  notFound: 5,
  cancelled: 6,
} as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Ctx {
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  client: () => Promise<Client>;
  orgId: string;
  sandbox: string;
  taskQueue: string;
}

interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(ctx: Ctx, positionals: string[], values: Record<string, unknown>): Promise<number>;
}

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  sandbox: { type: 'string' },
  source: { type: 'string' },
  'task-queue': { type: 'string' },
} as const;

/** An onboarding is addressed by its name (with --source/--sandbox) or directly by its workflow id. */
async function resolveHandle(ctx: Ctx, ref: string | undefined, values: Record<string, unknown>): Promise<OnboardingHandle> {
  if (!ref) throw new CliError('Name the onboarding (its name or its workflow id).', EXIT.usage);
  const client = await ctx.client();
  const candidates = ref.startsWith('onboard-')
    ? [ref]
    : [
        onboardingWorkflowId({
          orgId: ctx.orgId,
          sandbox: (values.sandbox as string | undefined) ?? ctx.sandbox,
          source: (values.source as string | undefined) ?? 'chatlio',
          name: ref,
        }),
      ];
  for (const id of candidates) {
    const handle = client.workflow.getHandle(id) as OnboardingHandle;
    const found = await handle.describe().then(
      () => true,
      (e: unknown) => {
        if (e instanceof WorkflowNotFoundError) return false;
        throw e;
      },
    );
    if (found) return handle;
  }
  // Started from the Web UI with an id of the user's choosing: find it by its name.
  const query = `WorkflowType = '${ONBOARDING_WORKFLOW_TYPE}' AND ${AepOnboardingName.name} = '${ref.replace(/'/g, "\\'")}'`;
  for await (const wf of client.workflow.list({ query })) {
    return client.workflow.getHandle(wf.workflowId) as OnboardingHandle;
  }
  throw new CliError(`No onboarding named "${ref}" (looked for workflow id ${candidates.join(', ')}).`, EXIT.notFound);
}

function parseInput(values: Record<string, unknown>, positionals: string[]): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  const raw = values.input as string | undefined;
  if (raw) {
    const text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
    try {
      input = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new CliError(`--input is not valid JSON: ${(e as Error).message}`, EXIT.usage);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new CliError('--input must be one JSON object', EXIT.usage);
    }
  }
  if (positionals[0]) input.name = positionals[0];
  if (values.source) input.source = values.source;
  else input.source ??= 'chatlio';
  if (values.sandbox) input.sandbox = values.sandbox;
  if (values.verify) input.verify = true;
  return input;
}

async function followAndReport(ctx: Ctx, handle: OnboardingHandle): Promise<number> {
  try {
    const result = await followOnboarding(handle, (p) => {
      if (!ctx.json) ctx.err(formatProgress(p));
    });
    ctx.out(ctx.json ? JSON.stringify({ status: 'completed', result }, null, 2) : formatResult(result));
    return EXIT.ok;
  } catch (err) {
    return reportRunFailure(ctx, handle.workflowId, err);
  }
}

function reportRunFailure(ctx: Ctx, workflowId: string, err: unknown): number {
  if (!(err instanceof WorkflowFailedError)) throw err;
  const cancelled = isCancelledRun(err);
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          status: cancelled ? 'cancelled' : 'failed',
          workflowId,
          message: describeRunFailure(err),
          details: onboardingFailureDetails(err),
        },
        null,
        2,
      ),
    );
  } else {
    ctx.err(describeRunFailure(err));
  }
  return cancelled ? EXIT.cancelled : EXIT.runFailed;
}

const commands: Record<string, Command> = {
  start: {
    summary: 'Start an onboarding and follow it until it ends (or --no-wait)',
    usage:
      'aep-onboard start <name> [--source chatlio] [--sandbox prod] [--input JSON|@file] [--verify] [--no-wait] [--json]',
    options: { input: { type: 'string' }, 'no-wait': { type: 'boolean' }, verify: { type: 'boolean' } },
    async run(ctx, positionals, values) {
      const input = parseInput(values, positionals);
      const client = await ctx.client();
      const { handle, workflowId } = await startOnboarding(client, input, {
        orgId: ctx.orgId,
        defaultSandbox: ctx.sandbox,
        taskQueue: ctx.taskQueue,
        knownSources: PresetRegistry.fromEnv().ids(),
      });
      if (!ctx.json) ctx.err(`Started onboarding ${workflowId}`);
      if (values['no-wait']) {
        ctx.out(ctx.json ? JSON.stringify({ status: 'started', workflowId }) : workflowId);
        return EXIT.ok;
      }
      return followAndReport(ctx, handle);
    },
  },
  status: {
    summary: 'Show where an onboarding stands: phase, each step, ids so far',
    usage: 'aep-onboard status <name|workflow-id> [--json]',
    async run(ctx, positionals, values) {
      const handle = await resolveHandle(ctx, positionals[0], values);
      const desc = await handle.describe();
      const progress = await handle.query(getProgressQuery).catch(() => undefined);
      if (ctx.json) {
        ctx.out(JSON.stringify({ workflowId: handle.workflowId, status: desc.status.name, progress }, null, 2));
      } else {
        ctx.out(`${handle.workflowId}: ${desc.status.name}`);
        if (progress) ctx.out(formatProgress(progress));
      }
      return EXIT.ok;
    },
  },
  watch: {
    summary: 'Follow an onboarding live until it ends',
    usage: 'aep-onboard watch <name|workflow-id> [--json]',
    async run(ctx, positionals, values) {
      return followAndReport(ctx, await resolveHandle(ctx, positionals[0], values));
    },
  },
  result: {
    summary: 'Print the result of a completed onboarding (webhook URL, ids, etags)',
    usage: 'aep-onboard result <name|workflow-id> [--json]',
    async run(ctx, positionals, values) {
      const handle = await resolveHandle(ctx, positionals[0], values);
      try {
        const result: OnboardingResult = await handle.result();
        ctx.out(ctx.json ? JSON.stringify({ status: 'completed', result }, null, 2) : formatResult(result));
        return EXIT.ok;
      } catch (err) {
        return reportRunFailure(ctx, handle.workflowId, err);
      }
    },
  },
  cancel: {
    summary: 'Cancel a running onboarding; it deletes what it created',
    usage: 'aep-onboard cancel <name|workflow-id> [--no-wait] [--json]',
    options: { 'no-wait': { type: 'boolean' } },
    async run(ctx, positionals, values) {
      const handle = await resolveHandle(ctx, positionals[0], values);
      await handle.cancel();
      if (values['no-wait']) {
        ctx.out(ctx.json ? JSON.stringify({ status: 'cancel-requested', workflowId: handle.workflowId }) : 'Cancel requested');
        return EXIT.ok;
      }
      return followAndReport(ctx, handle);
    },
  },
  list: {
    summary: 'List onboardings with their status',
    usage: 'aep-onboard list [--source chatlio] [--sandbox prod] [--json]',
    async run(ctx, _positionals, values) {
      const client = await ctx.client();
      const clauses = [`WorkflowType = '${ONBOARDING_WORKFLOW_TYPE}'`];
      if (values.source) clauses.push(`AepSource = '${String(values.source)}'`);
      if (values.sandbox) clauses.push(`AepSandbox = '${String(values.sandbox)}'`);
      const rows: Array<Record<string, unknown>> = [];
      for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
        const sa = wf.typedSearchAttributes;
        rows.push({
          workflowId: wf.workflowId,
          runId: wf.runId,
          name: sa.get(AepOnboardingName),
          source: sa.getAll().find((p) => p.key.name === 'AepSource')?.value,
          sandbox: sa.getAll().find((p) => p.key.name === 'AepSandbox')?.value,
          onboardingStatus: sa.getAll().find((p) => p.key.name === 'AepOnboardingStatus')?.value,
          status: wf.status.name,
          startTime: wf.startTime.toISOString(),
        });
      }
      if (ctx.json) ctx.out(JSON.stringify(rows, null, 2));
      else if (!rows.length) ctx.out('No onboardings.');
      else {
        for (const r of rows) {
          ctx.out(`${String(r.onboardingStatus ?? r.status).padEnd(12)} ${String(r.name).padEnd(30)} ${String(r.sandbox).padEnd(10)} ${r.workflowId}`);
        }
      }
      return EXIT.ok;
    },
  },
};

function help(): string {
  return [
    'aep-onboard: onboard streaming sources into Adobe Experience Platform, durably (Temporal).',
    '',
    'Commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`),
    '',
    'Run `aep-onboard <command> --help` for its options. Global: --json (machine output), --sandbox, --source,',
    '--task-queue. Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE...',
    `AEP: AEP_ORG_ID and AEP_SANDBOX (the workflow id derives from org, sandbox, source and name).`,
    '',
    'Exit codes: 0 ok, 1 run failed (compensated), 2 usage or invalid input, 3 Temporal unreachable,',
    '4 duplicate onboarding, 5 not found, 6 cancelled.',
  ].join('\n');
}

export async function runCli(
  argv: string[],
  io: { out: (t: string) => void; err: (t: string) => void } = {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${help()}`);
    return EXIT.usage;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true });
  } catch (e) {
    io.err(`${(e as Error).message}\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`);
    return EXIT.ok;
  }
  let connection: Connection | undefined;
  const cfg = loadClientConnectConfig();
  const address = cfg.connectionOptions.address ?? 'localhost:7233';
  const ctx: Ctx = {
    json: Boolean(values.json),
    ...io,
    orgId: process.env.AEP_ORG_ID || EMULATOR_DEFAULTS.orgId,
    sandbox: process.env.AEP_SANDBOX || 'prod',
    taskQueue: (values['task-queue'] as string | undefined) ?? process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    client: async () => {
      if (!connection) {
        connection = await Connection.connect({ ...cfg.connectionOptions, connectTimeout: '5s' }).catch(
          (e: Error) => {
            throw new CliError(
              `Temporal is not reachable at ${address} (${e.message}).\n` +
                `Start a local one with 'npm start' or 'temporal server start-dev', or point TEMPORAL_ADDRESS ` +
                `(and TEMPORAL_NAMESPACE / TEMPORAL_API_KEY) at your cluster.`,
              EXIT.temporalUnreachable,
            );
          },
        );
      }
      return new Client({ connection, namespace: cfg.namespace ?? 'default' });
    },
  };
  try {
    return await command.run(ctx, parsed.positionals, values);
  } catch (err) {
    const [message, code] =
      err instanceof CliError
        ? [err.message, err.exitCode]
        : err instanceof InvalidInputError
          ? [err.message, EXIT.usage]
          : err instanceof DuplicateOnboardingError
            ? [err.message, EXIT.duplicate]
            : [err instanceof Error ? err.message : String(err), EXIT.runFailed];
    if (ctx.json) io.out(JSON.stringify({ status: 'error', error: message, exitCode: code }));
    else io.err(message);
    return code;
  } finally {
    await connection?.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(EXIT.runFailed);
    },
  );
}
