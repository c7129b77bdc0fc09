// verifyOnboarding: sample events through an onboarding's webhook, checked in what AEP counts (`${id}--verify`).
// The waiting is the workflow's, with timers (./verify-wait.ts), as in the onboarding's own verify step.
import { ApplicationFailure } from '@temporalio/workflow';
import { DEFAULT_VERIFY_TIMEOUT_MS, verifyTimeoutProblem } from '../shared/contracts/lifecycle';
import type { VerifyInput, VerifyResult } from '../shared/contracts/workflows';
import { FAILURE_TYPES } from '../shared/failures';
import { invalidInputMessage } from '../shared/onboarding';
import { act, READ } from './options';
import { load } from './record';
import { refuseTooDeep } from './validation';
import { verifySamples } from './verify-wait';

export type { VerifyInput, VerifyResult } from '../shared/contracts/workflows';

/** Posts one sample of each of the source's webhook types and checks each lands mapped (run metrics). */
export async function verifyOnboarding(input: VerifyInput): Promise<VerifyResult> {
  refuseTooDeep(input, 'operation');
  const problem = verifyTimeoutProblem(input.timeoutMs);
  if (problem) {
    const problems = [`timeoutMs: ${problem}`];
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidLifecycleInput,
      nonRetryable: true,
      message: invalidInputMessage('input', problems),
      details: [{ problems }],
    });
  }
  const { result: r } = await load(input.workflowId);
  const { preset } = await act(READ, `Load the "${r.source}" source preset`).loadPreset({ source: r.source });
  const out = await verifySamples({
    sandbox: r.sandbox,
    flowId: r.ids.flowId,
    webhookUrl: r.webhookUrl,
    datasetId: r.ids.datasetId,
    samples: preset.samples,
    timeoutMs: input.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
    syncValidation: input.syncValidation,
  });
  return { workflowId: r.workflowId, flowId: r.ids.flowId, datasetId: r.ids.datasetId, landed: out.landed };
}
