// `aep-onboard drift [name] [--schedule [--every 10m]] [--json]` and `aep-onboard reconcile <name>`; plus the
// health that `list` and `status` show (the sandbox's latest scheduled check).
import {
  ensureDriftSchedule,
  latestDriftCheck,
  parseDuration,
  reconcileOnboarding,
  runDriftCheck,
} from '../client/drift';
import {
  driftIntervalProblem,
  type DriftCheckResult,
  type OnboardingDrift,
  type ReconcileResult,
} from '../shared/contracts/drift';
import { CliError, EXIT, requireCompleted, resolveRecord, type Command, type Ctx } from './context';

function durationFlag(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
  if (ms === undefined) throw new CliError(`--${flag} takes a duration like 90s, 10m, 1h or 2d`, EXIT.usage);
  return ms;
}

export function formatOnboardingDrift(o: OnboardingDrift): string[] {
  const lines = [`${o.name} (${o.workflowId}): drift ${o.drift}, ${o.health}`];
  for (const m of o.missing) lines.push(`  missing: ${m}`);
  for (const c of o.changed)
    lines.push(
      `  changed: ${c.resource}.${c.field}: ${JSON.stringify(c.live)} (want ${JSON.stringify(c.desired)})`,
    );
  for (const r of o.reasons) lines.push(`  degraded: ${r}`);
  for (const e of o.errors) lines.push(`    ${e.code ?? ''} ${e.message ?? ''}`.trimEnd());
  if (o.error) lines.push(`  not checked: ${o.error}`);
  return lines;
}

export function formatDriftCheck(r: DriftCheckResult): string {
  if (!r.onboardings.length) return `No managed onboardings in sandbox ${r.sandbox}.`;
  return [
    `Sandbox ${r.sandbox}: drift ${r.drift}, ${r.health} (checked ${new Date(r.checkedAt).toISOString()})`,
    ...r.onboardings.flatMap(formatOnboardingDrift),
  ].join('\n');
}

export function formatReconcile(r: ReconcileResult): string {
  const lines = r.actions.length
    ? r.actions.map(
        (a) =>
          `${a.action === 'recreated' ? 'Re-created' : 'Re-applied'} ${a.resource} ${a.id}` +
          (a.previousId && a.previousId !== a.id ? ` (was ${a.previousId})` : '') +
          (a.fields?.length ? `: ${a.fields.join(', ')}` : ''),
      )
    : [`Onboarding ${r.name} already had its desired state: nothing to do.`];
  if (r.unresolved.length)
    lines.push(`Not restored (fix by hand, or tear down and onboard again): ${r.unresolved.join(', ')}`);
  lines.push(
    r.webhookUrlChanged
      ? `THE WEBHOOK URL CHANGED (the dataflow was re-created). Paste the new one into the source:\n  ${r.webhookUrl}\n  (was ${r.previousWebhookUrl})`
      : `The webhook URL is unchanged: ${r.webhookUrl}`,
  );
  return lines.join('\n');
}

/** The latest scheduled check of each sandbox, by onboarding id (what `list` and `status` show). */
export async function healthBySandbox(
  ctx: Ctx,
  sandboxes: Iterable<string>,
): Promise<Map<string, OnboardingDrift>> {
  const out = new Map<string, OnboardingDrift>();
  const client = await ctx.client();
  for (const sandbox of new Set(sandboxes)) {
    const check = await latestDriftCheck(client, ctx.orgId, sandbox).catch(() => undefined);
    for (const o of check?.onboardings ?? []) out.set(o.workflowId, o);
  }
  return out;
}

export const driftCommands: Record<string, Command> = {
  drift: {
    summary: 'Drift and health: owned fields changed or missing in AEP, failing or silent flows; --schedule',
    usage:
      'aep-onboard drift [name|workflow-id] [--schedule [--every 1h]] [--silence 24h] [--sandbox prod] [--json]',
    details: [
      'Checks now (every managed onboarding of the sandbox, or the one named) and prints what differs from the',
      'recorded desired state (the onboarding folded with its updates and reconciles) and its health. Exit code 7',
      'when something drifted or is degraded. --schedule creates (or updates) the sandbox schedule',
      'aep-drift-<org>-<sandbox> instead, every --every (default 1h); the scheduled checks call the worker',
      'notification hook (AEP_NOTIFY_URL) on state changes. --silence: degraded after this long with nothing received (0: off).',
    ],
    options: {
      schedule: { type: 'boolean' },
      every: { type: 'string' },
      silence: { type: 'string' },
    },
    async run(ctx, positionals, values) {
      const silenceMs = durationFlag('silence', values.silence);
      const client = await ctx.client();
      if (values.schedule) {
        if (positionals[0]) throw new CliError('--schedule is per sandbox: name no onboarding', EXIT.usage);
        const everyMs = durationFlag('every', values.every);
        const problem = everyMs === undefined ? undefined : driftIntervalProblem(everyMs);
        if (problem) throw new CliError(`--every: ${problem}`, EXIT.usage);
        const s = await ensureDriftSchedule(client, {
          orgId: ctx.orgId,
          sandbox: ctx.sandbox,
          everyMs,
          silenceMs,
          taskQueue: ctx.taskQueue,
        });
        ctx.print(
          { status: s.created ? 'created' : 'updated', schedule: s },
          () =>
            `Drift schedule ${s.scheduleId} ${s.created ? 'created' : 'updated'}: every ${s.everyMs / 1000} s.`,
        );
        return EXIT.ok;
      }
      if (values.every !== undefined) throw new CliError('--every goes with --schedule', EXIT.usage);
      let workflowId: string | undefined;
      let sandbox = ctx.sandbox;
      if (positionals[0]) {
        const record = await resolveRecord(ctx, positionals[0]);
        requireCompleted(record, 'check');
        workflowId = record.workflowId;
        sandbox = record.result.sandbox;
      }
      const result = await runDriftCheck(
        client,
        {
          orgId: ctx.orgId,
          sandbox,
          ...(workflowId ? { workflowId } : {}),
          ...(silenceMs !== undefined ? { silenceMs } : {}),
        },
        { taskQueue: ctx.taskQueue },
      );
      const bad = result.drift !== 'none' || result.health !== 'healthy';
      ctx.print({ status: bad ? 'drifted' : 'ok', drift: result }, () => formatDriftCheck(result));
      return bad ? EXIT.conflict : EXIT.ok;
    },
  },

  reconcile: {
    summary:
      'Restore the desired state: re-create missing pieces (new flow => new webhook URL), re-apply changes',
    usage: 'aep-onboard reconcile <name|workflow-id> [--json]',
    async run(ctx, positionals) {
      const record = await resolveRecord(ctx, positionals[0]);
      requireCompleted(record, 'reconcile');
      const result = await reconcileOnboarding(
        await ctx.client(),
        { workflowId: record.workflowId },
        {
          taskQueue: ctx.taskQueue,
          onStarted: (id) => {
            if (!ctx.json) ctx.err(`Reconciling: workflow ${id}`);
          },
        },
      );
      ctx.print({ status: 'reconciled', reconcile: result }, () => formatReconcile(result));
      return EXIT.ok;
    },
  },
};
