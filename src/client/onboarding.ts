// Starting and following onboardings from outside the worker: the CLI, `npm start` and the tests use these.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { onboardStreamingSource } from '../workflows';
import { getProgressQuery } from '../workflows/onboarding';
import { checkOnboardingInput, type ValidOnboardingInput } from '../shared/input';
import { DEFAULT_TASK_QUEUE, ONBOARDING_WORKFLOW_TYPE, onboardingWorkflowId } from '../shared/naming';
import type { OnboardingFailureDetails, OnboardingProgress, OnboardingResult } from '../shared/onboarding';
import { assertDerivedIdFree, isTornDown } from '../records';
import { onboardingReusePolicy, onboardingStartOptions } from '../shared/onboarding-start';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { FAILURE_TYPES } from '../shared/failures';

export type OnboardingHandle = WorkflowHandle<typeof onboardStreamingSource>;

export class InvalidInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid onboarding input:\n- ${problems.join('\n- ')}`);
  }
}

export class DuplicateOnboardingError extends Error {
  constructor(
    readonly workflowId: string,
    readonly runId: string | undefined,
    readonly status: string | undefined,
  ) {
    super(
      status === 'RUNNING'
        ? `An onboarding with this name is already running: workflow ${workflowId} (run ${runId}). ` +
            `Follow it with 'aep-onboard watch ${workflowId}' or cancel it with 'aep-onboard cancel ${workflowId}'.`
        : `An onboarding with this name already exists and ${status === 'COMPLETED' ? 'completed' : `is ${status}`}: ` +
            `workflow ${workflowId} (run ${runId}). Tear it down first, or choose another name.`,
    );
  }
}

export interface StartOnboardingOptions {
  /** The AEP org, part of the workflow id so two orgs can use the same onboarding name. */
  orgId: string;
  /** Sandbox used when the input names none (the worker's AEP_SANDBOX). */
  defaultSandbox: string;
  taskQueue?: string;
  workflowId?: string;
  /** Known source ids; when given, an unknown source is refused before the run starts. */
  knownSources?: string[];
}

export function validateForStart(raw: unknown, knownSources?: string[]): ValidOnboardingInput {
  const check = checkOnboardingInput(raw);
  if (!check.ok) throw new InvalidInputError(check.problems);
  if (knownSources && !knownSources.includes(check.value.source)) {
    throw new InvalidInputError([
      `source: unknown source "${check.value.source}"; known: ${knownSources.join(', ')}`,
    ]);
  }
  return check.value;
}

export async function startOnboarding(
  client: Client,
  raw: unknown,
  opts: StartOnboardingOptions,
): Promise<{
  handle: WorkflowHandleWithFirstExecutionRunId<typeof onboardStreamingSource>;
  input: ValidOnboardingInput;
  workflowId: string;
}> {
  const input = validateForStart(raw, opts.knownSources);
  const sandbox = input.sandbox ?? opts.defaultSandbox;
  const workflowId =
    opts.workflowId ??
    onboardingWorkflowId({ orgId: opts.orgId, sandbox, source: input.source, name: input.name });
  if (!opts.workflowId) await assertDerivedIdFree(client, workflowId, input.name);
  try {
    const handle = await client.workflow.start<typeof onboardStreamingSource>(ONBOARDING_WORKFLOW_TYPE, {
      taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowId,
      // The sandbox is resolved once, here: the workflow id, the search attributes and the run itself all use it,
      // whatever the worker's own AEP_SANDBOX says.
      args: [{ ...input, sandbox }],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: onboardingReusePolicy(await isTornDown(client, workflowId)),
      ...onboardingStartOptions(input, sandbox),
    });
    return { handle, input, workflowId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const desc = await client.workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      throw new DuplicateOnboardingError(workflowId, desc?.runId, desc?.status.name);
    }
    throw missingSearchAttributes(err) ?? err;
  }
}

export class MissingSearchAttributesError extends Error {
  constructor(cause: unknown) {
    const names = ONBOARDING_SEARCH_ATTRIBUTES.map((a) => a.name);
    super(
      `Temporal does not know the search attributes ${names.join(', ')} yet (a fresh namespace no worker has ` +
        `touched). Start the worker once ('npm run worker'; it creates them), or create them yourself: ` +
        names.map((n) => `temporal operator search-attribute create --name ${n} --type Keyword`).join('; '),
      { cause },
    );
  }
}

/** A start refused because the namespace lacks our search attributes, told as such; anything else unchanged. */
function missingSearchAttributes(err: unknown): MissingSearchAttributesError | undefined {
  const text: string[] = [];
  for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) text.push(e.message);
  const names = ONBOARDING_SEARCH_ATTRIBUTES.map((a) => a.name);
  const joined = text.join(' ');
  return /search attribute/i.test(joined) && names.some((n) => joined.includes(n))
    ? new MissingSearchAttributesError(err)
    : undefined;
}

/** Polls the progress query until the run ends; resolves with the result or rejects with the run's failure. */
export async function followOnboarding(
  handle: OnboardingHandle,
  onProgress: (p: OnboardingProgress) => void,
  intervalMs = 500,
): Promise<OnboardingResult> {
  let done = false;
  // Aborts the progress query in flight when the run ends: with no worker a query waits out its deadline, and the
  // run's end must neither wait behind it nor leave it running on a connection the caller is about to close.
  const ended = new AbortController();
  const result = handle.result().finally(() => {
    done = true;
    ended.abort();
  });
  // A run that already failed rejects while the first query is in flight: without a handler attached at once, that
  // is an unhandled rejection, which ends the process before the failure can be reported.
  result.catch(() => undefined);
  let last = '';
  while (!done) {
    const p = await handle.client
      .withAbortSignal(ended.signal, () => handle.query(getProgressQuery))
      .catch(() => undefined);
    if (p) {
      const key = JSON.stringify(p);
      if (key !== last) onProgress(p);
      last = key;
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  // The run's last steps often end between two polls: one more look, so the last state shown is the final one (its
  // steps done, or what compensation undid), not the one half a second before. Bounded: a closed run's query needs a
  // worker to replay it, and none may be left.
  const final = await handle.client
    .withAbortSignal(AbortSignal.timeout(FINAL_PROGRESS_WAIT_MS), () => handle.query(getProgressQuery))
    .catch(() => undefined);
  if (final && JSON.stringify(final) !== last) onProgress(final);
  return result;
}

const FINAL_PROGRESS_WAIT_MS = 2_000;

/** The failure details an onboarding attached to its ApplicationFailure, if the error is one. */
export function onboardingFailureDetails(err: unknown): OnboardingFailureDetails | undefined {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.onboardingFailed) {
    return cause.details?.[0] as OnboardingFailureDetails | undefined;
  }
  return undefined;
}

export function isCancelledRun(err: unknown): boolean {
  return err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure;
}

/** What a person needs from a failed run: the reason, then what was undone and what is left. */
export function describeRunFailure(err: unknown): string {
  const details = onboardingFailureDetails(err);
  if (details) {
    const lines = [`Onboarding failed at ${details.failedStep ?? 'an unknown step'}: ${details.reason}`];
    lines.push(
      details.undone.length
        ? `Undone (newest first): ${details.undone.map((u) => `${u.step}${u.id ? ` ${u.id}` : ''}`).join(', ')}`
        : 'Nothing had to be undone.',
    );
    if (details.left.length) {
      lines.push(
        `LEFT in AEP (delete by hand): ${details.left.map((l) => `${l.step} ${l.id ?? '(id unknown)'}: ${l.error}`).join('; ')}`,
      );
    }
    return lines.join('\n');
  }
  if (isCancelledRun(err)) return 'Onboarding was cancelled; what it had created was deleted.';
  const cause = err instanceof WorkflowFailedError ? (err.cause ?? err) : err;
  return cause instanceof Error ? cause.message : String(cause);
}
