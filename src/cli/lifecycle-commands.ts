// Day-two commands: each runs one lifecycle workflow on the worker (which holds the AEP credentials) and prints
// its result. The onboarding is read first, so a wrong name or a run that holds nothing fails before any workflow.
import { readFileSync } from 'node:fs';
import {
  adoptFlow,
  baseConnectionOperation,
  onboardingRuns,
  teardownOnboarding,
  updateOnboarding,
  verifyOnboarding,
  type OnboardingRecord,
} from '../client/lifecycle';
import { MappingSchema, type Mapping } from '../shared/preset-schema';
import { formatIssues, OnboardingInputSchema } from '../shared/input';
import { UpdateInputSchema, type UpdateInput } from '../shared/lifecycle-input';
import {
  CliError,
  EXIT,
  requireCompleted,
  resolveRecord,
  type Command,
  type Ctx,
  type Values,
  verifyTimeoutMs,
} from './context';
import { formatResult, formatRuns, formatTeardown, formatUpdate, formatVerify } from './format';

const started = (ctx: Ctx, what: string) => (workflowId: string) => {
  if (!ctx.json) ctx.err(`${what}: workflow ${workflowId}`);
};

/** `source=destination` (ATTRIBUTE) or, for --map-expression, `expression=destination`: split at the last `=`. */
function mappingArg(arg: string, sourceType: Mapping['sourceType']): Mapping {
  const at = arg.lastIndexOf('=');
  if (at <= 0 || at === arg.length - 1) {
    throw new CliError(`"${arg}" is not <source>=<destination>`, EXIT.usage);
  }
  return { sourceType, source: arg.slice(0, at), destination: arg.slice(at + 1) };
}

function jsonArg(flag: string, raw: string): unknown {
  try {
    return JSON.parse(raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`, EXIT.usage);
  }
}

function onOff(flag: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new CliError(`${flag} takes on or off`, EXIT.usage);
}

/** The changes asked for on the command line, checked before anything is looked up. */
function updateChanges(values: Values): Omit<UpdateInput, 'workflowId'> {
  const mappings: Mapping[] = [];
  if (values.mappings !== undefined) {
    const parsed = MappingSchema.array().safeParse(jsonArg('--mappings', values.mappings as string));
    if (!parsed.success)
      throw new CliError(`--mappings:\n- ${formatIssues(parsed.error).join('\n- ')}`, EXIT.usage);
    mappings.push(...parsed.data);
  }
  for (const m of (values.map as string[] | undefined) ?? []) mappings.push(mappingArg(m, 'ATTRIBUTE'));
  for (const m of (values['map-expression'] as string[] | undefined) ?? [])
    mappings.push(mappingArg(m, 'EXPRESSION'));
  const partial = values['partial-ingestion'] as string | undefined;
  const options = {
    errorDiagnosticsEnabled: onOff('--error-diagnostics', values['error-diagnostics']),
    partialIngestionPercent: partial === undefined ? undefined : Number(partial),
  };
  const changes = {
    flowName: values['flow-name'] as string | undefined,
    description: values.description as string | undefined,
    flowOptions: Object.values(options).some((v) => v !== undefined) ? options : undefined,
    mappingOverrides: mappings.length ? mappings : undefined,
    dropMappings: (values['drop-mapping'] as string[] | undefined)?.length
      ? (values['drop-mapping'] as string[])
      : undefined,
  };
  const check = UpdateInputSchema.safeParse({ workflowId: '-', ...changes });
  if (!check.success)
    throw new CliError(`Invalid update:\n- ${formatIssues(check.error).join('\n- ')}`, EXIT.usage);
  return changes;
}

async function runUpdate(
  ctx: Ctx,
  ref: string | undefined,
  changes: Omit<UpdateInput, 'workflowId'>,
): Promise<number> {
  const record = await resolveRecord(ctx, ref);
  requireCompleted(record, 'update');
  const result = await updateOnboarding(
    await ctx.client(),
    { ...changes, workflowId: record.workflowId },
    {
      taskQueue: ctx.taskQueue,
      onStarted: started(ctx, 'Updating'),
    },
  );
  ctx.print({ status: 'updated', update: result }, () => formatUpdate(result));
  return EXIT.ok;
}

const stateCommand = (state: 'enabled' | 'disabled'): Command => ({
  summary: `${state === 'enabled' ? 'Enable' : 'Disable'} the onboarding's dataflow (${state === 'enabled' ? 'the inlet accepts events again' : 'the inlet refuses events'})`,
  usage: `aep-onboard ${state === 'enabled' ? 'enable' : 'disable'} <name|workflow-id> [--json]`,
  run: (ctx, positionals) => runUpdate(ctx, positionals[0], { state }),
});

/** What a teardown would delete, as a person checks it before saying yes. */
function teardownTargets(record: OnboardingRecord): string {
  const r = record.result;
  if (!r) return 'whatever its earlier teardown left';
  const managed: Array<[string, string | undefined]> = [
    ['flow', r.ids.flowId],
    ['target connection', r.ids.targetConnectionId],
    ['source connection', r.ids.sourceConnectionId],
    ['mapping set', r.ids.mappingSetId],
    ['dataset', r.reused.dataset ? undefined : r.ids.datasetId],
    ['schema', r.reused.schema ? undefined : r.ids.schemaAltId],
    ['field group', r.ids.fieldGroupId || undefined],
    ['base connection', r.ids.baseConnectionId],
  ];
  const list = managed.filter(([, id]) => id).map(([kind, id]) => `${kind} ${id}`);
  return `${list.join(', ')} in sandbox ${r.sandbox}`;
}

export const lifecycleCommands: Record<string, Command> = {
  teardown: {
    summary:
      'Delete what a completed onboarding created (flow first, field group last); reused resources stay',
    usage: 'aep-onboard teardown <name|workflow-id> [--yes] [--json]',
    details: [
      'Only what the onboarding created (or an adopt run marked as managed) is deleted; already-deleted resources',
      'count as done. Exit code 1 when something is left (each with its id and the reason). Afterwards the name can',
      'be started again. Lists what it will delete and asks first; --yes (-y) skips the question, and is required',
      'where there is no terminal to ask on (scripts, CI): exit code 2 without it, nothing deleted.',
    ],
    options: { yes: { type: 'boolean', short: 'y' } },
    async run(ctx, positionals, values) {
      const record = await resolveRecord(ctx, positionals[0]);
      requireCompleted(record, 'tear down', { allowTornDown: true });
      if (!values.yes) {
        const what = teardownTargets(record);
        const question = `Tear down onboarding ${record.workflowId}: delete ${what}?`;
        if (!ctx.confirm) {
          throw new CliError(
            `${question} Pass --yes to confirm (there is no terminal to ask on).`,
            EXIT.usage,
          );
        }
        if (!(await ctx.confirm(question))) {
          ctx.err('Nothing deleted.');
          return EXIT.cancelled;
        }
      }
      const result = await teardownOnboarding(
        await ctx.client(),
        { workflowId: record.workflowId },
        { taskQueue: ctx.taskQueue, onStarted: started(ctx, 'Tearing down') },
      );
      ctx.print({ status: result.status, teardown: result }, () => formatTeardown(result));
      return result.left.length ? EXIT.runFailed : EXIT.ok;
    },
  },

  update: {
    summary:
      "Change the dataflow's name, description, options or mappings (PATCH with If-Match, PUT mapping set)",
    usage:
      'aep-onboard update <name|workflow-id> [--flow-name N] [--description D] [--error-diagnostics on|off] ' +
      '[--partial-ingestion 0-100] [--map src=dest]... [--map-expression expr=dest]... [--drop-mapping dest]... ' +
      '[--mappings JSON|@file] [--json]',
    details: [
      'Destinations may use _{TENANT} for your tenant namespace, e.g. --map visitor.email=_{TENANT}.chatlio.visitor.email',
      'A mapping change puts a new version of the mapping set and points the flow at it. If someone else changed',
      'the same field meanwhile, nothing is overwritten: exit code 7 with both values.',
    ],
    options: {
      'flow-name': { type: 'string' },
      description: { type: 'string' },
      'error-diagnostics': { type: 'string' },
      'partial-ingestion': { type: 'string' },
      map: { type: 'string', multiple: true },
      'map-expression': { type: 'string', multiple: true },
      'drop-mapping': { type: 'string', multiple: true },
      mappings: { type: 'string' },
    },
    run: (ctx, positionals, values) => runUpdate(ctx, positionals[0], updateChanges(values)),
  },

  enable: stateCommand('enabled'),
  disable: stateCommand('disabled'),

  runs: {
    summary: "The dataflow's runs with their record counts and status; failures marked ✗ with their errors",
    usage: 'aep-onboard runs <name|workflow-id> [--json]',
    async run(ctx, positionals) {
      const record = await resolveRecord(ctx, positionals[0]);
      requireCompleted(record, 'list the runs of');
      const result = await onboardingRuns(
        await ctx.client(),
        { workflowId: record.workflowId },
        { taskQueue: ctx.taskQueue },
      );
      ctx.print({ status: result.failedRuns ? 'failures' : 'ok', runs: result }, () => formatRuns(result));
      return EXIT.ok;
    },
  },

  verify: {
    summary: 'Post a sample of each webhook type and check each lands, mapped, in the dataset (run metrics)',
    usage: 'aep-onboard verify <name|workflow-id> [--timeout 900] [--sync-validation] [--json]',
    details: [
      'Writes the sample records into the dataset. Exit code 8 when a sample does not land, with the reason of each.',
      'AEP lands streamed records within minutes and aggregates the run metrics after that: the workflow checks',
      'every 5 s to 60 s, for up to --timeout seconds (default 900, 15 min).',
      '--sync-validation posts with syncValidation=true: an invalid sample is refused at once, with its errors.',
    ],
    options: { timeout: { type: 'string' }, 'sync-validation': { type: 'boolean' } },
    async run(ctx, positionals, values) {
      const timeoutMs = verifyTimeoutMs('timeout', values.timeout);
      const record = await resolveRecord(ctx, positionals[0]);
      requireCompleted(record, 'verify');
      const result = await verifyOnboarding(
        await ctx.client(),
        {
          workflowId: record.workflowId,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...(values['sync-validation'] ? { syncValidation: true } : {}),
        },
        { taskQueue: ctx.taskQueue, onStarted: started(ctx, 'Verifying') },
      );
      ctx.print({ status: 'verified', verify: result }, () => formatVerify(result));
      return EXIT.ok;
    },
  },

  adopt: {
    summary: 'Take an existing hand-made flow under management, as an onboarding named <name>',
    usage:
      'aep-onboard adopt <name> --flow-id <id> [--source chatlio] [--sandbox prod] [--manage-dataset] [--manage-schema] [--json]',
    details: [
      'Records the flow, its connections, mapping set, dataset and schema, so update, runs, verify and teardown work',
      'on it. Teardown deletes the flow, its connections and its mapping set; the dataset and schema only when',
      'adopted with --manage-dataset / --manage-schema.',
    ],
    options: {
      'flow-id': { type: 'string' },
      'manage-dataset': { type: 'boolean' },
      'manage-schema': { type: 'boolean' },
    },
    async run(ctx, positionals, values) {
      const name = positionals[0];
      const flowId = values['flow-id'] as string | undefined;
      if (!name || !flowId) throw new CliError('adopt needs a <name> and --flow-id <id>', EXIT.usage);
      const check = OnboardingInputSchema.shape.name.safeParse(name);
      if (!check.success) throw new CliError(`name: ${formatIssues(check.error).join('; ')}`, EXIT.usage);
      if (values['manage-schema'] && !values['manage-dataset']) {
        throw new CliError(
          '--manage-schema needs --manage-dataset (a schema cannot go while its dataset stays)',
          EXIT.usage,
        );
      }
      const { workflowId, result } = await adoptFlow(
        await ctx.client(),
        {
          name: check.data,
          source: ctx.source,
          sandbox: ctx.sandbox,
          flowId,
          manageDataset: Boolean(values['manage-dataset']),
          manageSchema: Boolean(values['manage-schema']),
        },
        { orgId: ctx.orgId, taskQueue: ctx.taskQueue, onStarted: started(ctx, 'Adopting') },
      );
      ctx.print({ status: 'adopted', workflowId, result }, () =>
        formatResult(result).replace(/^Onboarding (.*) completed/, `Flow ${flowId} adopted as onboarding $1`),
      );
      return EXIT.ok;
    },
  },

  connection: {
    summary: 'Update (name/description, If-Match) or delete a base connection of an authenticated source',
    usage:
      'aep-onboard connection <update|delete> <connection-id> [--name N] [--description D] [--sandbox prod] [--json]',
    details: [
      'Chatlio has no base connection; this is for sources that have one. Delete is refused (exit 7) while flows',
      'use it. Credentials are never changed here: they would pass through workflow history.',
    ],
    options: { name: { type: 'string' }, description: { type: 'string' } },
    async run(ctx, positionals, values) {
      const [op, connectionId] = positionals;
      if ((op !== 'update' && op !== 'delete') || !connectionId) {
        throw new CliError('Usage: aep-onboard connection <update|delete> <connection-id>', EXIT.usage);
      }
      if (op === 'update' && values.name === undefined && values.description === undefined) {
        throw new CliError('connection update needs --name and/or --description', EXIT.usage);
      }
      const result = await baseConnectionOperation(
        await ctx.client(),
        {
          sandbox: ctx.sandbox,
          connectionId,
          op,
          name: values.name as string | undefined,
          description: values.description as string | undefined,
        },
        { taskQueue: ctx.taskQueue },
      );
      ctx.print({ status: op === 'delete' ? 'deleted' : 'updated', connection: result }, () =>
        result.op === 'delete'
          ? `Base connection ${connectionId} ${result.existed ? 'deleted' : 'was already gone'}.`
          : result.changed.length
            ? `Base connection ${connectionId} updated (${result.changed.join(', ')}); etag ${result.etag}.`
            : `Base connection ${connectionId} already had those values.`,
      );
      return EXIT.ok;
    },
  },
};
