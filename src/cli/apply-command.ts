// `aep-onboard plan -f <file>` and `aep-onboard apply -f <file>`: a desired-state file, planned and applied by the
// worker (planDesiredState, applyDesiredState). The file is checked here first, every problem by path.
import { readFileSync } from 'node:fs';
import {
  approveApply,
  planDesiredFile,
  rejectApply,
  StalePlanError,
  startApply,
  waitForPlan,
  type ApplyHandle,
} from '../client/apply';
import { PresetRegistry } from '../presets/registry';
import type { ApplyEntryReport, ApplyResult, DesiredPlan } from '../shared/contracts/desired';
import { hasChanges, planLines, summaryLine } from '../shared/desired-plan';
import { checkDesiredState, readDesiredDocument } from '../shared/desired-state';
import { CliError, EXIT, type Command, type Ctx, type Values } from './context';

export const FILE_OPTIONS = {
  file: { type: 'string', short: 'f' },
  prune: { type: 'boolean' },
} as const;

/** The file's document, checked as a whole (the worker checks it again); the CLI's sandbox fills in a missing one. */
function readFile(ctx: Ctx, values: Values): Record<string, unknown> {
  const path = values.file as string;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`-f: cannot read ${path}: ${(e as Error).message}`, EXIT.usage);
  }
  const doc = readDesiredDocument(text, path.endsWith('.json') ? 'json' : 'yaml');
  const fail = (problems: string[]) =>
    new CliError(`${path}: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`, EXIT.usage, {
      problems,
    });
  if (!doc.ok) throw fail(doc.problems);
  // Resolved once, here, as `start` does: the worker's own AEP_SANDBOX must not decide which sandbox is planned.
  const file =
    doc.value && typeof doc.value === 'object' && !Array.isArray(doc.value)
      ? { sandbox: ctx.sandbox, ...(doc.value as Record<string, unknown>) }
      : doc.value;
  const check = checkDesiredState(file, {
    defaultSandbox: ctx.sandbox,
    knownSources: PresetRegistry.fromEnv().ids(),
  });
  if (!check.ok) throw fail(check.problems);
  return file as Record<string, unknown>;
}

const planExit = (plan: DesiredPlan) =>
  plan.summary.conflict ? EXIT.conflict : hasChanges(plan.summary) ? EXIT.changes : EXIT.ok;

/** `plan -f`: the plan of the file, exit 0 (no change), 10 (changes), 7 (conflicts). */
export async function runPlanFile(ctx: Ctx, values: Values): Promise<number> {
  const file = readFile(ctx, values);
  const plan = await planDesiredFile(
    await ctx.client(),
    { file, prune: Boolean(values.prune) },
    { orgId: ctx.orgId, taskQueue: ctx.taskQueue },
  );
  ctx.print({ status: 'planned', plan }, () => [`Plan ${plan.hash}:`, ...planLines(plan)].join('\n'));
  return planExit(plan);
}

function reportLine(r: ApplyEntryReport): string {
  const head = `${r.outcome}: ${r.source} "${r.name}" (sandbox ${r.sandbox}, workflow ${r.workflowId})`;
  const more = [
    r.ids ? `    flow ${r.ids.flowId}, dataset ${r.ids.datasetId}, mapping set ${r.ids.mappingSetId}` : '',
    r.webhookUrl && r.outcome === 'created' ? `    webhook URL: ${r.webhookUrl}` : '',
    r.changed?.length ? `    changed: ${r.changed.join(', ')}` : '',
    r.error ? `    ${r.error}` : '',
  ].filter(Boolean);
  return [head, ...more].join('\n');
}

export function formatApply(result: ApplyResult): string {
  return [...result.reports.map(reportLine), `Apply ${result.status}: ${summaryLine(result.summary)}`].join(
    '\n',
  );
}

async function finish(ctx: Ctx, handle: ApplyHandle, plan: DesiredPlan | undefined): Promise<number> {
  const result = await handle.result();
  ctx.print({ status: result.status, plan, result }, () => formatApply(result));
  if (result.status === 'partly-failed') return EXIT.runFailed;
  if (result.status === 'rejected') return EXIT.cancelled;
  // Entries in conflict were left as they are: the apply did what it could, but the file is not what AEP holds.
  return result.summary.conflict ? EXIT.conflict : EXIT.ok;
}

export const applyCommands: Record<string, Command> = {
  apply: {
    summary: 'Apply a desired-state file: plan, approve (by the plan hash), then create/update/delete',
    usage:
      'aep-onboard apply -f onboardings.yaml [--prune] [--auto-approve | --yes] [--concurrency 4] [--replan-every 60] [--json]',
    details: [
      'Shows the plan and asks on a terminal; --yes approves the plan shown without asking, --auto-approve lets the',
      'workflow apply without waiting. Without either and no terminal the apply waits for approval: the `approve`',
      'Update with {"planHash": "…"} (Web UI: Send an Update), exit code 10. A plan whose hash changed (the live state',
      'moved) is refused as stale. Onboardings of ours in the file’s sandboxes that it does not list are deleted',
      '(teardown) only with --prune.',
    ],
    options: {
      ...FILE_OPTIONS,
      'auto-approve': { type: 'boolean' },
      yes: { type: 'boolean' },
      concurrency: { type: 'string' },
      'replan-every': { type: 'string' },
    },
    async run(ctx, _positionals, values) {
      if (!values.file) throw new CliError('apply needs -f <file>', EXIT.usage);
      const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
      if (
        concurrency !== undefined &&
        !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 50)
      )
        throw new CliError('--concurrency takes a whole number from 1 to 50', EXIT.usage);
      const replan = values['replan-every'] === undefined ? undefined : Number(values['replan-every']);
      if (replan !== undefined && !(replan >= 1 && replan <= 86_400))
        throw new CliError('--replan-every takes seconds (1 to 86400)', EXIT.usage);
      const file = readFile(ctx, values);
      const autoApprove = Boolean(values['auto-approve']);
      const handle = await startApply(
        await ctx.client(),
        {
          file,
          prune: Boolean(values.prune),
          autoApprove,
          ...(concurrency ? { concurrency } : {}),
          ...(replan ? { replanEveryMs: replan * 1000 } : {}),
        },
        { orgId: ctx.orgId, taskQueue: ctx.taskQueue },
      );
      if (!ctx.json) ctx.err(`Apply: workflow ${handle.workflowId}`);
      const progress = await waitForPlan(handle);
      const plan = progress?.plan;
      if (!plan || progress.phase !== 'awaiting-approval') return finish(ctx, handle, plan);
      if (!ctx.json) ctx.out([`Plan ${plan.hash}:`, ...planLines(plan)].join('\n'));
      // --auto-approve that joined a run of the same file already waiting (started without it): approved here.
      const yes =
        autoApprove ||
        Boolean(values.yes) ||
        (ctx.confirm ? await ctx.confirm(`Apply plan ${plan.hash}?`) : undefined);
      if (yes === undefined) {
        ctx.print({ status: 'awaiting-approval', workflowId: handle.workflowId, plan }, () =>
          [
            `Waiting for approval: workflow ${handle.workflowId}. Approve with --yes, or send the Update`,
            `"approve" with {"planHash": "${plan.hash}"} (Web UI: Send an Update).`,
          ].join('\n'),
        );
        return EXIT.changes;
      }
      if (!yes) {
        ctx.err('Not applied.');
        await rejectApply(handle, 'declined at the terminal');
        return finish(ctx, handle, plan);
      }
      try {
        await approveApply(handle, plan.hash);
      } catch (err) {
        if (err instanceof StalePlanError)
          throw new CliError(`${err.message} (workflow ${handle.workflowId} still waits)`, EXIT.conflict, {
            workflowId: handle.workflowId,
          });
        throw err;
      }
      return finish(ctx, handle, plan);
    },
  },
};
