// The one-name lock's contract (src/workflows/name-lock.ts, src/activities/name-lock.ts, src/records/names.ts).

/** What an onboarding name is, for the lock: one per org (the worker's), sandbox, source and normalised name. */
export interface NameKey {
  source: string;
  sandbox: string;
  name: string;
}

/** The run that claimed the lock, kept in the lock's memo (NAME_LOCK_OWNER_MEMO). */
export interface NameLockOwner {
  workflowId: string;
  runId: string;
}

/** Details of a DuplicateOnboarding failure: the onboarding that holds the name. */
export interface DuplicateOnboardingDetails {
  workflowId: string;
  runId: string;
  lifecycle: string;
}
