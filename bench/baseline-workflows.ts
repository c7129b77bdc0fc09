// The benchmark's bare baseline: the onboarding saga's shape (10 activities, the same two parallel branches) with
// no-op activities, so its throughput is what Temporal and one worker allow on this machine and nothing else.
import { proxyActivities } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(step: string): Promise<string>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30s' });

export const BASELINE_ACTIVITY_COUNT = 10;

export async function baselineOnboarding(): Promise<number> {
  let done = 0;
  const step = async (name: string) => {
    await noop(name);
    done++;
  };
  await step('prepareOnboarding');
  await Promise.all([
    step('sourceConnection'),
    (async () => {
      await step('tenant');
      await step('fieldGroup');
      await step('schema');
      const datasetThenTarget = async () => {
        await step('dataset');
        await step('targetConnection');
      };
      await Promise.all([datasetThenTarget(), step('mappingSet')]);
    })(),
  ]);
  await step('flow');
  await step('inletUrl');
  return done;
}
