// The onboarding saga: Chatlio (or any preset source) to a working webhook URL, or a failed run that left nothing
// behind in AEP and says exactly what it undid. Orchestration only: every API call is an activity. The steps are in
// ./onboarding-run.ts, the activity options in ./onboarding-options.ts, what a person sees in ./onboarding-progress.ts.
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OnboardingInput } from '../shared/input';
import {
  FAILURE_TYPES,
  type OnboardingFailureDetails,
  type OnboardingProgress,
  type OnboardingResult,
} from '../shared/onboarding';
import { claimOnboardingName } from './name-lock';
import { localActivities, PREPARE_OPTIONS } from './onboarding-options';
import { onboardingCounters, renderDetails, setStatus, startedWith } from './onboarding-progress';
import { LEAN_ONBOARDING, OnboardingRun } from './onboarding-run';
import { describeError } from './saga';
import { asInputFailure, refuseTooDeep } from './validation';

export const getProgressQuery = defineQuery<OnboardingProgress>('getProgress');

export async function onboardStreamingSource(raw: OnboardingInput): Promise<OnboardingResult> {
  // Before anything serialises the input: the check's local activity would overflow JSON.stringify on it.
  refuseTooDeep(raw, 'onboarding');
  const { workflowId } = workflowInfo();
  const progress: OnboardingProgress = { phase: 'validating', steps: {}, ids: {}, compensation: [] };
  const onboardings = onboardingCounters();
  setHandler(getProgressQuery, () => progress, { description: 'Phase, each step, ids so far, compensation' });

  // Checked (and the preset loaded) before any AEP call; a bad input fails the run at once, non-retryable.
  const lean = patched(LEAN_ONBOARDING);
  const { input, preset, defaultSandbox, nameLockId } = await localActivities(
    PREPARE_OPTIONS,
    'Check the input and load the source preset',
  )
    .prepareOnboarding({ input: raw })
    .catch((err: unknown) => {
      throw asInputFailure(err);
    });
  const sandbox = input.sandbox ?? defaultSandbox;
  const claim = await claimOnboardingName(
    { source: input.source, sandbox, name: input.name },
    lean ? nameLockId : undefined,
  );
  progress.source = input.source;
  progress.sandbox = sandbox;
  const running = { source: input.source, sandbox, name: input.name };
  // The CLI and the apply start runs with these attributes set: upserting them again is a visibility write for nothing.
  if (!lean || !startedWith(running)) setStatus('running', running);
  onboardings.started.add(1, { source: input.source });
  progress.phase = 'provisioning';

  const run = new OnboardingRun(workflowId, input, preset, sandbox, progress, lean);
  try {
    const result = await run.provision();
    progress.phase = 'completed';
    progress.webhookUrl = result.webhookUrl;
    setStatus('completed');
    onboardings.completed.add(1, { source: input.source });
    renderDetails(progress);
    return result;
  } catch (err) {
    progress.phase = 'compensating';
    setStatus('compensating');
    renderDetails(progress);
    const report = await run.compensate((o) => {
      progress.compensation.push(o);
      renderDetails(progress);
    });
    await claim.release();
    // Cancelled is decided by the run's own scope, not by the error's shape: an attempt in flight may fail or time
    // out after the cancel request and surface as an ordinary activity failure.
    const cancelled = isCancellation(err) || CancellationScope.current().consideredCancelled;
    if (cancelled && report.left.length === 0) {
      progress.phase = 'cancelled';
      setStatus('cancelled');
      onboardings.cancelled.add(1, { source: input.source });
      renderDetails(progress);
      throw isCancellation(err)
        ? err
        : new CancelledFailure('Onboarding cancelled; everything it created was deleted');
    }
    progress.phase = 'compensated';
    setStatus(report.left.length ? 'failed' : 'compensated');
    onboardings.compensated.add(1, { source: input.source, clean: String(report.left.length === 0) });
    renderDetails(progress);
    const details: OnboardingFailureDetails = {
      failedStep: run.failedStep,
      // A cancelled run that could not undo everything fails instead, so that what is left is reported.
      reason: cancelled
        ? `cancelled, and not everything could be undone (${describeError(err)})`
        : describeError(err),
      undone: report.undone,
      left: report.left,
    };
    const undone = report.undone.map((o) => o.step).join(', ') || 'nothing';
    const left = report.left.length
      ? `; LEFT in AEP: ${report.left.map((o) => `${o.step} ${o.id ?? '(id unknown)'}`).join(', ')}`
      : '';
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.onboardingFailed,
      nonRetryable: true,
      message: `Onboarding failed at step ${run.failedStep ?? '(unknown)'}: ${details.reason}. Undone: ${undone}${left}`,
      details: [details],
      cause: err instanceof Error ? err : undefined,
    });
  }
}
