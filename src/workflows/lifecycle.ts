// Day-two operations on an onboarding, each its own short workflow addressed by the onboarding's workflow id (the
// client derives `${id}--teardown`, `${id}--update`, ...). They read the onboarding's record (its result) through
// an activity, so they work the same on an onboarding run and on an adopt run, which records the same shape.
import {
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  FlowRuns,
  LoadedOnboarding,
  PlanResourcesInput,
  PlanResult,
  ResourceStep,
} from '../activities/lifecycle';
import type { AdoptInput, UpdateInput } from '../shared/lifecycle-input';
import type { OnboardingResult } from '../shared/onboarding';
import { AepOnboardingName, AepOnboardingStatus, AepSandbox, AepSource } from '../shared/search-attributes';
import { claimOnboardingName, releaseOnboardingName } from './name-lock';
import { webhookUrl } from '../shared/webhook';
import { describeError } from './saga';
import { asInputFailure, refuseTooDeep } from './validation';

export type { AdoptInput, UpdateInput } from '../shared/lifecycle-input';

const READ: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 8 },
};
/** Deletes are worth more patience than reads: giving up leaves a resource behind. */
const DELETE: ActivityOptions = {
  ...READ,
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 20 },
};

const act = (options: ActivityOptions, summary: string) =>
  proxyActivities<Activities>({ ...options, summary });

/** Input checks run in the worker (src/activities/validation.ts), keeping zod out of the workflow bundle. */
const check = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
});
async function validated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asInputFailure(err);
  }
}

async function load(workflowId: string, allowTornDown = false): Promise<LoadedOnboarding> {
  const rec = await act(READ, `Read onboarding ${workflowId}`).loadOnboarding({ workflowId });
  if (!allowTornDown && ['tearing-down', 'torn-down', 'teardown-incomplete'].includes(rec.lifecycle)) {
    throw ApplicationFailure.nonRetryable(
      `Onboarding ${workflowId} is ${rec.lifecycle}: its resources are gone or going`,
      'OnboardingTornDown',
    );
  }
  upsertSearchAttributes([
    { key: AepSource, value: rec.result.source },
    { key: AepSandbox, value: rec.result.sandbox },
    { key: AepOnboardingName, value: rec.result.name },
  ]);
  return rec;
}

// ---------------------------------------------------------------------------------------------------------
// Teardown

export interface TeardownInput {
  /** The onboarding's (or adopt run's) workflow id. */
  workflowId: string;
}

export interface TeardownOutcome {
  step: ResourceStep;
  id?: string;
  /** `kept`: not ours to delete (reused, or adopted without being managed); `left`: still there, see reason. */
  outcome: 'deleted' | 'already-gone' | 'kept' | 'left';
  reason?: string;
}

export interface TeardownResult {
  workflowId: string;
  onboardingRunId: string;
  kind: LoadedOnboarding['kind'];
  name: string;
  source: string;
  sandbox: string;
  status: 'torn-down' | 'teardown-incomplete';
  outcomes: TeardownOutcome[];
  left: TeardownOutcome[];
}

/**
 * Deletes, in dependency order (flow, target connection, source connection, mapping set, dataset, schema, field
 * group), only what the record says the onboarding manages; 404 counts as done. A flow that cannot be deleted keeps
 * everything under it, since deleting what a live flow writes to would break it. Ends with the outcome of each.
 */
export async function teardownOnboarding(input: TeardownInput): Promise<TeardownResult> {
  refuseTooDeep(input, 'operation');
  const rec = await load(input.workflowId, true);
  const { result: r } = rec;
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: 'tearing-down' }]);
  const del = (label: string) => act(DELETE, `Teardown: delete the ${label}`);
  const notOurs =
    rec.kind === 'adopted'
      ? 'adopted without being managed (adopt --manage-dataset / --manage-schema): not deleted'
      : 'reused by the onboarding (passed in), never deleted';
  const plan: Array<{
    step: ResourceStep;
    id?: string;
    kept?: boolean;
    remove: (id: string) => Promise<{ existed: boolean }>;
  }> = [
    {
      step: 'flow',
      id: r.ids.flowId,
      remove: (id) => del('dataflow').removeFlow({ sandbox: r.sandbox, id }),
    },
    {
      step: 'targetConnection',
      id: r.ids.targetConnectionId,
      remove: (id) => del('target connection').removeTargetConnection({ sandbox: r.sandbox, id }),
    },
    {
      step: 'sourceConnection',
      id: r.ids.sourceConnectionId,
      remove: (id) => del('source connection').removeSourceConnection({ sandbox: r.sandbox, id }),
    },
    {
      step: 'mappingSet',
      id: r.ids.mappingSetId,
      remove: (id) => del('mapping set').removeMappingSet({ sandbox: r.sandbox, id }),
    },
    {
      step: 'dataset',
      id: r.ids.datasetId,
      kept: r.reused.dataset,
      remove: (id) => del('dataset').removeDataset({ sandbox: r.sandbox, id }),
    },
    {
      step: 'schema',
      id: r.ids.schemaAltId || r.ids.schemaId,
      kept: r.reused.schema,
      remove: (id) => del('schema').removeSchema({ sandbox: r.sandbox, id }),
    },
    {
      step: 'fieldGroup',
      id: r.ids.fieldGroupId,
      kept: r.reused.schema,
      remove: (id) => del('field group').removeFieldGroup({ sandbox: r.sandbox, id }),
    },
  ];

  const outcomes: TeardownOutcome[] = [];
  const report = () => {
    setCurrentDetails(
      [
        `**Teardown of** ${r.workflowId}`,
        '',
        ...outcomes.map(
          (o) => `- ${o.step}: ${o.outcome} \`${o.id ?? ''}\`${o.reason ? ` — ${o.reason}` : ''}`,
        ),
      ].join('\n'),
    );
  };
  let flowLeft: string | undefined;
  for (const { step, id, kept, remove } of plan) {
    if (!id) continue;
    if (kept) outcomes.push({ step, id, outcome: 'kept', reason: notOurs });
    else if (flowLeft) outcomes.push({ step, id, outcome: 'left', reason: `not attempted: ${flowLeft}` });
    else {
      try {
        const out = await remove(id);
        outcomes.push({ step, id, outcome: out.existed ? 'deleted' : 'already-gone' });
      } catch (err) {
        outcomes.push({ step, id, outcome: 'left', reason: describeError(err) });
        if (step === 'flow') flowLeft = `the dataflow ${id} could not be deleted and still uses it`;
      }
    }
    report();
  }
  const left = outcomes.filter((o) => o.outcome === 'left');
  const status = left.length ? 'teardown-incomplete' : 'torn-down';
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: status }]);
  if (status === 'torn-down') await releaseOnboardingName({ ...r, owner: r.workflowId });
  return {
    workflowId: r.workflowId,
    onboardingRunId: rec.runId,
    kind: rec.kind,
    name: r.name,
    source: r.source,
    sandbox: r.sandbox,
    status,
    outcomes,
    left,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Update, enable, disable

export interface UpdateResult {
  workflowId: string;
  flowId: string;
  sandbox: string;
  /** JSON pointers of the flow that changed, plus `mappingSet` when it got a new version and `state`. */
  changed: string[];
  mappingVersion: number;
  state?: 'enabled' | 'disabled';
  etag?: string;
  /** 412s met (another writer changed the flow between read and PATCH) before the update landed. */
  preconditionFailures: number;
}

/**
 * A mapping change PUTs the mapping set (same id, new version), then the flow is PATCHed (If-Match, re-read and
 * re-diffed on 412, a real conflict surfaced as UpdateConflict) to point at that version along with the other field
 * changes; a state change is the flow action last.
 */
export async function updateOnboarding(raw: UpdateInput): Promise<UpdateResult> {
  refuseTooDeep(raw, 'update');
  const input = await validated(() => check.validateUpdateInput({ raw }));
  const { result: r } = await load(input.workflowId);
  const write = (summary: string) => act(READ, summary);
  const changed: string[] = [];
  let mappingVersion = r.mappingVersion;
  if (input.mappingOverrides?.length || input.dropMappings?.length) {
    const m = await write('Update the mapping set (PUT /mappingSets/{id})').updateMappings({
      sandbox: r.sandbox,
      mappingSetId: r.ids.mappingSetId,
      overrides: input.mappingOverrides ?? [],
      drop: input.dropMappings ?? [],
    });
    mappingVersion = m.version;
    if (m.changed) changed.push('mappingSet');
  }
  let etag: string | undefined;
  let preconditionFailures = 0;
  const flowChange =
    input.flowName !== undefined ||
    input.description !== undefined ||
    input.flowOptions !== undefined ||
    input.mappingOverrides?.length ||
    input.dropMappings?.length;
  if (flowChange) {
    const p = await write('Update the dataflow (PATCH /flows/{id}, If-Match)').patchFlow({
      sandbox: r.sandbox,
      flowId: r.ids.flowId,
      name: input.flowName,
      description: input.description,
      options: input.flowOptions,
      // Points the flow at the mapping set's current version, also when an earlier run's PUT already made it.
      mappingVersion:
        input.mappingOverrides?.length || input.dropMappings?.length ? mappingVersion : undefined,
    });
    changed.push(...p.changed);
    etag = p.etag;
    preconditionFailures = p.preconditionFailures;
  }
  let state: UpdateResult['state'];
  if (input.state) {
    const s = await write(
      `${input.state === 'enabled' ? 'Enable' : 'Disable'} the dataflow (POST /flows/{id}/action)`,
    ).setFlowState({ sandbox: r.sandbox, flowId: r.ids.flowId, state: input.state });
    state = s.state;
    etag = s.etag;
    if (s.changed) changed.push('state');
  }
  return {
    workflowId: r.workflowId,
    flowId: r.ids.flowId,
    sandbox: r.sandbox,
    changed,
    mappingVersion,
    state,
    etag,
    preconditionFailures,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Runs, verify, plan

export interface RunsResult extends FlowRuns {
  workflowId: string;
  name: string;
  sandbox: string;
}

export async function onboardingRuns(input: { workflowId: string }): Promise<RunsResult> {
  refuseTooDeep(input, 'operation');
  const { result: r } = await load(input.workflowId);
  const runs = await act(READ, 'List the dataflow runs (GET /runs?property=flowId==…)').listFlowRuns({
    sandbox: r.sandbox,
    flowId: r.ids.flowId,
  });
  return { workflowId: r.workflowId, name: r.name, sandbox: r.sandbox, ...runs };
}

export interface VerifyResult {
  workflowId: string;
  flowId: string;
  datasetId: string;
  landed: string[];
}

/** Posts one sample of each of the source's webhook types and checks each lands mapped (run metrics). */
export async function verifyOnboarding(input: {
  workflowId: string;
  timeoutMs?: number;
}): Promise<VerifyResult> {
  refuseTooDeep(input, 'operation');
  const { result: r } = await load(input.workflowId);
  const { preset } = await act(READ, `Load the "${r.source}" source preset`).loadPreset({ source: r.source });
  const timeoutMs = input.timeoutMs ?? 60_000;
  const out = await act(
    {
      startToCloseTimeout: timeoutMs + 60_000,
      heartbeatTimeout: '30s',
      // A retry posts every sample again: one more chance for a transient inlet failure, no more.
      retry: { initialInterval: '2s', maximumAttempts: 2 },
    },
    `Post ${Object.keys(preset.samples).length} sample events to the webhook and read the run metrics`,
  ).verifyWebhook({
    sandbox: r.sandbox,
    flowId: r.ids.flowId,
    webhookUrl: r.webhookUrl,
    datasetId: r.ids.datasetId,
    samples: preset.samples,
    timeoutMs,
  });
  return { workflowId: r.workflowId, flowId: r.ids.flowId, datasetId: r.ids.datasetId, landed: out.landed };
}

/** Dry run: what an onboarding input would create, reuse or conflict with, from live AEP state. Writes nothing. */
export async function planOnboarding(input: PlanResourcesInput): Promise<PlanResult> {
  refuseTooDeep(input, 'onboarding');
  const { input: valid } = await validated(() => check.prepareOnboarding({ input: input.input }));
  return act(READ, 'Read live AEP state for a plan (GETs only)').planOnboardingResources({
    ...input,
    input: valid,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Adopt

/**
 * Takes a hand-made flow under management: reads it and what it uses, and returns the same record an onboarding
 * returns. The flow, its connections and its mapping set count as managed (update, verify and teardown act on
 * them); the dataset and schema only when asked.
 */
export async function adoptStreamingSource(raw: AdoptInput): Promise<OnboardingResult> {
  refuseTooDeep(raw, 'adopt');
  const input = await validated(() => check.validateAdoptInput({ raw }));
  upsertSearchAttributes([
    { key: AepSource, value: input.source },
    { key: AepSandbox, value: input.sandbox },
    { key: AepOnboardingName, value: input.name },
    { key: AepOnboardingStatus, value: 'adopting' },
  ]);
  const claim = await claimOnboardingName(input);
  const flow = await act(READ, `Read flow ${input.flowId} and what it uses`)
    .readAdoptableFlow({ sandbox: input.sandbox, flowId: input.flowId, source: input.source })
    .catch(async (err: unknown) => {
      await claim.release();
      throw err;
    });
  upsertSearchAttributes([{ key: AepOnboardingStatus, value: 'adopted' }]);
  return {
    workflowId: input.workflowId,
    source: flow.source,
    name: input.name,
    sandbox: input.sandbox,
    // No field group is recorded: an adopted schema's field groups are never ours to delete.
    ids: { ...flow.ids, fieldGroupId: '' },
    reused: { schema: !input.manageSchema, dataset: !input.manageDataset },
    etags: flow.etags,
    mappingVersion: flow.mappingVersion,
    inletUrl: flow.inletUrl,
    webhookUrl: webhookUrl(flow.inletUrl, flow.ids.flowId),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Base connections

export interface BaseConnectionInput {
  sandbox: string;
  connectionId: string;
  op: 'update' | 'delete';
  /** update only; credentials are never passed through a workflow (they would sit in its history). */
  name?: string;
  description?: string;
}

export type BaseConnectionResult =
  | { op: 'update'; connectionId: string; etag: string; changed: string[]; preconditionFailures: number }
  | { op: 'delete'; connectionId: string; existed: boolean };

export async function baseConnectionOperation(input: BaseConnectionInput): Promise<BaseConnectionResult> {
  refuseTooDeep(input, 'operation');
  const a = act(READ, `${input.op === 'delete' ? 'Delete' : 'Update'} base connection ${input.connectionId}`);
  if (input.op === 'delete') {
    const out = await a.deleteBaseConnection({ sandbox: input.sandbox, connectionId: input.connectionId });
    return { op: 'delete', connectionId: input.connectionId, existed: out.existed };
  }
  if (input.name === undefined && input.description === undefined) {
    throw ApplicationFailure.nonRetryable('Nothing to update: give a name or a description', 'InvalidInput');
  }
  const out = await a.patchBaseConnection({
    sandbox: input.sandbox,
    connectionId: input.connectionId,
    name: input.name,
    description: input.description,
  });
  return {
    op: 'update',
    connectionId: input.connectionId,
    etag: out.etag,
    changed: out.changed,
    preconditionFailures: out.preconditionFailures,
  };
}
