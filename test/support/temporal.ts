// One place for tests to get real Temporal servers from installed binaries (never the SDK's download when
// a binary is available), see src/dev/temporal-binaries.ts.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import type { SearchAttributeType } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { devServerDynamicConfigArgs } from '../../src/dev/dev-server-config';
import { devServerExecutable, testServerExecutable } from '../../src/dev/temporal-binaries';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { TYPE_TO_INDEXED } from '../../src/temporal/search-attributes';

export async function createDevServerEnv(
  searchAttributes: SearchAttributeKey<SearchAttributeType>[] = [],
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: devServerExecutable(), searchAttributes, extraArgs: devServerDynamicConfigArgs() },
  });
}

/**
 * The time-skipping test server, with the onboarding search attributes registered: its operator API can add them
 * but neither lists them nor answers GetSearchAttributes, so the worker's own check cannot run there.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable() },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ONBOARDING_SEARCH_ATTRIBUTES.map((k) => [k.name, TYPE_TO_INDEXED[k.type]!]),
    ),
  });
  return env;
}

/** A unique task queue / workflow id per test, so tests never pick up each other's tasks. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
