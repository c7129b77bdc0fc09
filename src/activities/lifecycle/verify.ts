// The verification's two activities, both short: postVerifySamples posts each sample once, and checkVerifySamples
// reads, once per call, what AEP has counted since. The waiting between checks is the workflow's (durable timers,
// src/workflows/verify-wait.ts): AEP takes minutes to land a streamed record and aggregate its run metrics.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { AepError, INSIGHTS_METRICS, type AepClient, type Flow } from '../../aep';
import type {
  CheckSamplesInput,
  CheckSamplesOutput,
  PostSamplesInput,
  PostSamplesOutput,
  SampleFailure,
  VerificationFailureDetails,
  VerifyCounts,
} from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';
import { inletNeedsToken } from '../base-connection-step';
import type { ActivityDeps } from '../deps';
import { allErrors, listFlowRuns as readRuns } from './runs';

type Deps = Pick<ActivityDeps, 'aep'>;

/** What an attempt has done, in its heartbeat: a retry posts only the samples no attempt posted yet. */
interface PostProgress {
  baseline: VerifyCounts;
  accepted: string[];
  refused: SampleFailure[];
}

/** The dataset's Observability Insights counts; 0 when the API refuses the credential (a 4xx), which is no verdict. */
async function datasetMetrics(deps: Deps, input: { sandbox: string; datasetId: string }) {
  try {
    const totals = await deps.aep.withSandbox(input.sandbox).observability.totals({
      metric: [INSIGHTS_METRICS.datasetRecordSuccess, INSIGHTS_METRICS.datasetRecordRejected],
      id: input.datasetId,
    });
    return {
      datasetSuccess: totals[INSIGHTS_METRICS.datasetRecordSuccess] ?? 0,
      datasetRejected: totals[INSIGHTS_METRICS.datasetRecordRejected] ?? 0,
    };
  } catch (err) {
    if (err instanceof AepError && !err.retryable) return { datasetSuccess: 0, datasetRejected: 0 };
    throw err;
  }
}

async function readCounts(
  deps: Deps,
  input: { sandbox: string; flowId: string; datasetId: string },
): Promise<{ counts: VerifyCounts; errors: Array<{ code?: string; message?: string }> }> {
  const runs = await readRuns(deps, input);
  const errors = allErrors(runs);
  return {
    counts: {
      runsOutput: runs.totals.outputRecords,
      runsFailed: runs.totals.failedRecords,
      runsErrors: errors.length,
      ...(await datasetMetrics(deps, input)),
    },
    errors,
  };
}

/**
 * The flow can take the samples and writes to the dataset they are checked in; refused (non-retryable, nothing
 * landed, nothing failed) before any sample is posted otherwise. Returns the flow.
 */
export async function checkVerifiableFlow(
  client: AepClient,
  input: { flowId: string; datasetId: string },
): Promise<Flow> {
  const flow = await client.flowService.get('flows', input.flowId);
  const refuse = (message: string) =>
    ApplicationFailure.nonRetryable(message, LIFECYCLE_FAILURES.verificationFailed, {
      flowId: flow.id,
      datasetId: input.datasetId,
      landed: [],
      failed: [],
    } satisfies VerificationFailureDetails);
  if (flow.state === 'disabled') {
    throw refuse(`Flow ${flow.id} is disabled: the inlet refuses events. Enable it first.`);
  }
  const target = flow.targetConnectionIds[0]
    ? await client.flowService.get('targetConnections', flow.targetConnectionIds[0])
    : undefined;
  if (target?.params?.dataSetId !== input.datasetId) {
    throw refuse(
      `Flow ${flow.id} writes to dataset ${target?.params?.dataSetId ?? '(none)'}, not ${input.datasetId}`,
    );
  }
  return flow;
}

export function createVerifyActivities(deps: Deps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /**
     * Checks the flow can take the samples (enabled, writing to the dataset), reads what AEP has counted so far,
     * then posts each sample to the webhook URL once, as the source would. Idempotent across attempts: what was
     * posted is in the heartbeat, and a retry (after a 5xx or a lost answer) posts only the rest.
     */
    async postVerifySamples(input: PostSamplesInput): Promise<PostSamplesOutput> {
      const ctx = Context.current();
      const client = api(input.sandbox);
      const flow = await checkVerifiableFlow(client, input);
      const earlier = ctx.info.heartbeatDetails as PostProgress | undefined;
      const progress: PostProgress = earlier ?? {
        baseline: (await readCounts(deps, input)).counts,
        accepted: [],
        refused: [],
      };
      ctx.heartbeat(progress);
      const authenticated = await inletNeedsToken(client.flowService, flow);
      for (const [sample, body] of Object.entries(input.samples)) {
        if ([...progress.accepted, ...progress.refused.map((r) => r.sample)].includes(sample)) continue;
        try {
          await client.inlet.postToWebhook(input.webhookUrl, body, {
            syncValidation: input.syncValidation,
            authenticated,
          });
          progress.accepted.push(sample);
        } catch (err) {
          // The inlet refused it outright (4xx; with syncValidation, an invalid record): that sample cannot land.
          // 5xx and network errors retry the activity, which skips what was already posted.
          if (!(err instanceof AepError) || err.retryable) throw err;
          progress.refused.push({ sample, reason: `the inlet refused it: ${err.message}` });
        }
        ctx.heartbeat(progress);
      }
      return progress;
    },

    /** One look at what AEP counted since the baseline: the flow's runs and the dataset's metrics. No waiting. */
    async checkVerifySamples(input: CheckSamplesInput): Promise<CheckSamplesOutput> {
      const { counts, errors } = await readCounts(deps, input);
      const base = input.baseline;
      return {
        counts,
        landed: Math.max(counts.runsOutput - base.runsOutput, counts.datasetSuccess - base.datasetSuccess, 0),
        failed: Math.max(
          counts.runsFailed - base.runsFailed,
          counts.datasetRejected - base.datasetRejected,
          0,
        ),
        errors: errors.slice(base.runsErrors),
      };
    },
  };
}
