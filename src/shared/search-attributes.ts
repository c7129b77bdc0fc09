import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes of onboarding runs; the worker creates any that are missing when it starts.
export const AepSource = defineSearchAttributeKey('AepSource', SearchAttributeType.KEYWORD);
export const AepSandbox = defineSearchAttributeKey('AepSandbox', SearchAttributeType.KEYWORD);
export const AepOnboardingStatus = defineSearchAttributeKey(
  'AepOnboardingStatus',
  SearchAttributeType.KEYWORD,
);
export const AepOnboardingName = defineSearchAttributeKey('AepOnboardingName', SearchAttributeType.KEYWORD);

export const ONBOARDING_SEARCH_ATTRIBUTES = [AepSource, AepSandbox, AepOnboardingStatus, AepOnboardingName];

export type OnboardingStatus =
  'running' | 'compensating' | 'completed' | 'compensated' | 'failed' | 'cancelled';
