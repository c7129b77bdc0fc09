// The verification's waiting, as AEP makes one wait: streamed records land in the data lake within minutes (Adobe:
// p95 under 15 minutes) and the run metrics are aggregated after that. So the samples are posted once, then each
// check is one short activity, with a durable timer between checks (5 s, doubling, capped at 60 s) until the
// deadline: a worker restart loses nothing, and a quarter of an hour of waiting costs a few dozen reads.
// Used by the verify workflow (./verify.ts) and the onboarding's optional last step (./onboarding-run.ts).
import {
  ActivityCancellationType,
  ApplicationFailure,
  patched,
  sleep,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  VERIFY_POLL,
  type CheckSamplesOutput,
  type PostSamplesOutput,
  type SampleFailure,
  type VerificationFailureDetails,
} from '../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../shared/onboarding';
import { act } from './options';

/** Posting: a retry posts only what no attempt posted (the activity's heartbeat), so three attempts are safe. */
export const VERIFY_POST_OPTIONS: ActivityOptions = {
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3 },
};
/** One check: two or three reads. A check failing for minutes fails the verification. */
export const VERIFY_CHECK_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 6 },
};

export interface VerifySamplesInput {
  sandbox: string;
  flowId: string;
  webhookUrl: string;
  datasetId: string;
  samples: Record<string, Record<string, unknown>>;
  /** Workflow time allowed from the post to the verdict. */
  timeoutMs: number;
  syncValidation?: boolean;
}

const minutes = (ms: number) =>
  ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : `${Math.round(ms / 100) / 10} s`;

/**
 * Runs that had scheduled the old one-activity verification (verifyWebhook) before the worker was upgraded replay
 * it: their history has no marker of this patch. Every run reaching verification on this code records the marker.
 */
export const VERIFY_WAITS_IN_WORKFLOW = 'verify-waits-in-workflow';

/** Posts the samples once and waits, with timers, until AEP counted each accepted one or the deadline passed. */
export async function verifySamples(input: VerifySamplesInput): Promise<{ landed: string[] }> {
  if (!patched(VERIFY_WAITS_IN_WORKFLOW)) {
    // The old step's options: two attempts, each allowed the whole polling time (its default: 60 s).
    const timeoutMs = Math.min(input.timeoutMs, 60_000);
    return act(
      {
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        startToCloseTimeout: timeoutMs + 60_000,
        heartbeatTimeout: '30s',
        retry: { initialInterval: '2s', maximumAttempts: 2 },
      },
      'Verify: post the sample events to the webhook and read the run metrics',
    ).verifyWebhook({
      sandbox: input.sandbox,
      flowId: input.flowId,
      webhookUrl: input.webhookUrl,
      datasetId: input.datasetId,
      samples: input.samples,
      timeoutMs,
    });
  }
  const started = Date.now();
  const deadline = started + input.timeoutMs;
  const n = Object.keys(input.samples).length;
  const posted = await act(
    VERIFY_POST_OPTIONS,
    `Verify: post ${n} sample events to the webhook`,
  ).postVerifySamples({
    sandbox: input.sandbox,
    flowId: input.flowId,
    webhookUrl: input.webhookUrl,
    datasetId: input.datasetId,
    samples: input.samples,
    ...(input.syncValidation ? { syncValidation: true } : {}),
  });
  const expected = posted.accepted.length;
  let check: CheckSamplesOutput | undefined;
  let checks = 0;
  let timedOut = false;
  // The first check right after the post (an emulator with no delays has counted already), then timers.
  for (let wait: number = VERIFY_POLL.firstMs; expected > 0; wait = Math.min(wait * 2, VERIFY_POLL.maxMs)) {
    checks += 1;
    check = await act(
      VERIFY_CHECK_OPTIONS,
      `Verify: check ${checks} of the run and dataset metrics (${expected} sample(s) expected)`,
    ).checkVerifySamples({
      sandbox: input.sandbox,
      flowId: input.flowId,
      datasetId: input.datasetId,
      baseline: posted.baseline,
    });
    // A sample refused synchronously may be counted as failed too: it does not stand for an accepted one.
    const failed = Math.max(0, check.failed - posted.refused.length);
    if (check.landed + failed >= expected) break;
    const left = deadline - Date.now();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    // The last wait ends at the deadline, so the final check reads what AEP counted by then.
    await sleep(Math.min(wait, left));
  }
  return verdict(input, posted, check, { timedOut, checks, waitedMs: Date.now() - started });
}

function verdict(
  input: VerifySamplesInput,
  posted: PostSamplesOutput,
  check: CheckSamplesOutput | undefined,
  run: { timedOut: boolean; checks: number; waitedMs: number },
): { landed: string[] } {
  const { accepted, refused } = posted;
  const landedCount = Math.min(check?.landed ?? 0, accepted.length);
  const failedCount = Math.min(Math.max(0, (check?.failed ?? 0) - refused.length), accepted.length);
  const allLanded = landedCount >= accepted.length;
  if (refused.length === 0 && allLanded && failedCount === 0) return { landed: accepted };

  const failed: SampleFailure[] = [...refused];
  const missing = accepted.length - landedCount;
  if (failedCount > 0) {
    const reason =
      (check?.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') ||
      'counted as a failed record in the run metrics';
    // The metrics count records, not which sample each was: name them only when every accepted one failed.
    if (failedCount === accepted.length) for (const sample of accepted) failed.push({ sample, reason });
    else
      failed.push({
        sample: `${failedCount} of ${accepted.join(', ')}`,
        reason: `${reason} (turn on syncValidation to see which)`,
      });
  }
  const uncounted = missing - failedCount;
  if (uncounted > 0)
    failed.push({
      sample: uncounted === accepted.length ? accepted.join(', ') : `${uncounted} of ${accepted.join(', ')}`,
      reason: `not counted in the run or dataset metrics within ${minutes(input.timeoutMs)}`,
    });
  const details: VerificationFailureDetails = {
    flowId: input.flowId,
    datasetId: input.datasetId,
    landed: allLanded ? accepted : [],
    failed,
    timedOut: run.timedOut,
    waitedMs: run.waitedMs,
    checks: run.checks,
  };
  const total = accepted.length + refused.length;
  const what = failed.map((f) => `${f.sample} (${f.reason})`).join('; ');
  throw ApplicationFailure.create({
    type: LIFECYCLE_FAILURES.verificationFailed,
    nonRetryable: true,
    message: run.timedOut
      ? `Verification timed out after ${minutes(input.timeoutMs)} (${run.checks} checks): ${landedCount} of ` +
        `${total} sample event(s) counted as landed in dataset ${input.datasetId}: ${what}`
      : `${total - landedCount} of ${total} sample event(s) did not land mapped in dataset ${input.datasetId}: ${what}`,
    details: [details],
  });
}
