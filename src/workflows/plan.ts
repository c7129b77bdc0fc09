// planOnboarding: a dry run of an onboarding input, addressed as `${id}--plan-<input hash>`.
import type { PlanResourcesInput, PlanResult } from '../shared/contracts/lifecycle';
import { act, check, READ, validated } from './options';
import { refuseTooDeep } from './validation';

/** Dry run: what an onboarding input would create, reuse or conflict with, from live AEP state. Writes nothing. */
export async function planOnboarding(input: PlanResourcesInput): Promise<PlanResult> {
  refuseTooDeep(input, 'onboarding');
  const { input: valid } = await validated(() => check.prepareOnboarding({ input: input.input }));
  return act(READ, 'Read live AEP state for a plan (GETs only)').planOnboardingResources({
    ...input,
    input: valid,
  });
}
