// The onboarding's record, which every day-two workflow starts from. Read through an activity, so the workflows work
// the same on an onboarding run and on an adopt run, which records the same shape.
import { ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { TORN_DOWN_STATUSES, type LoadedOnboarding } from '../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../shared/onboarding';
import { AepOnboardingName, AepSandbox, AepSource } from '../shared/search-attributes';
import { act, READ } from './options';

/** The record of a completed onboarding; refused when torn down (or going) unless `allowTornDown`. */
export async function load(workflowId: string, allowTornDown = false): Promise<LoadedOnboarding> {
  const rec = await act(READ, `Read onboarding ${workflowId}`).loadOnboarding({ workflowId });
  if (!allowTornDown && TORN_DOWN_STATUSES.includes(rec.lifecycle)) {
    throw ApplicationFailure.nonRetryable(
      `Onboarding ${workflowId} is ${rec.lifecycle}: its resources are gone or going`,
      LIFECYCLE_FAILURES.tornDown,
    );
  }
  upsertSearchAttributes([
    { key: AepSource, value: rec.result.source },
    { key: AepSandbox, value: rec.result.sandbox },
    { key: AepOnboardingName, value: rec.result.name },
  ]);
  return rec;
}
