// Onboarding records for activities run without Temporal (unit tests, the sequential bench): the creates and undos
// never read them, and any call that does fails loudly instead of answering something made up.
import type { OnboardingRecords } from '../../src/records';

const refuse = () => Promise.reject(new Error('no Temporal here: no onboarding records'));

export const NO_RECORDS: OnboardingRecords = {
  read: refuse,
  list: refuse,
  holdsName: refuse,
  nameHolder: refuse,
  readNameLock: refuse,
  updates: refuse,
  terminateStaleNameLock: refuse,
};
