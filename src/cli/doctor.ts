// `aep-onboard doctor`: a preflight of the configured AEP (real or emulated) and of the Temporal side, read-only
// unless --deep. It needs the worker's AEP settings (AEP_CLIENT_SECRET included): it checks that credential.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { createAepClient, loadAepConfig, AepConfigError, type AepClient, type Exchange } from '../aep';
import { PresetRegistry } from '../presets/registry';
import type { SourcePreset } from '../shared/preset-schema';
import { EMULATOR_DEFAULTS } from '../shared/aep-constants';
import { CliError, EXIT, localDevTemporal, type Command, type Ctx, type Values } from './context';
import { aepChecks, type ServerDate } from './doctor-checks';
import { runDeep } from './doctor-deep';
import { ShapeRecorder } from './doctor-record';
import { formatChecks, type DoctorReport } from './doctor-report';
import { temporalChecks } from './doctor-temporal';

export const DOCTOR_EXIT = { ok: EXIT.ok, failed: 1, usage: EXIT.usage } as const;

function presetsToCheck(ctx: Ctx, registry: PresetRegistry): SourcePreset[] {
  if (!ctx.sourceGiven) return registry.ids().map((id) => registry.get(id)!);
  const preset = registry.get(ctx.source);
  if (!preset) {
    throw new CliError(
      `Unknown source "${ctx.source}"; known: ${registry.ids().join(', ')}.`,
      DOCTOR_EXIT.usage,
    );
  }
  return [preset];
}

/** Before any check runs: a file that cannot be written would otherwise fail the command at its very end. */
function checkWritable(file: string): void {
  try {
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
  } catch {
    throw new CliError(
      `--record: cannot write ${file} (its directory is missing or read-only).`,
      DOCTOR_EXIT.usage,
    );
  }
}

function checkDeepUsage(ctx: Ctx, values: Values): void {
  if (!values.deep) {
    if (values['allow-prod']) throw new CliError('--allow-prod goes with --deep.', DOCTOR_EXIT.usage);
    return;
  }
  if (!ctx.sandboxGiven) {
    throw new CliError(
      '--deep creates and deletes resources: name the sandbox it may use with --sandbox <name> (a development sandbox).',
      DOCTOR_EXIT.usage,
    );
  }
  if (ctx.sandbox === 'prod' && !values['allow-prod']) {
    throw new CliError(
      '--deep refuses the production sandbox "prod": use a development sandbox, or add --allow-prod.',
      DOCTOR_EXIT.usage,
    );
  }
}

/**
 * The AEP doctor checks: the one the AEP_* settings name, else, in the local dev setup with none set, the emulator
 * `npm start` runs (its port and credential, src/dev/start.ts), so `npm run cli -- doctor` beside `npm start` needs
 * no settings, as the other commands need none there. Anywhere else a missing setting stays an error.
 */
function doctorEnv(ctx: Ctx): NodeJS.ProcessEnv {
  const env = process.env;
  if (env.AEP_PLATFORM_URL || env.AEP_CLIENT_ID || env.AEP_CLIENT_SECRET || !localDevTemporal().local)
    return env;
  const url = `http://127.0.0.1:${env.EMULATOR_PORT || 8090}`;
  ctx.err(`No AEP_* settings and Temporal on loopback: checking the emulator of 'npm start' at ${url}.`);
  return {
    ...env,
    AEP_PLATFORM_URL: url,
    AEP_IMS_URL: url,
    AEP_CLIENT_ID: EMULATOR_DEFAULTS.clientId,
    AEP_CLIENT_SECRET: EMULATOR_DEFAULTS.clientSecret,
    AEP_ORG_ID: env.AEP_ORG_ID || EMULATOR_DEFAULTS.orgId,
  };
}

/** The AEP client of the checks: every answer's Date header noted, every exchange given to the recorder. */
function doctorClient(
  ctx: Ctx,
  recorder: ShapeRecorder | undefined,
): { aep: AepClient; lastDate: () => ServerDate | undefined } {
  let config;
  try {
    config = loadAepConfig(doctorEnv(ctx));
  } catch (err) {
    if (!(err instanceof AepConfigError)) throw err;
    throw new CliError(
      `${err.message}. doctor checks the worker's AEP credential: run it with the worker's AEP_* settings.`,
      DOCTOR_EXIT.usage,
    );
  }
  let last: ServerDate | undefined;
  const onExchange = (ex: Exchange) => {
    const date = Date.parse(ex.responseHeaders['date'] ?? '');
    if (Number.isFinite(date)) last = { serverMs: date, localMs: Date.now() };
    recorder?.onExchange(ex);
  };
  const aep = createAepClient({ ...config, sandbox: ctx.sandbox }, { onExchange });
  return { aep, lastDate: () => last };
}

export const doctorCommand: Command = {
  summary: 'Preflight: IMS token, org, sandbox, tenant, source specs, clock, Temporal namespace and worker',
  usage:
    'aep-onboard doctor [--sandbox S] [--source chatlio] [--task-queue Q] [--deep --sandbox S [--allow-prod]] [--record FILE] [--json]',
  details: [
    "Read-only. Needs the worker's AEP settings (AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID, AEP_PLATFORM_URL...).",
    'Prints one line per check (✓ ok, ✗ failed, ! warning, - skipped) and a fix under each failure.',
    '--deep also runs a real onboarding (with verify) through the worker in --sandbox (required; prod only with',
    '--allow-prod), reads back everything it created, and tears it down.',
    '--record FILE writes the shapes (keys and types, no values) of every AEP answer doctor got, for',
    "'npm run emulator:compare -- FILE'.",
    'Exit codes: 0 every check passed (warnings allowed), 1 a check (or the deep run) failed, 2 usage or configuration.',
  ],
  options: {
    deep: { type: 'boolean' },
    'allow-prod': { type: 'boolean' },
    record: { type: 'string' },
  },
  async run(ctx, _positionals, values) {
    checkDeepUsage(ctx, values);
    const registry = PresetRegistry.fromEnv();
    const presets = presetsToCheck(ctx, registry);
    const recordFile = values.record as string | undefined;
    if (recordFile) checkWritable(recordFile);
    const recorder = recordFile ? new ShapeRecorder() : undefined;
    const { aep, lastDate } = doctorClient(ctx, recorder);
    try {
      const checks = [
        ...(await aepChecks({ aep, sandbox: ctx.sandbox, presets, lastDate })),
        ...(await temporalChecks(ctx)),
      ];
      const report: DoctorReport = { status: 'ok', exitCode: DOCTOR_EXIT.ok, checks };
      const failed = () => report.checks.some((c) => c.status === 'fail');
      let ids: Record<string, string> = {};
      let tenantId = checks.find((c) => c.id === 'tenant')?.value;
      if (values.deep) {
        const sandbox = checks.find((c) => c.id === 'sandbox');
        if (failed()) {
          report.deep = {
            sandbox: ctx.sandbox,
            status: 'failed',
            error: 'not run: fix the failed checks first',
            readBack: [],
          };
        } else if (sandbox?.value === 'production' && !values['allow-prod']) {
          throw new CliError(
            `--deep refuses "${ctx.sandbox}": AEP says it is a production sandbox. Use a development one, or add --allow-prod.`,
            DOCTOR_EXIT.usage,
          );
        } else {
          const deep = await runDeep(ctx, aep, {
            sandbox: ctx.sandbox,
            source: presets.some((p) => p.id === ctx.source) ? ctx.source : presets[0]!.id,
            knownSources: registry.ids(),
          });
          report.deep = deep.report;
          ids = deep.ids;
          tenantId = deep.tenantId ?? tenantId;
        }
      }
      if (recorder && recordFile) {
        report.record = {
          file: recordFile,
          operations: recorder.write(recordFile, ids, tenantId, ctx.sandbox),
        };
      }
      if (failed() || report.deep?.status === 'failed') {
        report.status = 'failed';
        report.exitCode = DOCTOR_EXIT.failed;
      }
      ctx.print(report, () => formatChecks(report));
      return report.exitCode;
    } finally {
      await aep.close();
    }
  },
};
