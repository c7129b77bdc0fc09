// The onboarding activities' inputs and outputs live in the shared contract, which every layer may import.
export type * from '../shared/contracts/activities';
