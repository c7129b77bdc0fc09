// The onboarding records as one port: the activities get it injected (ActivityDeps.records, wired by
// src/temporal/worker-factory.ts from the worker's own connection) rather than reaching for an ambient client, so
// they depend on this shape, not on how it reads Temporal; a test can hand them a fake.
import type { Client } from '@temporalio/client';
import type { UpdateResult } from '../shared/contracts/workflows';
import { completedUpdates } from './history';
import { nameHolder, readNameLock, terminateStaleNameLock, type NameLockState } from './names';
import {
  holdsName,
  listOnboardings,
  readOnboardingRecord,
  type OnboardingListing,
  type OnboardingRecord,
} from './records';

export * from './history';
export * from './names';
export * from './records';

export interface OnboardingRecords {
  read(workflowId: string): Promise<OnboardingRecord | undefined>;
  list(filter?: { source?: string; sandbox?: string }): Promise<OnboardingListing[]>;
  holdsName(workflowId: string, name: string): Promise<boolean>;
  nameHolder(key: {
    orgId: string;
    sandbox: string;
    source: string;
    name: string;
  }): Promise<string | undefined>;
  readNameLock(lockId: string): Promise<NameLockState | undefined>;
  /** The completed update runs of an onboarding that started at or after `since`, oldest first. */
  updates(workflowId: string, since: Date): Promise<UpdateResult[]>;
  /** The one write: a stale name lock is ended by its run id (see terminateStaleNameLock). */
  terminateStaleNameLock(lock: { lockId: string; runId: string }, reason: string): Promise<void>;
}

/** The records as read through `client` (its namespace and data converter: results may be encrypted). */
export function onboardingRecords(client: Client): OnboardingRecords {
  return {
    read: (workflowId) => readOnboardingRecord(client, workflowId),
    list: (filter) => listOnboardings(client, filter),
    holdsName: (workflowId, name) => holdsName(client, workflowId, name),
    nameHolder: (key) => nameHolder(client, key),
    readNameLock: (lockId) => readNameLock(client, lockId),
    updates: (workflowId, since) => completedUpdates(client, workflowId, since),
    terminateStaleNameLock: (lock, reason) => terminateStaleNameLock(client, lock, reason),
  };
}
