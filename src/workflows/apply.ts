// applyDesiredState: one durable run per apply of a desired-state file. It plans (an activity), shows the plan (the
// query and Current Details), waits for the `approve` Update naming the plan's hash, then applies with bounded
// concurrency through child workflows (./apply-children.ts). While it waits it plans again on a timer, so a live
// change makes the shown hash stale; the approval's handler plans once more and refuses it if the hash moved.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ApplyInput,
  ApplyProgress,
  ApplyResult,
  ApproveInput,
  ApproveResult,
  DesiredPlan,
} from '../shared/contracts/desired';
import { hasChanges, planLines } from '../shared/desired-plan';
import { FAILURE_TYPES } from '../shared/failures';
import { applyEntry, boundedAll, entryReport } from './apply-children';
import { act, check, READ, validated } from './options';
import { refuseTooDeep } from './validation';

export const getApplyProgressQuery = defineQuery<ApplyProgress>('getApplyProgress');
/** Approves the plan whose hash the approver saw; refused (validator) when that is not the latest plan's. */
export const approveUpdate = defineUpdate<ApproveResult, [ApproveInput]>('approve');
/** Ends the apply without applying anything. */
export const rejectUpdate = defineUpdate<void, [{ reason?: string }]>('reject');

export const DEFAULT_APPLY_CONCURRENCY = 4;
export const DEFAULT_REPLAN_EVERY_MS = 60_000;

function staleMessage(shown: string, latest: string): string {
  return (
    `The plan ${shown} is stale: the latest plan is ${latest} (the live state or the records changed since it was ` +
    'shown). Look at the plan again and approve its hash.'
  );
}

export async function applyDesiredState(input: ApplyInput): Promise<ApplyResult> {
  refuseTooDeep(input, 'operation');
  const state = await validated(() => check.validateDesiredState({ raw: input.file }));
  const progress: ApplyProgress = { phase: 'planning', reports: [] };
  setHandler(getApplyProgressQuery, () => progress, {
    description: 'The plan (with its hash) and, once applying, the outcome per onboarding',
  });
  const show = () => {
    const head = `**Apply** — ${progress.phase}${progress.plan ? `, plan \`${progress.plan.hash}\`` : ''}`;
    const body = progress.plan ? planLines(progress.plan) : [];
    const done = progress.reports.map(
      (r) => `${r.outcome}: ${r.source} "${r.name}"${r.error ? ` — ${r.error}` : ''}`,
    );
    setCurrentDetails([head, '', '```', ...body, '```', ...done].join('\n'));
  };

  // The hash of the plan shown goes along: an unchanged plan comes back without its entries (the history of a run
  // that waits for days then holds one plan per change, not one per timer).
  const planOnce = () =>
    act(READ, 'Plan the desired state against live AEP (GETs only)').computeDesiredPlan({
      state,
      prune: input.prune,
      knownHash: progress.plan?.hash,
    });
  // One plan at a time: the timer's and the approval's would otherwise race to set the latest.
  let chain: Promise<unknown> = Promise.resolve();
  const replan = (): Promise<DesiredPlan> => {
    const next = chain.then(planOnce).then((p) => {
      if (p.unchanged && progress.plan?.hash === p.hash) return progress.plan;
      progress.plan = p;
      show();
      return p;
    });
    chain = next.catch(() => undefined);
    return next;
  };

  let plan = await replan();
  let approved: DesiredPlan | undefined;
  let rejected: string | undefined;
  setHandler(
    approveUpdate,
    async ({ planHash }) => {
      const fresh = await replan();
      if (fresh.hash !== planHash) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.stalePlan,
          nonRetryable: true,
          message: staleMessage(planHash, fresh.hash),
          details: [{ planHash, latest: fresh.hash }],
        });
      }
      approved = fresh;
      return { planHash, summary: fresh.summary };
    },
    {
      validator: (arg: ApproveInput) => {
        if (approved || rejected !== undefined) throw new Error('The apply was already decided');
        if (progress.phase !== 'awaiting-approval')
          throw new Error(`The apply is ${progress.phase}, not awaiting approval`);
        if (arg?.planHash !== progress.plan?.hash)
          throw new Error(staleMessage(String(arg?.planHash), progress.plan?.hash ?? '(none)'));
      },
      description: 'Approve the plan shown, by its hash: { "planHash": "…" }',
    },
  );
  setHandler(
    rejectUpdate,
    (arg: { reason?: string }) => {
      rejected = arg?.reason ?? 'rejected';
    },
    {
      validator: (_arg: { reason?: string }) => {
        if (approved || progress.phase !== 'awaiting-approval')
          throw new Error('Nothing is awaiting approval');
      },
      description: 'Reject the plan: nothing is applied',
    },
  );

  const result = (status: ApplyResult['status']): ApplyResult => ({
    status,
    planHash: plan.hash,
    summary: plan.summary,
    reports: progress.reports,
  });
  const finish = async (r: ApplyResult) => {
    show();
    await condition(allHandlersFinished);
    return r;
  };

  if (!hasChanges(plan.summary)) {
    progress.phase = 'done';
    return finish(result('nothing-to-do'));
  }
  if (input.autoApprove) approved = plan;
  else {
    progress.phase = 'awaiting-approval';
    show();
    const every = input.replanEveryMs ?? DEFAULT_REPLAN_EVERY_MS;
    while (!approved && rejected === undefined) {
      // A re-plan that fails (AEP unreachable past the retries) keeps the run waiting: the approval plans again.
      if (!(await condition(() => approved !== undefined || rejected !== undefined, every)))
        await replan().catch(() => undefined);
      // Waiting long enough to fill the history: the same apply goes on in a fresh run (same id, same input; the
      // plan, and so the hash an approver holds, is the same while the live state is).
      if (!approved && rejected === undefined && workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        if (!approved && rejected === undefined) await continueAsNew<typeof applyDesiredState>(input);
      }
    }
  }
  if (!approved) {
    progress.phase = 'rejected';
    return finish(result('rejected'));
  }
  plan = approved;
  progress.plan = approved;
  progress.phase = 'applying';
  show();

  const todo = plan.entries.filter((e) => ['create', 'change', 'delete'].includes(e.action));
  const skipped = plan.entries
    .filter((e) => !todo.includes(e))
    .map((e) => ({
      ...entryReport(e, e.action === 'noop' ? 'unchanged' : e.action === 'keep' ? 'kept' : 'skipped'),
      ...(e.reasons?.length ? { error: e.reasons.join('; ') } : {}),
    }));
  await boundedAll(todo, Math.max(1, input.concurrency ?? DEFAULT_APPLY_CONCURRENCY), async (e) => {
    const r = await applyEntry(e);
    progress.reports.push(r);
    show();
    return r;
  });
  progress.reports.push(...skipped);
  progress.phase = 'done';
  return finish(result(progress.reports.some((r) => r.outcome === 'failed') ? 'partly-failed' : 'applied'));
}
