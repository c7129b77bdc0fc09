// The benchmark's bare baselines: the onboarding saga's shape (10 activities, the same two parallel branches) with
// no-op activities, so their throughput is what Temporal and one worker allow on this machine and nothing else.
// `baselineOnboarding` runs all ten as normal activities. `baselineOnboardingMirrored` runs the three the onboarding
// runs as local activities (prepare, tenant, inlet URL) as local ones too: the same kinds of steps as the real thing.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(step: string): Promise<string>;
}

const remote = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '30s' });

export const BASELINE_ACTIVITY_COUNT = 10;
/** The onboarding's reads that run as local activities (src/workflows/onboarding.ts). */
const LOCAL_IN_ONBOARDING = new Set(['prepareOnboarding', 'tenant', 'inletUrl']);

async function shape(run: (step: string) => Promise<string>): Promise<number> {
  let done = 0;
  const step = async (name: string) => {
    await run(name);
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

export function baselineOnboarding(): Promise<number> {
  return shape((s) => remote.noop(s));
}

export function baselineOnboardingMirrored(): Promise<number> {
  return shape((s) => (LOCAL_IN_ONBOARDING.has(s) ? local.noop(s) : remote.noop(s)));
}
