// Day-one commands: start (and plan before it), then follow, inspect, list and cancel onboardings.
import { readFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { formatOnboardingDrift, healthBySandbox } from './drift-commands';
import { listOnboardings, planOnboarding, readOnboardingRecord } from '../client/lifecycle';
import { followOnboarding, startOnboarding, type OnboardingHandle } from '../client/onboarding';
import { PresetRegistry } from '../presets/registry';
import type { onboardStreamingSource } from '../workflows';
import { getProgressQuery } from '../workflows/onboarding';
import {
  CliError,
  EXIT,
  resolveOnboardingId,
  resolveRecord,
  type Command,
  type Ctx,
  type Values,
  verifyTimeoutMs,
} from './context';
import { FILE_OPTIONS, runPlanFile } from './apply-command';
import { explain } from './errors';
import { formatList, formatPlan, formatProgress, formatRecord, formatResult } from './format';
import { warnWhenNoWorker } from './worker-check';

/** The onboarding input: --input (JSON or @file), then the positional name and the flags on top. */
export function parseInput(ctx: Ctx, values: Values, positionals: string[]): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  const raw = values.input as string | undefined;
  if (raw) {
    let text: string;
    try {
      text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
    } catch (e) {
      throw new CliError(`--input: cannot read ${raw.slice(1)}: ${(e as Error).message}`, EXIT.usage);
    }
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
  if (ctx.sourceGiven || input.source === undefined) input.source = ctx.source;
  if (ctx.sandboxGiven) input.sandbox = ctx.sandbox;
  if (values.verify) input.verify = true;
  const timeoutMs = verifyTimeoutMs('verify-timeout', values['verify-timeout']);
  if (timeoutMs !== undefined) input.verifyTimeoutMs = timeoutMs;
  if (values['sync-validation']) input.verifySyncValidation = true;
  return input;
}

/** Follows a run to its end: a step list (redrawn in place on a terminal), then the result or the failure. */
export async function followAndReport(ctx: Ctx, handle: OnboardingHandle, sandbox?: string): Promise<number> {
  let drawn = 0;
  try {
    const result = await followOnboarding(handle, (p) => {
      if (ctx.json) return;
      const text = formatProgress(p);
      if (ctx.tty && drawn) ctx.err(`\x1b[${drawn}F\x1b[J${text}`);
      else ctx.err(text);
      drawn = text.split('\n').length;
    });
    ctx.print({ status: 'completed', workflowId: handle.workflowId, result }, () => formatResult(result));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const e = explain(err, sandbox);
    if (ctx.json) {
      ctx.out(
        JSON.stringify(
          {
            status: e.exitCode === EXIT.cancelled ? 'cancelled' : 'failed',
            workflowId: handle.workflowId,
            // `error` as in every other command's error document; `message` kept for existing scripts.
            error: e.message,
            message: e.message,
            exitCode: e.exitCode,
            type: e.type,
            details: e.details,
          },
          null,
          2,
        ),
      );
    } else {
      ctx.err(e.message);
    }
    return e.exitCode;
  }
}

const onboardingHandle = async (ctx: Ctx, id: string): Promise<OnboardingHandle> =>
  (await ctx.client()).workflow.getHandle<typeof onboardStreamingSource>(id);

const knownSources = () => PresetRegistry.fromEnv().ids();

export const onboardingCommands: Record<string, Command> = {
  start: {
    summary: 'Start an onboarding and follow it until it ends (or --no-wait)',
    usage:
      'aep-onboard start <name> [--source chatlio] [--sandbox prod] [--input JSON|@file] [--verify [--verify-timeout 900] [--sync-validation]] [--no-wait] [--json]',
    details: [
      '--input takes the whole onboarding input (see README "Starting an onboarding"); <name> and the flags win over it.',
      '--verify posts a sample of each webhook type at the end and fails (and undoes everything) if one does not land',
      'within --verify-timeout seconds (default 900: AEP lands streamed records within minutes).',
    ],
    options: {
      input: { type: 'string' },
      'no-wait': { type: 'boolean' },
      verify: { type: 'boolean' },
      'verify-timeout': { type: 'string' },
      'sync-validation': { type: 'boolean' },
    },
    async run(ctx, positionals, values) {
      const input = parseInput(ctx, values, positionals);
      const client = await ctx.client();
      const { handle, workflowId } = await startOnboarding(client, input, {
        orgId: ctx.orgId,
        defaultSandbox: ctx.sandbox,
        taskQueue: ctx.taskQueue,
        knownSources: knownSources(),
      });
      if (values['no-wait']) {
        ctx.print({ status: 'started', workflowId, runId: handle.firstExecutionRunId }, () => workflowId);
        return EXIT.ok;
      }
      if (!ctx.json) ctx.err(`Started onboarding ${workflowId}`);
      const stopCheck = warnWhenNoWorker(ctx, client, ctx.taskQueue);
      try {
        return await followAndReport(ctx, handle, (input.sandbox as string | undefined) ?? ctx.sandbox);
      } finally {
        stopCheck();
      }
    },
  },

  plan: {
    summary: 'Dry run: what an onboarding would create, reuse or conflict with, from live AEP state',
    usage:
      'aep-onboard plan <name> [--source chatlio] [--sandbox prod] [--input JSON|@file] [--json]\n' +
      '       aep-onboard plan -f onboardings.yaml [--prune] [--json]',
    details: [
      'Writes nothing. Exit code 7 when something conflicts.',
      'With -f: the plan of a desired-state file (create / change field by field / no change / conflict, and what',
      'is ours but not in the file); exit code 0 no change, 10 changes to apply, 7 conflicts.',
    ],
    options: { input: { type: 'string' }, ...FILE_OPTIONS },
    async run(ctx, positionals, values) {
      if (values.file) return runPlanFile(ctx, values);
      const input = parseInput(ctx, values, positionals);
      const plan = await planOnboarding(await ctx.client(), input, {
        orgId: ctx.orgId,
        defaultSandbox: ctx.sandbox,
        taskQueue: ctx.taskQueue,
        knownSources: knownSources(),
      });
      ctx.print({ status: plan.conflict.length ? 'conflict' : 'planned', plan }, () => formatPlan(plan));
      return plan.conflict.length ? EXIT.conflict : EXIT.ok;
    },
  },

  status: {
    summary: 'Where an onboarding stands: its status (incl. torn down), each step, ids so far',
    usage: 'aep-onboard status <name|workflow-id> [--json]',
    async run(ctx, positionals) {
      const record = await resolveRecord(ctx, positionals[0]);
      const handle = await onboardingHandle(ctx, record.workflowId);
      const progress =
        record.kind === 'onboarding'
          ? await handle.query(getProgressQuery).catch(() => undefined)
          : undefined;
      // The sandbox's latest scheduled drift check, when there is one: degraded and drifted show here.
      const drift = record.result
        ? (await healthBySandbox(ctx, [record.result.sandbox])).get(record.workflowId)
        : undefined;
      ctx.print(
        {
          workflowId: record.workflowId,
          runId: record.runId,
          kind: record.kind,
          status: record.status,
          lifecycle: record.lifecycle,
          progress,
          result: record.result,
          teardown: record.teardown,
          ...(drift ? { health: drift.health, drift } : {}),
        },
        () =>
          [
            formatRecord(record),
            ...(drift ? formatOnboardingDrift(drift) : []),
            ...(progress ? [formatProgress(progress)] : []),
          ].join('\n'),
      );
      return EXIT.ok;
    },
  },

  watch: {
    summary: 'Follow an onboarding live (its step list) until it ends',
    usage: 'aep-onboard watch <name|workflow-id> [--json]',
    async run(ctx, positionals) {
      const id = await resolveOnboardingId(ctx, positionals[0]);
      const handle = await onboardingHandle(ctx, id);
      return followAndReport(ctx, handle, ctx.sandbox);
    },
  },

  result: {
    summary: 'The result of a completed onboarding (webhook URL, ids, etags), or why it failed',
    usage: 'aep-onboard result <name|workflow-id> [--json]',
    async run(ctx, positionals) {
      const record = await resolveRecord(ctx, positionals[0]);
      if (record.status === 'RUNNING') {
        throw new CliError(
          `Onboarding ${record.workflowId} is still ${record.lifecycle}; 'aep-onboard watch ${record.workflowId}' follows it.`,
          EXIT.runFailed,
          { lifecycle: record.lifecycle },
        );
      }
      if (!record.result) {
        return followAndReport(ctx, await onboardingHandle(ctx, record.workflowId), ctx.sandbox);
      }
      const result = record.result;
      ctx.print(
        { status: 'completed', lifecycle: record.lifecycle, workflowId: record.workflowId, result },
        () =>
          [
            formatResult(result),
            ...(record.lifecycle !== 'completed' ? ['', `Now: ${record.lifecycle}.`] : []),
          ].join('\n'),
      );
      return EXIT.ok;
    },
  },

  cancel: {
    summary: 'Cancel a running onboarding; it deletes what it created',
    usage: 'aep-onboard cancel <name|workflow-id> [--no-wait] [--json]',
    options: { 'no-wait': { type: 'boolean' } },
    async run(ctx, positionals, values) {
      const id = await resolveOnboardingId(ctx, positionals[0]);
      const client = await ctx.client();
      const record = await readOnboardingRecord(client, id);
      if (record && record.status !== 'RUNNING') {
        throw new CliError(
          `Onboarding ${id} is not running (it is ${record.lifecycle}).` +
            (record.result ? ` To remove what it created: aep-onboard teardown ${id}` : ''),
          EXIT.runFailed,
          { lifecycle: record.lifecycle },
        );
      }
      const handle = client.workflow.getHandle<typeof onboardStreamingSource>(id);
      await handle.cancel();
      if (values['no-wait']) {
        ctx.print({ status: 'cancel-requested', workflowId: id }, () => 'Cancel requested');
        return EXIT.ok;
      }
      return followAndReport(ctx, handle, ctx.sandbox);
    },
  },

  list: {
    summary: 'All onboardings (latest run of each) with their status, through search attributes',
    usage: 'aep-onboard list [--source chatlio] [--sandbox prod] [--json]',
    async run(ctx) {
      const rows = await listOnboardings(await ctx.client(), {
        source: ctx.sourceGiven ? ctx.source : undefined,
        sandbox: ctx.sandboxGiven ? ctx.sandbox : undefined,
      });
      const health = await healthBySandbox(
        ctx,
        rows.flatMap((r) => (r.sandbox ? [r.sandbox] : [])),
      );
      const shown = rows.map((r) => {
        const d = health.get(r.workflowId);
        return d ? { ...r, health: d.health, drift: d.drift } : r;
      });
      ctx.print(shown, () => formatList(shown));
      return EXIT.ok;
    },
  },
};
