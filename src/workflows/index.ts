// The worker's workflowsPath: every workflow type this worker runs.
export { onboardStreamingSource, getProgressQuery } from './onboarding';
export {
  adoptStreamingSource,
  baseConnectionOperation,
  onboardingRuns,
  planOnboarding,
  teardownOnboarding,
  updateOnboarding,
  verifyOnboarding,
} from './lifecycle';
export { onboardingNameLock } from './name-lock';
