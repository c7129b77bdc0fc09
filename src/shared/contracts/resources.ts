// The resources an onboarding manages, named once for every layer: activities find and delete them by step, the
// teardown workflow walks them in this order, plan and teardown results name them.

export const RESOURCE_STEPS = [
  'flow',
  'targetConnection',
  'sourceConnection',
  'mappingSet',
  'dataset',
  'schema',
  'fieldGroup',
  // After the source connection that points at it (HTTP API only): undone last.
  'baseConnection',
] as const;
/** The resources an onboarding manages, in teardown (dependency) order. */
export type ResourceStep = (typeof RESOURCE_STEPS)[number];
