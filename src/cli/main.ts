// `aep-onboard` (also `npm run cli -- ...`): thin entry point. Parse, connect, act, print; exit codes for scripts.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../temporal/codec';
import { EMULATOR_DEFAULTS } from '../shared/aep-constants';
import { DEFAULT_TASK_QUEUE } from '../shared/naming';
import { CliError, EXIT, type Command, type Ctx, type Io, localDevTemporal } from './context';
import { applyCommands } from './apply-command';
import { doctorCommand } from './doctor';
import { driftCommands } from './drift-commands';
import { explain } from './errors';
import { lifecycleCommands } from './lifecycle-commands';
import { onboardingCommands } from './onboarding-commands';
import { presetCommands } from './preset-command';
import { sourcesCommands } from './sources-command';
import { uiLinkCommands } from './ui-link-command';
import { loadTemporalConnectConfig } from '../temporal/connect-config';

export { EXIT } from './context';

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  sandbox: { type: 'string' },
  source: { type: 'string' },
  'task-queue': { type: 'string' },
} as const;

const commands: Record<string, Command> = {
  ...onboardingCommands,
  ...lifecycleCommands,
  ...driftCommands,
  ...sourcesCommands,
  doctor: doctorCommand,
  ...presetCommands,
  ...uiLinkCommands,
  ...applyCommands,
};

function help(): string {
  return [
    'aep-onboard: onboard streaming sources into Adobe Experience Platform, durably (Temporal), and run them after.',
    '',
    'Commands (an onboarding is addressed by its name, or its workflow id):',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`),
    '',
    'Run `aep-onboard <command> --help` for its options. Global: --json (machine output), --sandbox, --source,',
    '--task-queue. Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE...',
    'AEP: AEP_ORG_ID and AEP_SANDBOX (the workflow id derives from org, sandbox, source and name); the AEP',
    'credentials stay with the worker, which runs every AEP call.',
    '',
    'Exit codes: 0 ok, 1 run failed (compensated) or teardown incomplete, 2 usage or invalid input, 3 Temporal',
    'unreachable, 4 duplicate onboarding, 5 not found, 6 cancelled, 7 conflict (plan, update, base connection in',
    'use, drift found or degraded), 8 verification failed, 9 AEP refused the credential (permission, sandbox, IMS),',
    '10 plan -f has changes (apply: awaiting approval).',
  ].join('\n');
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  tty: Boolean(process.stderr.isTTY),
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
};

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * The AEP org, part of every workflow id. The emulator's org is a default only in the local dev setup (Temporal on
 * loopback, as `npm start` and `temporal server start-dev` run it): against a real cluster a missing AEP_ORG_ID would
 * silently address onboardings of an org that does not exist.
 */
function cliOrgId(): string {
  const org = process.env.AEP_ORG_ID?.trim();
  if (org) return org;
  const { address, local } = localDevTemporal();
  if (local) return EMULATOR_DEFAULTS.orgId;
  throw new CliError(
    `AEP_ORG_ID is not set. Set it to your org (XXXX@AdobeOrg): every onboarding's workflow id derives from it ` +
      `(only a local Temporal on ${address.startsWith('[') ? address : 'loopback'} defaults to the emulator's org).`,
    EXIT.usage,
  );
}

export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
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
    parsed = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\nUsage: ${command.usage}`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    io.out(
      [
        command.summary,
        '',
        `Usage: ${command.usage}`,
        ...(command.details?.length ? ['', ...command.details] : []),
      ].join('\n'),
    );
    return EXIT.ok;
  }
  let connection: Connection | undefined;
  let namespace = 'default';
  const json = Boolean(values.json);
  const sandbox = values.sandbox as string | undefined;
  const source = values.source as string | undefined;
  const ctx: Ctx = {
    ...io,
    json,
    get orgId(): string {
      return cliOrgId();
    },
    sandbox: sandbox ?? (process.env.AEP_SANDBOX || 'prod'),
    sandboxGiven: sandbox !== undefined,
    source: source ?? 'chatlio',
    sourceGiven: source !== undefined,
    taskQueue:
      (values['task-queue'] as string | undefined) ?? (process.env.TEMPORAL_TASK_QUEUE || DEFAULT_TASK_QUEUE),
    print: (data, human) => io.out(json ? JSON.stringify(data, null, 2) : human()),
    client: async () => {
      if (!connection) {
        const cfg = loadTemporalConnectConfig();
        const address = cfg.connectionOptions.address ?? 'localhost:7233';
        connection = await Connection.connect({ ...cfg.connectionOptions, connectTimeout: '5s' }).catch(
          (e: Error) => {
            throw new CliError(
              `Temporal is not reachable at ${address} (${e.message}).\n` +
                `Start a local one with 'npm start' (Temporal, emulator and worker) or 'temporal server start-dev', or ` +
                `point TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE / TEMPORAL_API_KEY) at your cluster.`,
              EXIT.temporalUnreachable,
            );
          },
        );
        namespace = cfg.namespace ?? 'default';
      }
      // Same payload encryption as the worker when PAYLOAD_ENCRYPTION_KEY is set (src/temporal/codec.ts).
      return new Client({ connection, namespace, dataConverter: dataConverterFromEnv() });
    },
  };
  try {
    // Before any connection: a missing org is a usage mistake, whatever the command.
    void ctx.orgId;
    return await command.run(ctx, parsed.positionals, values);
  } catch (err) {
    const e = explain(err, ctx.onboardingSandbox ?? ctx.sandbox);
    if (json) {
      io.out(
        JSON.stringify(
          { status: 'error', error: e.message, exitCode: e.exitCode, type: e.type, details: e.details },
          null,
          2,
        ),
      );
    } else {
      io.err(e.message);
    }
    return e.exitCode;
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
