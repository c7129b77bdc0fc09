// verifyOnboarding: sample events through an onboarding's webhook, checked in the run metrics (`${id}--verify`).
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../shared/contracts/lifecycle';
import type { VerifyInput, VerifyResult } from '../shared/contracts/workflows';
import { act, READ } from './options';
import { load } from './record';
import { refuseTooDeep } from './validation';

export type { VerifyInput, VerifyResult } from '../shared/contracts/workflows';

/** Posts one sample of each of the source's webhook types and checks each lands mapped (run metrics). */
export async function verifyOnboarding(input: VerifyInput): Promise<VerifyResult> {
  refuseTooDeep(input, 'operation');
  const { result: r } = await load(input.workflowId);
  const { preset } = await act(READ, `Load the "${r.source}" source preset`).loadPreset({ source: r.source });
  const timeoutMs = input.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  const out = await act(
    {
      startToCloseTimeout: timeoutMs + 60_000,
      heartbeatTimeout: '30s',
      // A retry posts every sample again: one more chance for a transient inlet failure, no more.
      retry: { initialInterval: '2s', maximumAttempts: 2 },
    },
    `Post ${Object.keys(preset.samples).length} sample events to the webhook and read the run metrics`,
  ).verifyWebhook({
    sandbox: r.sandbox,
    flowId: r.ids.flowId,
    webhookUrl: r.webhookUrl,
    datasetId: r.ids.datasetId,
    samples: preset.samples,
    timeoutMs,
  });
  return { workflowId: r.workflowId, flowId: r.ids.flowId, datasetId: r.ids.datasetId, landed: out.landed };
}
