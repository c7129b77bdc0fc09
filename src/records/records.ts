// The Temporal read model of onboardings: an onboarding's record (its run, its result, the teardown that followed
// it) and the list of onboardings, from Temporal alone. The client, the CLI and (injected, src/records/index.ts) the
// activities all read onboardings through here, so "where an onboarding stands" is derived in one place.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { LifecycleStatus } from '../shared/contracts/lifecycle';
import type { TeardownResult } from '../shared/contracts/workflows';
import {
  LIFECYCLE_WORKFLOW_TYPES,
  lifecycleWorkflowId,
  normaliseName,
  ONBOARDING_WORKFLOW_TYPE,
  RECORD_TYPES,
  UI_TEMPLATE_ID_PREFIX,
} from '../shared/naming';
import type { OnboardingResult } from '../shared/onboarding';
import { withReconciles } from './history';
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from '../shared/search-attributes';

export type { LifecycleStatus } from '../shared/contracts/lifecycle';

export interface OnboardingRecord {
  workflowId: string;
  runId: string;
  kind: 'onboarding' | 'adopted';
  /** Temporal's status of the onboarding (or adopt) run. */
  status: WorkflowExecutionStatusName;
  lifecycle: LifecycleStatus;
  startTime: Date;
  closeTime?: Date;
  /** Present once the run completed. */
  result?: OnboardingResult;
  /** The teardown that applies to this run (started after it closed), if any. */
  teardown?: { runId: string; status: WorkflowExecutionStatusName; result?: TeardownResult };
}

export interface OnboardingListing {
  workflowId: string;
  runId: string;
  name?: string;
  source?: string;
  sandbox?: string;
  kind: 'onboarding' | 'adopted';
  /** The onboarding's own status, or its teardown's when one followed it. */
  lifecycle: string;
  status: WorkflowExecutionStatusName;
  startTime: string;
}

const CLOSED_STATUS: Partial<Record<WorkflowExecutionStatusName, LifecycleStatus>> = {
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
};

const kindOf = (type: string) => (type === ONBOARDING_WORKFLOW_TYPE ? 'onboarding' : 'adopted');

/**
 * An onboarding (or adopt) run's own lifecycle status: a completed run is `completed` (`adopted`), any other the
 * status it recorded in its AepOnboardingStatus search attribute, else the one its Temporal status implies.
 * Undefined for a closed status with no lifecycle name; the caller picks the fallback.
 */
function runLifecycle(
  kind: 'onboarding' | 'adopted',
  status: WorkflowExecutionStatusName,
  recorded: string | undefined,
): string | undefined {
  if (status === 'COMPLETED') return kind === 'adopted' ? 'adopted' : 'completed';
  if (status === 'RUNNING') return recorded ?? 'running';
  return recorded ?? CLOSED_STATUS[status];
}

export async function describeOrUndefined(client: Client, workflowId: string) {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
}

/**
 * Where an onboarding stands, from Temporal alone (strongly consistent: describe and result by id, no visibility
 * query). A teardown applies to the run it followed: one that started before the run closed belongs to an earlier
 * run of the same id.
 */
export async function readOnboardingRecord(
  client: Client,
  workflowId: string,
): Promise<OnboardingRecord | undefined> {
  const desc = await describeOrUndefined(client, workflowId);
  if (!desc || !(RECORD_TYPES as readonly string[]).includes(desc.type)) return undefined;
  const kind = kindOf(desc.type);
  const status = desc.status.name;
  const record: OnboardingRecord = {
    workflowId,
    runId: desc.runId,
    kind,
    status,
    startTime: desc.startTime,
    closeTime: desc.closeTime,
    lifecycle: (runLifecycle(kind, status, desc.typedSearchAttributes.get(AepOnboardingStatus)) ??
      'failed') as LifecycleStatus,
  };
  if (status !== 'COMPLETED') return record;
  const recorded = (await client.workflow.getHandle(workflowId, desc.runId).result()) as OnboardingResult;
  // A reconcile that re-created resources recorded their new ids: from then on they are the onboarding's.
  record.result = await withReconciles(client, recorded, desc.closeTime ?? desc.startTime);

  const teardownId = lifecycleWorkflowId(workflowId, 'teardown');
  const td = await describeOrUndefined(client, teardownId);
  if (td && desc.closeTime && td.startTime >= desc.closeTime) {
    const tdStatus = td.status.name;
    const result =
      tdStatus === 'COMPLETED'
        ? ((await client.workflow.getHandle(teardownId, td.runId).result()) as TeardownResult)
        : undefined;
    record.teardown = { runId: td.runId, status: tdStatus, result };
    record.lifecycle =
      tdStatus === 'RUNNING'
        ? 'tearing-down'
        : result && !result.left.length
          ? 'torn-down'
          : 'teardown-incomplete';
  }
  return record;
}

/**
 * The name an onboarding (or adopt) run under `workflowId` carries: its AepOnboardingName search attribute (set at
 * start by the CLI, and by the run itself once its input is checked), else its record's name; undefined when no
 * such run exists or it never got as far as a name.
 */
export async function storedOnboardingName(client: Client, workflowId: string): Promise<string | undefined> {
  const desc = await describeOrUndefined(client, workflowId);
  if (!desc || !(RECORD_TYPES as readonly string[]).includes(desc.type)) return undefined;
  const attribute = desc.typedSearchAttributes.get(AepOnboardingName);
  if (attribute !== undefined) return normaliseName(attribute);
  if (desc.status.name !== 'COMPLETED') return undefined;
  const result = (await client.workflow.getHandle(workflowId, desc.runId).result()) as OnboardingResult;
  return normaliseName(result.name);
}

/**
 * Whether the run under a workflow id derived from `name` is that name's. The id keeps only a slug and 48 bits of
 * the name's hash, so the stored name decides: a run there with another name is not this onboarding.
 */
export async function holdsName(client: Client, workflowId: string, name: string): Promise<boolean> {
  return (await storedOnboardingName(client, workflowId)) === normaliseName(name);
}

/** Refuses a derived workflow id that another name's onboarding holds (a name-hash collision): never act on it. */
export async function assertDerivedIdFree(client: Client, workflowId: string, name: string): Promise<void> {
  const stored = await storedOnboardingName(client, workflowId);
  if (stored !== undefined && stored !== normaliseName(name)) {
    throw new Error(
      `Workflow id ${workflowId} belongs to the onboarding "${stored}", not "${normaliseName(name)}"; ` +
        `start this one under another workflow id.`,
    );
  }
}

/** A completed onboarding whose resources a teardown removed: its name may be used again. */
export async function isTornDown(client: Client, workflowId: string): Promise<boolean> {
  return (await readOnboardingRecord(client, workflowId))?.lifecycle === 'torn-down';
}

/** A visibility-query string literal. */
const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Every onboarding (latest run per workflow id) with its status, through search attributes: one visibility
 * query over onboarding, adopt and teardown runs; a teardown that started after the latest run overrides its status.
 */
export async function listOnboardings(
  client: Client,
  filter: { source?: string; sandbox?: string } = {},
): Promise<OnboardingListing[]> {
  const types = [...RECORD_TYPES, LIFECYCLE_WORKFLOW_TYPES.teardown].map(quote).join(', ');
  const clauses = [`WorkflowType IN (${types})`];
  if (filter.source) clauses.push(`${AepSource.name} = ${quote(filter.source)}`);
  if (filter.sandbox) clauses.push(`${AepSandbox.name} = ${quote(filter.sandbox)}`);
  const records = new Map<string, OnboardingListing>();
  const teardowns = new Map<string, { startTime: Date; lifecycle?: string }>();
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    // A Web UI start template (never run) is no onboarding.
    if (wf.workflowId.startsWith(UI_TEMPLATE_ID_PREFIX)) continue;
    const sa = wf.typedSearchAttributes;
    const lifecycle = sa.get(AepOnboardingStatus);
    if (wf.type === LIFECYCLE_WORKFLOW_TYPES.teardown) {
      const id = wf.workflowId.replace(/--teardown$/, '');
      const seen = teardowns.get(id);
      // A teardown that ended without recording its outcome (terminated, timed out) did not finish.
      const ended =
        wf.status.name !== 'RUNNING' && lifecycle === 'tearing-down' ? 'teardown-incomplete' : lifecycle;
      if (!seen || seen.startTime < wf.startTime)
        teardowns.set(id, { startTime: wf.startTime, lifecycle: ended });
      continue;
    }
    const seen = records.get(wf.workflowId);
    if (seen && seen.startTime >= wf.startTime.toISOString()) continue;
    const kind = kindOf(wf.type);
    records.set(wf.workflowId, {
      workflowId: wf.workflowId,
      runId: wf.runId,
      name: sa.get(AepOnboardingName),
      source: sa.get(AepSource),
      sandbox: sa.get(AepSandbox),
      kind,
      lifecycle: runLifecycle(kind, wf.status.name, lifecycle) ?? wf.status.name.toLowerCase(),
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
    });
  }
  for (const [id, td] of teardowns) {
    const r = records.get(id);
    if (r && td.startTime.toISOString() >= r.startTime && r.status === 'COMPLETED' && td.lifecycle) {
      r.lifecycle = td.lifecycle;
    }
  }
  return [...records.values()].sort((a, b) => b.startTime.localeCompare(a.startTime));
}
