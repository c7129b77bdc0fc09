// Day-two activities: what the lifecycle workflows (teardown, update, runs, verify, plan, adopt, base connections)
// and the onboarding's optional verify step call, one file per operation. Deletions reuse the remove* activities
// of ../index.ts.
import type { ActivityDeps } from '../deps';
import { createAdoptActivities } from './adopt';
import { createBaseConnectionActivities } from './base-connection';
import { createFlowStateActivities } from './flow-state';
import { createLoadActivities } from './load';
import { createPatchFlowActivities } from './patch-flow';
import { createPlanActivities } from './plan';
import { createRunsActivities } from './runs';
import { createUpdateMappingsActivities } from './update-mappings';
import { createVerifyActivities } from './verify';
import { createLegacyVerifyActivities } from './verify-legacy';

export type * from '../../shared/contracts/lifecycle';

export function createLifecycleActivities(deps: ActivityDeps) {
  return {
    ...createLoadActivities(deps),
    ...createPlanActivities(deps),
    ...createAdoptActivities(deps),
    ...createUpdateMappingsActivities(deps),
    ...createPatchFlowActivities(deps),
    ...createFlowStateActivities(deps),
    ...createRunsActivities(deps),
    ...createVerifyActivities(deps),
    ...createLegacyVerifyActivities(deps),
    ...createBaseConnectionActivities(deps),
  };
}
