// planDesiredState: the plan of a desired-state file (`aep-onboard plan -f`), on the worker that holds the AEP
// credentials. Reads only.
import type { DesiredPlan, PlanFileInput } from '../shared/contracts/desired';
import { act, check, READ, validated } from './options';
import { refuseTooDeep } from './validation';

export async function planDesiredState(input: PlanFileInput): Promise<DesiredPlan> {
  refuseTooDeep(input, 'operation');
  const state = await validated(() => check.validateDesiredState({ raw: input.file }));
  return act(READ, 'Plan the desired state against live AEP (GETs only)').computeDesiredPlan({
    state,
    prune: input.prune,
  });
}
