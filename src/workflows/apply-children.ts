// What an apply does for one planned onboarding, as a child workflow of the types the CLI starts: the onboarding
// under the id `aep-onboard start` derives (same name lock, same reuse rule), the update (If-Match) under
// `${id}--update`, the teardown under `${id}--teardown`. A child's failure is this entry's outcome, not the apply's.
import { executeChild } from '@temporalio/workflow';
import type { ApplyEntryReport, DesiredPlanEntry } from '../shared/contracts/desired';
import type { TeardownResult, UpdateInput, UpdateResult } from '../shared/contracts/workflows';
import { LIFECYCLE_WORKFLOW_TYPES, lifecycleWorkflowId, ONBOARDING_WORKFLOW_TYPE } from '../shared/naming';
import type { OnboardingResult } from '../shared/onboarding';
import { onboardingReusePolicy, onboardingStartOptions } from '../shared/onboarding-start';
import { describeError } from './saga';

/** A cancelled apply asks its children to stop: an onboarding then undoes what it created. */
const PARENT_CLOSE = { parentClosePolicy: 'REQUEST_CANCEL' } as const;

function update(input: UpdateInput): Promise<UpdateResult> {
  return executeChild(LIFECYCLE_WORKFLOW_TYPES.update, {
    workflowId: lifecycleWorkflowId(input.workflowId, 'update'),
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `Update onboarding ${input.workflowId} (apply)`,
    ...PARENT_CLOSE,
  });
}

/** An entry's report before anything is done for it: who it is and what the plan knew of it. */
export function entryReport(e: DesiredPlanEntry, outcome: ApplyEntryReport['outcome']): ApplyEntryReport {
  return {
    action: e.action,
    outcome,
    workflowId: e.workflowId,
    sandbox: e.sandbox,
    source: e.source,
    name: e.name,
    ...(e.ids ? { ids: e.ids } : {}),
    ...(e.webhookUrl ? { webhookUrl: e.webhookUrl } : {}),
  };
}

export async function applyEntry(e: DesiredPlanEntry): Promise<ApplyEntryReport> {
  const report = entryReport(e, 'failed');
  try {
    if (e.action === 'create' && e.start) {
      // `enabled` is the file's, not the onboarding's (whose input is strict): a disabled one is disabled after.
      const { enabled: _enabled, ...input } = e.start.input;
      const result = await executeChild<(i: typeof input) => Promise<OnboardingResult>>(
        ONBOARDING_WORKFLOW_TYPE,
        {
          workflowId: e.workflowId,
          args: [input],
          workflowIdReusePolicy: onboardingReusePolicy(e.start.afterTornDown),
          ...onboardingStartOptions(input, input.sandbox),
          ...PARENT_CLOSE,
        },
      );
      report.ids = result.ids;
      report.webhookUrl = result.webhookUrl;
      if (e.update) report.changed = (await update(e.update)).changed;
      report.outcome = 'created';
    } else if (e.action === 'change' && e.update) {
      report.changed = (await update(e.update)).changed;
      report.outcome = 'updated';
    } else if (e.action === 'delete') {
      const result = await executeChild<(i: { workflowId: string }) => Promise<TeardownResult>>(
        LIFECYCLE_WORKFLOW_TYPES.teardown,
        {
          workflowId: lifecycleWorkflowId(e.workflowId, 'teardown'),
          args: [{ workflowId: e.workflowId }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          staticSummary: `Tear down onboarding ${e.workflowId} (apply --prune)`,
          ...PARENT_CLOSE,
        },
      );
      report.outcome = result.status === 'torn-down' ? 'deleted' : 'failed';
      if (result.status !== 'torn-down')
        report.error = `teardown incomplete: ${result.left.map((l) => `${l.step} ${l.id ?? ''}`).join(', ')}`;
    }
  } catch (err) {
    report.outcome = 'failed';
    report.error = describeError(err);
  }
  return report;
}

/** Runs `fn` over `items`, at most `limit` at a time, in order of the list (deterministic: workflow code). */
export async function boundedAll<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
