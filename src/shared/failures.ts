// The one table of failure types: every ApplicationFailure the workflows, activities, client and CLI raise or match
// carries one of these types. Workflow-safe (no imports), so every layer may use it.

export const FAILURE_TYPES = {
  // Input, refused before any AEP call.
  invalidInput: 'InvalidOnboardingInput',
  invalidUpdateInput: 'InvalidUpdateInput',
  invalidAdoptInput: 'InvalidAdoptInput',
  /** A lifecycle input with no check of its own (nested too deep, nothing to update). */
  invalidLifecycleInput: 'InvalidInput',
  unknownSource: 'UnknownSource',

  // The onboarding.
  onboardingFailed: 'OnboardingFailed',
  /** A name the user chose already belongs to a resource this run did not create. */
  nameTaken: 'NameTaken',
  /** AEP refused the credential, the org or the sandbox: nothing this run asked for can have been done. */
  accessRefused: 'AepAccessRefused',
  /** Another onboarding (any workflow id) holds the same org, sandbox, source and name. */
  duplicateOnboarding: 'DuplicateOnboarding',
  nameLockContention: 'NameLockContention',
  /**
   * The org cannot take the source: its connection spec is not provisioned, or the flow spec does not list it.
   * Checked before the first create.
   */
  sourceNotProvisioned: 'SourceNotProvisioned',
  /** Data Prep's validate refused mappings (one message per mapping); checked before the mapping set is written. */
  invalidMappings: 'InvalidMappings',
  reusedResourceNotFound: 'ReusedResourceNotFound',
  invalidReuse: 'InvalidReuse',
  /**
   * A DELETE answered 405/501: AEP offers no delete for the resource (Data Prep's mapping sets, which its spec does
   * not give one). It stays; reported as left, never as undone.
   */
  deleteNotOffered: 'DeleteNotOffered',
  /** A DELETE answered 404 while a GET still finds the resource: the delete did not happen, it stays (left). */
  deleteNotConfirmed: 'DeleteNotConfirmed',
  /** Retryable: AEP publishes the inlet URL a little after the flow. */
  inletUrlNotReady: 'InletUrlNotReady',

  // Day two.
  onboardingNotFound: 'OnboardingNotFound',
  onboardingNotCompleted: 'OnboardingNotCompleted',
  onboardingTornDown: 'OnboardingTornDown',
  updateConflict: 'UpdateConflict',
  /** Retryable: the flow kept changing between read and PATCH. */
  updateRaced: 'UpdateRaced',
  verificationFailed: 'VerificationFailed',
  notAdoptable: 'NotAdoptable',
  baseConnectionInUse: 'BaseConnectionInUse',
  invalidMappingSet: 'InvalidMappingSet',
  noMapping: 'NoMapping',
  /** The drift check's or reconcile's input (sandbox, interval, silence) is not valid. */
  invalidDriftInput: 'InvalidDriftInput',
  /** Reconcile cannot restore a missing resource it may not re-create (reused, or data-bearing: dataset, schema). */
  notReconcilable: 'NotReconcilable',
  /** Retryable: the notification hook did not answer 2xx. */
  notificationFailed: 'NotificationFailed',

  // Desired state (plan -f, apply).
  /** The desired-state file is not valid (every problem listed by path); nothing ran. */
  invalidDesiredState: 'InvalidDesiredState',
  /** An approval named a plan that is no longer the latest: the live state (or the plan) changed since it was shown. */
  stalePlan: 'StalePlan',
  /** The apply was rejected (the `reject` Update): nothing was applied. */
  applyRejected: 'ApplyRejected',

  /** Anything an activity threw that is not an AEP error: retried. */
  unexpected: 'UnexpectedActivityError',

  /** AEP client errors, typed by the error's class name (src/aep/errors.ts; a test keeps the two in step). */
  aep: {
    http: 'AepError',
    validation: 'AepValidationError',
    authentication: 'AepAuthenticationError',
    permission: 'AepPermissionError',
    notFound: 'AepNotFoundError',
    conflict: 'AepConflictError',
    preconditionFailed: 'AepPreconditionFailedError',
    payloadTooLarge: 'AepPayloadTooLargeError',
    rateLimit: 'AepRateLimitError',
    server: 'AepServerError',
    network: 'AepNetworkError',
    responseFormat: 'AepResponseFormatError',
    ims: 'ImsError',
  },
} as const;
