// The Temporal side of `doctor`: the namespace answers, the search attributes the worker registers exist, and a
// worker polls the task queue (a run started without one waits silently).
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { CliError, type Ctx } from './context';
import type { CheckResult } from './doctor-report';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function searchAttributeNames(client: Client): Promise<Set<string>> {
  const namespace = client.options.namespace;
  try {
    const res = await client.connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(res.customAttributes ?? {}));
  } catch {
    // Temporal Cloud closes the operator API to API keys; the frontend still lists the keys.
    const res = await client.workflowService.getSearchAttributes({});
    return new Set(Object.keys(res.keys ?? {}));
  }
}

async function pollers(client: Client, taskQueue: string, type: temporal.api.enums.v1.TaskQueueType) {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  return res.pollers ?? [];
}

export async function temporalChecks(ctx: Ctx): Promise<CheckResult[]> {
  let client: Client;
  try {
    client = await ctx.client();
  } catch (err) {
    const skipped = (id: string, title: string): CheckResult => ({
      id,
      title,
      status: 'skip',
      detail: 'skipped: Temporal is not reachable',
    });
    return [
      {
        id: 'temporal-namespace',
        title: 'Temporal namespace',
        status: 'fail',
        detail: err instanceof CliError ? err.message.split('\n')[0]! : reason(err),
        fix:
          err instanceof CliError
            ? (err.message.split('\n')[1] ?? 'Check TEMPORAL_ADDRESS.')
            : 'Check TEMPORAL_ADDRESS.',
      },
      skipped('temporal-search-attributes', 'Search attributes'),
      skipped('temporal-worker', 'Worker'),
    ];
  }
  const namespace = client.options.namespace;
  const out: CheckResult[] = [];
  try {
    await client.workflowService.describeNamespace({ namespace });
    out.push({
      id: 'temporal-namespace',
      title: 'Temporal namespace',
      status: 'ok',
      detail: `${namespace} reachable`,
    });
  } catch (err) {
    out.push({
      id: 'temporal-namespace',
      title: 'Temporal namespace',
      status: 'fail',
      detail: `namespace ${namespace}: ${reason(err)}`,
      fix: `Create it (temporal operator namespace create ${namespace}) or set TEMPORAL_NAMESPACE to an existing one.`,
    });
    return out;
  }
  try {
    const names = await searchAttributeNames(client);
    const missing = ONBOARDING_SEARCH_ATTRIBUTES.filter((k) => !names.has(k.name));
    out.push(
      missing.length
        ? {
            id: 'temporal-search-attributes',
            title: 'Search attributes',
            status: 'fail',
            detail: `missing ${missing.map((k) => k.name).join(', ')}`,
            fix:
              'Start the worker once (it adds them where the operator API is open), or add them: ' +
              missing
                .map((k) => `temporal operator search-attribute create --name ${k.name} --type Keyword`)
                .join('; '),
          }
        : {
            id: 'temporal-search-attributes',
            title: 'Search attributes',
            status: 'ok',
            detail: ONBOARDING_SEARCH_ATTRIBUTES.map((k) => k.name).join(', '),
          },
    );
  } catch (err) {
    out.push({
      id: 'temporal-search-attributes',
      title: 'Search attributes',
      status: 'warn',
      detail: `could not list them: ${reason(err)}`,
    });
  }
  try {
    const [wf, act] = await Promise.all([
      pollers(client, ctx.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(client, ctx.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    if (!wf.length || !act.length) {
      out.push({
        id: 'temporal-worker',
        title: 'Worker',
        status: 'fail',
        detail: `no worker polls task queue "${ctx.taskQueue}" (${wf.length} workflow, ${act.length} activity poller(s))`,
        fix:
          `Start one: 'npm run worker' with TEMPORAL_TASK_QUEUE=${ctx.taskQueue}, the same TEMPORAL_ADDRESS and ` +
          `namespace (${namespace}) and the AEP_* settings; or 'npm start' locally. Runs started meanwhile wait for it.`,
      });
    } else {
      const who = [...new Set(wf.map((p) => p.identity).filter(Boolean))].join(', ');
      out.push({
        id: 'temporal-worker',
        title: 'Worker',
        status: 'ok',
        detail: `${wf.length} poller(s) on task queue "${ctx.taskQueue}"${who ? ` (${who})` : ''}`,
      });
    }
  } catch (err) {
    out.push({
      id: 'temporal-worker',
      title: 'Worker',
      status: 'warn',
      detail: `could not describe task queue "${ctx.taskQueue}": ${reason(err)}`,
    });
  }
  return out;
}
