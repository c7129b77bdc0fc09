// The drift check's and reconcile's activities (the re-creates and re-applies reuse the onboarding's and the
// update's own activities).
import type { ActivityDeps } from '../deps';
import { createDriftCheckActivities } from './check';
import { createNotifyActivities } from './notify';

export function createDriftActivities(deps: ActivityDeps) {
  return {
    ...createDriftCheckActivities(deps),
    ...createNotifyActivities(deps),
  };
}
