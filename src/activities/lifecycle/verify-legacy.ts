// verifyWebhook: the verification as workers before the workflow-level waiting ran it, one activity that posts and
// polls for up to its timeout. Kept only so that an onboarding or verify run that had already scheduled it when the
// worker was upgraded still replays and completes (src/workflows/verify-wait.ts, patch VERIFY_WAITS_IN_WORKFLOW).
// New runs never call it. Remove once no run started before the upgrade can still be running.
import { ApplicationFailure, sleep } from '@temporalio/activity';
import { AepError } from '../../aep';
import {
  type SampleFailure,
  type VerificationFailureDetails,
  type VerifyWebhookInput,
  type VerifyWebhookOutput,
} from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';
import { allErrors, listFlowRuns as readRuns } from './runs';
import { checkVerifiableFlow } from './verify';

/** What the old step waited when given no timeout. */
const LEGACY_DEFAULT_TIMEOUT_MS = 60_000;

export function createLegacyVerifyActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** @deprecated The one-activity verification of workers before the workflow-level waiting (see above). */
    async verifyWebhook(input: VerifyWebhookInput): Promise<VerifyWebhookOutput> {
      const client = api(input.sandbox);
      await checkVerifiableFlow(client, input);
      const deadline = Date.now() + (input.timeoutMs ?? LEGACY_DEFAULT_TIMEOUT_MS);
      let before = await readRuns(deps, input);
      const landed: string[] = [];
      const failed: SampleFailure[] = [];
      for (const [sample, body] of Object.entries(input.samples)) {
        try {
          await client.inlet.postToWebhook(input.webhookUrl, body);
        } catch (err) {
          // The inlet refused it outright (4xx): that sample cannot land; 5xx and network errors retry the activity.
          if (err instanceof AepError && !err.retryable) {
            failed.push({ sample, reason: `the inlet refused it: ${err.message}` });
            continue;
          }
          throw err;
        }
        let after = before;
        for (let wait = 250; ; wait = Math.min(wait * 1.5, 5_000)) {
          after = await readRuns(deps, input);
          const counted =
            after.totals.outputRecords + after.totals.failedRecords >
            before.totals.outputRecords + before.totals.failedRecords;
          if (counted || Date.now() >= deadline) break;
          await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
        }
        if (after.totals.outputRecords > before.totals.outputRecords) landed.push(sample);
        else if (after.totals.failedRecords > before.totals.failedRecords) {
          const fresh = allErrors(after).slice(allErrors(before).length);
          const reason = fresh.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
          failed.push({ sample, reason: reason || 'counted as a failed record in the run metrics' });
        } else {
          failed.push({ sample, reason: 'not counted in the run metrics before the timeout' });
        }
        before = after;
      }
      if (failed.length) {
        const details: VerificationFailureDetails = {
          flowId: input.flowId,
          datasetId: input.datasetId,
          landed,
          failed,
        };
        throw ApplicationFailure.create({
          type: LIFECYCLE_FAILURES.verificationFailed,
          nonRetryable: true,
          message:
            `${failed.length} of ${failed.length + landed.length} sample event(s) did not land mapped in dataset ` +
            `${input.datasetId}: ${failed.map((f) => `${f.sample} (${f.reason})`).join('; ')}`,
          details: [details],
        });
      }
      return { landed };
    },
  };
}
