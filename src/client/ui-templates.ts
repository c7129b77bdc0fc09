// Web UI start links per source. The Temporal Web UI (2.54) opens its Start Workflow form prefilled from a
// `.../workflows/start-workflow?workflowId=..&runId=..&taskQueue=..&workflowType=..` link: queue and type from the
// query, and the input (with summary and details) copied from the run that `workflowId` + `workflowType` name; it
// has no query parameter for the input itself. So each source keeps one template run holding a valid input.
//
// A template must never create anything in AEP: it is started on a task queue that no worker polls (refused when one
// does) and is left open there, never dispatched. Open, it also keeps its workflow id taken, so a form submitted
// without a new Workflow ID fails at once instead of starting an onboarding under the template's id.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { OnboardingInput } from '../shared/input';
import { ONBOARDING_WORKFLOW_TYPE, UI_TEMPLATE_ID_PREFIX, UI_TEMPLATE_TASK_QUEUE } from '../shared/naming';

export interface TemplateRun {
  workflowId: string;
  runId: string;
  /** An open template was found and kept (its input is not compared: the input is a function of the source). */
  reused: boolean;
  input: OnboardingInput;
}

export class TemplateUnavailableError extends Error {
  override name = 'TemplateUnavailableError';
}

export const templateWorkflowId = (source: string): string => `${UI_TEMPLATE_ID_PREFIX}${source}`;

/** The input the form is prefilled with: a valid one, whose name the person is expected to change. */
export function templateInput(source: string, displayName: string): OnboardingInput {
  return { source, name: `${displayName} from the Web UI` };
}

async function templatePolled(client: Client): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: {
      name: UI_TEMPLATE_TASK_QUEUE,
      kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
    },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers?.length ?? 0) > 0;
}

/** The source's open template run, started when there is none. Idempotent. */
export async function ensureTemplateRun(
  client: Client,
  source: string,
  displayName: string,
): Promise<TemplateRun> {
  const workflowId = templateWorkflowId(source);
  const input = templateInput(source, displayName);
  const desc = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    });
  const isTemplate = desc?.taskQueue === UI_TEMPLATE_TASK_QUEUE && desc.type === ONBOARDING_WORKFLOW_TYPE;
  if (desc && !isTemplate)
    throw new TemplateUnavailableError(
      `Workflow id ${workflowId} holds a ${desc.type} run on task queue ${desc.taskQueue}, not a Web UI template: ` +
        `it is left alone. Terminate or rename it to get a start link for ${source}.`,
    );
  if (desc?.status.name === 'RUNNING') return { workflowId, runId: desc.runId, reused: true, input };
  if (await templatePolled(client))
    throw new TemplateUnavailableError(
      `A worker polls task queue ${UI_TEMPLATE_TASK_QUEUE}, where Web UI templates must never run: stop it ` +
        `(or point it at another queue) first.`,
    );
  const handle = await client.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
    taskQueue: UI_TEMPLATE_TASK_QUEUE,
    workflowId,
    args: [input],
    // Two ui-link calls at once share one template.
    workflowIdConflictPolicy: 'USE_EXISTING',
    // Copied into the form with the input: it describes the onboarding the form starts, not the template.
    staticSummary: `Onboard ${source} from the Web UI`,
    staticDetails: [
      `**Source:** ${source}`,
      '',
      'Started from the Web UI Start Workflow form, prefilled by `aep-onboard ui-link` from the template run',
      `${workflowId} (task queue ${UI_TEMPLATE_TASK_QUEUE}, never run).`,
    ].join('\n'),
  });
  return { workflowId, runId: handle.firstExecutionRunId, reused: false, input };
}

/** The Start Workflow form's address, prefilled from the template run. */
export function startWorkflowLink(opts: {
  uiUrl: string;
  namespace: string;
  template: Pick<TemplateRun, 'workflowId' | 'runId'>;
  taskQueue: string;
}): string {
  const query = new URLSearchParams({
    workflowId: opts.template.workflowId,
    runId: opts.template.runId,
    taskQueue: opts.taskQueue,
    workflowType: ONBOARDING_WORKFLOW_TYPE,
  });
  return `${opts.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(opts.namespace)}/workflows/start-workflow?${query}`;
}
