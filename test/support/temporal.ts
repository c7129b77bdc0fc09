// One place for tests to get real Temporal servers from installed binaries (never the SDK's download when
// a binary is available), see src/dev/temporal-binaries.ts.
import { Connection, type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import type { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
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
 * Set by scripts/run-tests.mjs to the address of one dev server for the whole run (scripts/shared-dev-server.ts):
 * the suites share it, a namespace each.
 */
export const SHARED_DEV_SERVER_ENV = 'AEP_TEST_SHARED_TEMPORAL_ADDRESS';

/**
 * A dev server namespace with the onboarding's search attributes, for one suite alone. On the run's shared dev
 * server, a namespace of its own: registering one takes about 10 ms, while a server of its own costs about 2.5 s of
 * CPU over a suite's life (37 of them in a run). A namespace isolates what a suite sees as a server did: its
 * workflows, its visibility lists, its search attributes. Without a shared server (a file run alone), a server of
 * its own.
 */
export async function createOnboardingServerEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env[SHARED_DEV_SERVER_ENV];
  if (!address) return createDevServerEnv(ONBOARDING_SEARCH_ATTRIBUTES);
  const namespace = uniqueName('aep-test');
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await addOnboardingSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address, namespace });
  // The server outlives the suite: what the suite left there (a schedule still firing, a run whose worker is gone
  // with its timers still due) ends with it, as a server of its own would have.
  const close = env.teardown.bind(env);
  env.teardown = async () => {
    await deleteSchedules(env.client).catch(() => undefined);
    await terminateOpen(env.client, 'the suite that started it has ended').catch(() => undefined);
    await close();
  };
  return env;
}

async function deleteSchedules(client: Client): Promise<void> {
  const ids: string[] = [];
  for await (const schedule of client.schedule.list()) ids.push(schedule.scheduleId);
  await Promise.all(
    ids.map((id) =>
      client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined),
    ),
  );
}

/** Terminates every running workflow `query` narrows to (all of the client's namespace by default); returns how many. */
export async function terminateOpen(client: Client, reason: string, query = ''): Promise<number> {
  const open: string[] = [];
  const running = `ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query: query ? `${query} AND ${running}` : running }))
    open.push(wf.workflowId);
  await Promise.all(
    open.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate(reason)
        .catch(() => undefined),
    ),
  );
  return open.length;
}

function addOnboardingSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string) {
  return connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      ONBOARDING_SEARCH_ATTRIBUTES.map((k) => [k.name, TYPE_TO_INDEXED[k.type]!]),
    ),
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
  await addOnboardingSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A unique task queue / workflow id per test, so tests never pick up each other's tasks. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
