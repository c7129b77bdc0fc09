// One place for tests to get real Temporal servers from installed binaries (never the SDK's download when
// a binary is available), see src/dev/temporal-binaries.ts.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import type { SearchAttributeType } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { devServerDynamicConfigArgs } from '../../src/dev/dev-server-config';
import { devServerExecutable, testServerExecutable } from '../../src/dev/temporal-binaries';

export async function createDevServerEnv(
  searchAttributes: SearchAttributeKey<SearchAttributeType>[] = [],
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: devServerExecutable(), searchAttributes, extraArgs: devServerDynamicConfigArgs() },
  });
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
}

/** A unique task queue / workflow id per test, so tests never pick up each other's tasks. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
