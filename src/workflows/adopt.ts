// adoptStreamingSource: records a hand-made flow as an onboarding; its run is the onboarding record.
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AdoptInput } from '../shared/contracts/workflows';
import type { OnboardingResult } from '../shared/onboarding';
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from '../shared/search-attributes';
import { claimOnboardingName } from './name-lock';
import { act, check, READ, validated } from './options';
import { refuseTooDeep } from './validation';
import { webhookUrl } from '../shared/webhook';

export type { AdoptInput } from '../shared/contracts/workflows';

/**
 * Takes a hand-made flow under management: reads it and what it uses, and returns the same record an onboarding
 * returns. The flow, its connections and its mapping set count as managed (update, verify and teardown act on
 * them); the dataset and schema only when asked.
 */
export async function adoptStreamingSource(raw: AdoptInput): Promise<OnboardingResult> {
  refuseTooDeep(raw, 'adopt');
  const input = await validated(() => check.validateAdoptInput({ raw }));
  upsertSearchAttributes([
    { key: AepSource, value: input.source },
    { key: AepSandbox, value: input.sandbox },
    { key: AepOnboardingName, value: input.name },
    { key: AepOnboardingStatus, value: 'adopting' },
  ]);
  const claim = await claimOnboardingName(input);
  const flow = await act(READ, `Read flow ${input.flowId} and what it uses`)
    .readAdoptableFlow({ sandbox: input.sandbox, flowId: input.flowId, source: input.source })
    .catch(async (err: unknown) => {
      await claim.release();
      throw err;
    });
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: 'adopted' }]);
  return {
    workflowId: input.workflowId,
    source: flow.source,
    name: input.name,
    sandbox: input.sandbox,
    // No field group is recorded: an adopted schema's field groups are never ours to delete.
    ids: { ...flow.ids, fieldGroupId: '' },
    reused: { schema: !input.manageSchema, dataset: !input.manageDataset },
    etags: flow.etags,
    mappingVersion: flow.mappingVersion,
    inletUrl: flow.inletUrl,
    webhookUrl: webhookUrl(flow.inletUrl, flow.ids.flowId),
  };
}
