// The worker's workflowsPath: every workflow type this worker runs. The exported names are the workflow types
// (histories, the Web UI and the client use them): never rename one.
export { onboardStreamingSource, getProgressQuery } from './onboarding';
export { adoptStreamingSource } from './adopt';
export { baseConnectionOperation } from './base-connection';
export { onboardingRuns } from './runs';
export { planOnboarding } from './plan';
export { teardownOnboarding } from './teardown';
export { updateOnboarding } from './update';
export { verifyOnboarding } from './verify';
export { onboardingNameLock } from './name-lock';
export { checkDrift } from './drift';
export { reconcileOnboarding } from './reconcile';
export { planDesiredState } from './plan-file';
export { applyDesiredState } from './apply';
