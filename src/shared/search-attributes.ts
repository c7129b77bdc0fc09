import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes of onboarding runs; the worker creates any that are missing when it starts.
export const AepSource = defineSearchAttributeKey('AepSource', SearchAttributeType.KEYWORD);
export const AepSandbox = defineSearchAttributeKey('AepSandbox', SearchAttributeType.KEYWORD);
export const AepOnboardingStatus = defineSearchAttributeKey(
  'AepOnboardingStatus',
  SearchAttributeType.KEYWORD,
);
export const AepOnboardingName = defineSearchAttributeKey('AepOnboardingName', SearchAttributeType.KEYWORD);

/** Set by the drift check (src/workflows/drift.ts) on its run: the worst of the sandbox's onboardings. */
export const AepDrift = defineSearchAttributeKey('AepDrift', SearchAttributeType.KEYWORD);
export const AepHealth = defineSearchAttributeKey('AepHealth', SearchAttributeType.KEYWORD);

export const ONBOARDING_SEARCH_ATTRIBUTES = [
  AepSource,
  AepSandbox,
  AepOnboardingStatus,
  AepOnboardingName,
  AepDrift,
  AepHealth,
];

export type OnboardingStatus =
  'running' | 'compensating' | 'completed' | 'compensated' | 'failed' | 'cancelled';
