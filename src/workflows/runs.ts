// onboardingRuns: the dataflow runs of an onboarding, addressed as `${id}--runs`.
import type { RunsInput, RunsResult } from '../shared/contracts/workflows';
import { act, READ } from './options';
import { load } from './record';
import { refuseTooDeep } from './validation';

export type { RunsInput, RunsResult } from '../shared/contracts/workflows';

export async function onboardingRuns(input: RunsInput): Promise<RunsResult> {
  refuseTooDeep(input, 'operation');
  const { result: r } = await load(input.workflowId);
  const runs = await act(READ, 'List the dataflow runs (GET /runs?property=flowId==…)').listFlowRuns({
    sandbox: r.sandbox,
    flowId: r.ids.flowId,
  });
  return { workflowId: r.workflowId, name: r.name, sandbox: r.sandbox, ...runs };
}
