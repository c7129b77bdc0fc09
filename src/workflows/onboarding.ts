// The onboarding saga: Chatlio (or any preset source) to a working webhook URL, or a failed run that left nothing
// behind in AEP and says exactly what it undid. Orchestration only: every API call is an activity.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  defineQuery,
  isCancellation,
  metricMeter,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities, ResourceStep, SweepInput, SweepOutput } from '../activities';
import type { OnboardingInput, ValidOnboardingInput } from '../shared/input';
import { mappingSetName, markedDescription, resourceName, runMarker, type StepName } from '../shared/naming';
import {
  FAILURE_TYPES,
  STEP_ORDER,
  type CompensationOutcome,
  type OnboardingFailureDetails,
  type OnboardingIds,
  type OnboardingProgress,
  type OnboardingResult,
  type StepProgress,
} from '../shared/onboarding';
import type { Mapping, SourcePreset } from '../shared/preset-schema';
import { withTenant } from '../shared/tenant';
import {
  AepOnboardingName,
  AepOnboardingStatus,
  AepSandbox,
  AepSource,
  type OnboardingStatus,
} from '../shared/search-attributes';
import { claimOnboardingName } from './name-lock';
import { describeError, failureType, Saga, type CompensationReport, type UndoResult } from './saga';
import { asInputFailure } from './validation';

export const getProgressQuery = defineQuery<OnboardingProgress>('getProgress');

/**
 * The worker's own counters, exported with Temporal's metrics (the SDK skips them during replay). The meter exists
 * only inside a workflow, so they are made per run.
 */
function onboardingCounters() {
  const counter = (name: string, description: string) =>
    metricMeter.createCounter(name, 'onboardings', description);
  return {
    started: counter('aep_onboardings_started', 'Onboardings started'),
    completed: counter('aep_onboardings_completed', 'Onboardings completed'),
    compensated: counter('aep_onboardings_compensated', 'Onboardings failed and undone'),
    cancelled: counter('aep_onboardings_cancelled', 'Onboardings cancelled and undone'),
  };
}

/**
 * Creates and reads: bounded retries, so a step that keeps failing ends the run (and compensates). On cancellation
 * the workflow waits for an attempt in flight to finish (the SDK's effective default is TRY_CANCEL, which reports the
 * activity cancelled at once while its create may still land afterwards, after the undo looked for it: an orphan).
 */
const STEP_OPTIONS: ActivityOptions = {
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // Room for a retry to wait out an earlier attempt's create (the worker's createSettleMs, 60 s by default) and
  // then make its own (a 30 s HTTP timeout).
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  // Dense faults can take many attempts; the schedule-to-close budget is what ends a step that keeps failing.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 30 },
};
/** Undos get a more patient policy of their own: leaving an orphan is worse than a slow compensation. */
const UNDO_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 40 },
};
/** Verification posts every sample once per attempt: at most two attempts, each allowed the full polling time. */
const VERIFY_TIMEOUT_MS = 60_000;
const VERIFY_OPTIONS: ActivityOptions = {
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  startToCloseTimeout: VERIFY_TIMEOUT_MS + 60_000,
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 2 },
};
/**
 * Reads that change nothing run as local activities: in the worker, inside the workflow task, with no round trip
 * through the server before and after each (~10 ms each on the dev server, three of them on the critical path).
 * They are safe to run again if a worker dies mid-task, which is what a local activity may do. Every create stays
 * a normal activity: a create run again after a crash must know it may have run before (its attempt number), and
 * it shows in the history as a step of its own.
 */
const PREPARE_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
};
const READ_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '10m',
  retry: STEP_OPTIONS.retry,
};
/** The inlet URL may lag the flow's creation: poll it briefly and often. */
const INLET_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '500ms', backoffCoefficient: 1.5, maximumInterval: '10s', maximumAttempts: 60 },
};

function activities(options: ActivityOptions, summary: string) {
  return proxyActivities<Activities>({ ...options, summary });
}
function localActivities(options: LocalActivityOptions, summary: string) {
  return proxyLocalActivities<Activities>({ ...options, summary });
}

export async function onboardStreamingSource(raw: OnboardingInput): Promise<OnboardingResult> {
  const { workflowId } = workflowInfo();
  const progress: OnboardingProgress = { phase: 'validating', steps: {}, ids: {}, compensation: [] };
  const onboardings = onboardingCounters();
  setHandler(getProgressQuery, () => progress, { description: 'Phase, each step, ids so far, compensation' });

  // Checked (and the preset loaded) before any AEP call; a bad input fails the run at once, non-retryable.
  const { input, preset, defaultSandbox } = await localActivities(
    PREPARE_OPTIONS,
    'Check the input and load the source preset',
  )
    .prepareOnboarding({ input: raw })
    .catch((err: unknown) => {
      throw asInputFailure(err);
    });
  const sandbox = input.sandbox ?? defaultSandbox;
  const claim = await claimOnboardingName({ source: input.source, sandbox, name: input.name });
  progress.source = input.source;
  progress.sandbox = sandbox;
  setStatus('running', { source: input.source, sandbox, name: input.name });
  onboardings.started.add(1, { source: input.source });
  progress.phase = 'provisioning';

  const run = new OnboardingRun(workflowId, input, preset, sandbox, progress);
  try {
    const result = await run.provision();
    progress.phase = 'completed';
    progress.webhookUrl = result.webhookUrl;
    setStatus('completed');
    onboardings.completed.add(1, { source: input.source });
    renderDetails(progress);
    return result;
  } catch (err) {
    progress.phase = 'compensating';
    setStatus('compensating');
    renderDetails(progress);
    const report = await run.compensate((o) => {
      progress.compensation.push(o);
      renderDetails(progress);
    });
    await claim.release();
    // Cancelled is decided by the run's own scope, not by the error's shape: an attempt in flight may fail or time
    // out after the cancel request and surface as an ordinary activity failure.
    const cancelled = isCancellation(err) || CancellationScope.current().consideredCancelled;
    if (cancelled && report.left.length === 0) {
      progress.phase = 'cancelled';
      setStatus('cancelled');
      onboardings.cancelled.add(1, { source: input.source });
      renderDetails(progress);
      throw isCancellation(err)
        ? err
        : new CancelledFailure('Onboarding cancelled; everything it created was deleted');
    }
    progress.phase = 'compensated';
    setStatus(report.left.length ? 'failed' : 'compensated');
    onboardings.compensated.add(1, { source: input.source, clean: String(report.left.length === 0) });
    renderDetails(progress);
    const details: OnboardingFailureDetails = {
      failedStep: run.failedStep,
      // A cancelled run that could not undo everything fails instead, so that what is left is reported.
      reason: cancelled
        ? `cancelled, and not everything could be undone (${describeError(err)})`
        : describeError(err),
      undone: report.undone,
      left: report.left,
    };
    const undone = report.undone.map((o) => o.step).join(', ') || 'nothing';
    const left = report.left.length
      ? `; LEFT in AEP: ${report.left.map((o) => `${o.step} ${o.id ?? '(id unknown)'}`).join(', ')}`
      : '';
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.onboardingFailed,
      nonRetryable: true,
      message: `Onboarding failed at step ${run.failedStep ?? '(unknown)'}: ${details.reason}. Undone: ${undone}${left}`,
      details: [details],
      cause: err instanceof Error ? err : undefined,
    });
  }
}

class OnboardingRun {
  readonly saga = new Saga();
  failedStep: StepName | undefined;
  /** Some call of this run was answered by AEP: the credential, org and sandbox were good at least once. */
  private accepted = false;
  private readonly ids: Partial<OnboardingIds>;
  /** In the name or description of everything this run creates: what proves a resource is this run's. */
  readonly marker: string;

  constructor(
    private readonly workflowId: string,
    private readonly input: ValidOnboardingInput,
    private readonly preset: SourcePreset,
    private readonly sandbox: string,
    private readonly progress: OnboardingProgress,
  ) {
    this.ids = progress.ids;
    this.marker = runMarker({ workflowId, runId: workflowInfo().firstExecutionRunId });
  }

  private name(step: Parameters<typeof resourceName>[0]): string {
    return resourceName(step, {
      name: this.input.name,
      displayName: this.preset.displayName,
      marker: this.marker,
    });
  }

  /** Every description carries the run's marker: for a name a person chose, it is the proof of ownership. */
  private get description(): string {
    return markedDescription(
      this.input.description ?? `Created by aep-onboarding (workflow ${this.workflowId})`,
      this.marker,
    );
  }

  /** Runs one step, keeping the progress query truthful; the undo (if any) is registered before the create. */
  private async step<T>(
    step: StepName,
    run: () => Promise<T>,
    idOf: (t: T) => string | undefined,
    undo?: { run: () => Promise<UndoResult>; id: () => string | undefined },
    state: (t: T) => StepProgress['state'] = () => 'done',
  ): Promise<T> {
    // Once cancelled (by the user, or by a failed sibling branch) start nothing new, not even an undo registration.
    const scope = CancellationScope.current();
    if (scope.consideredCancelled) {
      this.setStep(step, { state: 'cancelled' });
      await scope.cancelRequested;
    }
    if (undo) this.saga.add(step, undo.run, undo.id);
    this.setStep(step, { state: 'running' });
    try {
      const out = await run();
      this.accepted = true;
      this.setStep(step, { state: state(out), id: idOf(out) });
      return out;
    } catch (err) {
      const cancelled = isCancellation(err);
      this.setStep(step, { state: cancelled ? 'cancelled' : 'failed', error: describeError(err) });
      if (!cancelled) this.failedStep ??= step;
      throw err;
    }
  }

  private setStep(step: StepName, p: StepProgress): void {
    this.progress.steps[step] = p;
    renderDetails(this.progress);
  }

  private undo(summary: string) {
    return activities(UNDO_OPTIONS, summary);
  }

  /** The name each step creates under, for the sweep (reused resources are not this run's: never swept). */
  private sweepTargets(keep: Partial<Record<ResourceStep, string>>): SweepInput['steps'] {
    const { input } = this;
    const reusedSchema = Boolean(input.schemaId || input.datasetId);
    const targets: SweepInput['steps'] = [
      { step: 'flow', name: this.name('flow') },
      { step: 'targetConnection', name: this.name('targetConnection') },
      { step: 'sourceConnection', name: this.name('sourceConnection') },
      { step: 'mappingSet', name: mappingSetName({ source: input.source, marker: this.marker }) },
      ...(input.datasetId
        ? []
        : [{ step: 'dataset' as const, name: input.datasetName ?? this.name('dataset') }]),
      ...(reusedSchema
        ? []
        : [
            { step: 'schema' as const, name: input.schemaTitle ?? this.name('schema') },
            { step: 'fieldGroup' as const, name: this.name('fieldGroup') },
          ]),
    ];
    return targets.map((t) => ({ ...t, keep: keep[t.step] }));
  }

  private sweep(keep: Partial<Record<ResourceStep, string>>): Promise<SweepOutput> {
    return this.undo("Sweep: delete any duplicate carrying this run's marker").sweepRun({
      sandbox: this.sandbox,
      marker: this.marker,
      steps: this.sweepTargets(keep),
    });
  }

  /**
   * The undos, newest first, then a sweep for anything else carrying the run's marker (a create that landed after
   * its undo looked). When AEP never accepted a single call of the run (credential, org or sandbox refused), a
   * refused look-up means nothing can have been created: reported as such, not as left behind.
   */
  async compensate(onOutcome: (o: CompensationOutcome) => void): Promise<CompensationReport> {
    const report = await this.saga.compensate(onOutcome, (err) =>
      !this.accepted && failureType(err) === FAILURE_TYPES.accessRefused
        ? 'nothing was created: AEP refused the credential, org or sandbox for every call of this run'
        : undefined,
    );
    if (!this.accepted) return report;
    await CancellationScope.nonCancellable(async () => {
      try {
        const { removed } = await this.sweep({});
        for (const r of removed) {
          const o: CompensationOutcome = {
            step: r.step,
            outcome: 'undone',
            id: r.id,
            existed: true,
            duplicate: true,
          };
          report.undone.push(o);
          onOutcome(o);
        }
      } catch (err) {
        const o: CompensationOutcome = {
          step: 'sweep',
          outcome: 'left',
          error: `the sweep for duplicates failed, some may be left: ${describeError(err)}`,
        };
        report.left.push(o);
        onOutcome(o);
      }
    });
    return report;
  }

  async provision(): Promise<OnboardingResult> {
    const { input, preset, sandbox } = this;
    // Branches run under one scope: the first failure cancels its siblings, and compensation starts only once every
    // branch has settled, so nothing is still being created while the undos run.
    const scope = new CancellationScope();
    const { sourceConnection, targetConnection, mappingSet } = await scope.run(() =>
      settleAll(scope, {
        sourceConnection: this.sourceConnection(),
        chain: (async () => {
          const { tenantId } = await this.step(
            'tenant',
            () => localActivities(READ_OPTIONS, 'Read the tenant id (GET /stats)').getTenant({ sandbox }),
            (t) => t.tenantId,
          );
          this.ids.tenantId = tenantId;
          const schema = await this.schema(tenantId);
          const mappings = this.mappings(tenantId);
          const { dataset, mappingSet } = await settleAll(scope, {
            dataset: this.dataset(schema.id),
            mappingSet: this.mappingSet(schema.id, mappings),
          });
          const targetConnection = await this.targetConnection(dataset, schema.id);
          return { targetConnection, mappingSet };
        })(),
      }).then(({ sourceConnection, chain }) => ({ sourceConnection, ...chain })),
    );

    const flow = await this.step(
      'flow',
      () =>
        activities(STEP_OPTIONS, `Create the dataflow (POST /flows)`).ensureFlow({
          sandbox,
          marker: this.marker,
          name: this.name('flow'),
          description: this.description,
          flowSpec: preset.flowSpec,
          sourceConnectionId: sourceConnection.id,
          targetConnectionId: targetConnection.id,
          mappingSetId: mappingSet.id,
          mappingVersion: mappingSet.version,
          options: input.flow,
        }),
      (f) => f.id,
      {
        run: () =>
          this.undo('Undo: delete the dataflow').removeFlow({
            sandbox,
            marker: this.marker,
            id: this.ids.flowId,
            name: this.name('flow'),
          }),
        id: () => this.ids.flowId,
      },
    );
    this.ids.flowId = flow.id;

    const inlet = await this.step(
      'inletUrl',
      () =>
        localActivities(INLET_OPTIONS, 'Read the streaming inlet URL (GET /flows/{id})').getInletUrl({
          sandbox,
          flowId: flow.id,
        }),
      (i) => i.inletUrl,
    );
    const webhookUrl = `${inlet.inletUrl}?x-adobe-flow-id=${flow.id}`;

    // Reconcile: a create that landed twice (a retry after a slow request) leaves an extra carrying the marker.
    const { removed: duplicatesRemoved } = await this.sweep({
      flow: flow.id,
      targetConnection: targetConnection.id,
      sourceConnection: sourceConnection.id,
      mappingSet: mappingSet.id,
      dataset: this.ids.datasetId,
      schema: this.ids.schemaAltId,
      fieldGroup: this.ids.fieldGroupId,
    });

    // Optional last step: post each sample as the source would and check that each lands, mapped, in the dataset.
    // A failure here fails the onboarding and compensates, like any other step.
    let verified: OnboardingResult['verified'];
    if (input.verify) {
      this.progress.phase = 'verifying';
      const out = await this.step(
        'verify',
        () =>
          activities(
            VERIFY_OPTIONS,
            `Verify: post ${Object.keys(preset.samples).length} sample events to the webhook`,
          ).verifyWebhook({
            sandbox,
            flowId: flow.id,
            webhookUrl,
            datasetId: this.ids.datasetId!,
            samples: preset.samples,
            timeoutMs: VERIFY_TIMEOUT_MS,
          }),
        () => undefined,
      );
      verified = { samples: out.landed };
    }
    return {
      workflowId: this.workflowId,
      source: input.source,
      name: input.name,
      sandbox,
      ids: this.ids as OnboardingIds,
      reused: { schema: Boolean(input.schemaId || input.datasetId), dataset: Boolean(input.datasetId) },
      etags: {
        sourceConnection: sourceConnection.etag,
        targetConnection: targetConnection.etag,
        flow: inlet.etag,
      },
      mappingVersion: mappingSet.version,
      inletUrl: inlet.inletUrl,
      webhookUrl,
      ...(verified ? { verified } : {}),
      ...(duplicatesRemoved.length ? { duplicatesRemoved } : {}),
    };
  }

  private async sourceConnection() {
    const { sandbox, preset } = this;
    const name = this.name('sourceConnection');
    const out = await this.step(
      'sourceConnection',
      () =>
        activities(
          STEP_OPTIONS,
          `Create the ${preset.displayName} source connection (POST /sourceConnections)`,
        ).ensureSourceConnection({
          sandbox,
          marker: this.marker,
          name,
          description: this.description,
          connectionSpec: preset.connectionSpec,
          providerId: preset.providerId,
          dataFormat: preset.dataFormat,
        }),
      (s) => s.id,
      {
        run: () =>
          this.undo('Undo: delete the source connection').removeSourceConnection({
            sandbox,
            marker: this.marker,
            id: this.ids.sourceConnectionId,
            name,
          }),
        id: () => this.ids.sourceConnectionId,
      },
    );
    this.ids.sourceConnectionId = out.id;
    return out;
  }

  /** Field group then schema, or the schema (and dataset) the user passed in, which are never deleted. */
  private async schema(tenantId: string): Promise<{ id: string; altId: string }> {
    const { sandbox, input, preset } = this;
    if (input.schemaId || input.datasetId) {
      const reused = await this.step(
        'schema',
        () =>
          activities(STEP_OPTIONS, 'Check the schema/dataset to reuse').resolveReused({
            sandbox,
            schemaId: input.schemaId,
            datasetId: input.datasetId,
          }),
        (r) => r.schemaId,
        undefined,
        () => 'reused',
      );
      this.setStep('fieldGroup', { state: 'skipped' });
      this.ids.schemaId = reused.schemaId;
      this.ids.schemaAltId = reused.schemaAltId;
      return { id: reused.schemaId, altId: reused.schemaAltId };
    }
    const fgTitle = this.name('fieldGroup');
    const fieldGroup = await this.step(
      'fieldGroup',
      () =>
        activities(
          STEP_OPTIONS,
          `Create the ${preset.displayName} field group (POST /tenant/fieldgroups)`,
        ).ensureFieldGroup({
          sandbox,
          marker: this.marker,
          title: fgTitle,
          description: preset.fieldGroup.description
            ? markedDescription(preset.fieldGroup.description, this.marker)
            : this.description,
          tenantId,
          schemaClass: preset.schemaClass,
          fieldGroup: preset.fieldGroup,
        }),
      (f) => f.altId,
      {
        run: () =>
          this.undo('Undo: delete the field group').removeFieldGroup({
            sandbox,
            marker: this.marker,
            id: this.ids.fieldGroupId,
            name: fgTitle,
          }),
        id: () => this.ids.fieldGroupId,
      },
    );
    this.ids.fieldGroupId = fieldGroup.altId;

    const title = input.schemaTitle ?? this.name('schema');
    const schema = await this.step(
      'schema',
      () =>
        activities(STEP_OPTIONS, 'Create the target XDM schema (POST /tenant/schemas)').ensureSchema({
          sandbox,
          marker: this.marker,
          title,
          description: this.description,
          schemaClass: preset.schemaClass,
          fieldGroupId: fieldGroup.id,
        }),
      (s) => s.altId,
      {
        run: () =>
          this.undo('Undo: delete the schema').removeSchema({
            sandbox,
            marker: this.marker,
            id: this.ids.schemaAltId,
            name: title,
          }),
        id: () => this.ids.schemaAltId,
      },
    );
    this.ids.schemaId = schema.id;
    this.ids.schemaAltId = schema.altId;
    return { id: schema.id, altId: schema.altId };
  }

  private async dataset(schemaId: string): Promise<string> {
    const { sandbox, input } = this;
    if (input.datasetId) {
      this.setStep('dataset', { state: 'reused', id: input.datasetId });
      this.ids.datasetId = input.datasetId;
      return input.datasetId;
    }
    const name = input.datasetName ?? this.name('dataset');
    const out = await this.step(
      'dataset',
      () =>
        activities(STEP_OPTIONS, 'Create the target dataset (POST /dataSets)').ensureDataset({
          sandbox,
          marker: this.marker,
          name,
          description: this.description,
          schemaId,
        }),
      (d) => d.id,
      {
        run: () =>
          this.undo('Undo: delete the dataset').removeDataset({
            sandbox,
            marker: this.marker,
            id: this.ids.datasetId,
            name,
          }),
        id: () => this.ids.datasetId,
      },
    );
    this.ids.datasetId = out.id;
    return out.id;
  }

  private mappings(tenantId: string): Mapping[] {
    const { input, preset } = this;
    const dropped = new Set((input.dropMappings ?? []).map((d) => withTenant(d, tenantId)));
    const byDestination = new Map<string, Mapping>();
    for (const m of [...preset.mappings, ...(input.mappingOverrides ?? [])]) {
      const destination = withTenant(m.destination, tenantId);
      byDestination.set(destination, { ...m, destination });
    }
    return [...byDestination.values()].filter((m) => !dropped.has(m.destination));
  }

  private async mappingSet(schemaId: string, mappings: Mapping[]) {
    const { sandbox, input } = this;
    const name = mappingSetName({ source: input.source, marker: this.marker });
    const out = await this.step(
      'mappingSet',
      () =>
        activities(STEP_OPTIONS, 'Create the mapping set (POST /conversion/mappingSets)').ensureMappingSet({
          sandbox,
          marker: this.marker,
          name,
          schemaId,
          mappings,
        }),
      (m) => m.id,
      {
        run: () =>
          this.undo('Undo: delete the mapping set').removeMappingSet({
            sandbox,
            marker: this.marker,
            id: this.ids.mappingSetId,
            name,
          }),
        id: () => this.ids.mappingSetId,
      },
    );
    this.ids.mappingSetId = out.id;
    return out;
  }

  private async targetConnection(datasetId: string, schemaId: string) {
    const { sandbox } = this;
    const name = this.name('targetConnection');
    const out = await this.step(
      'targetConnection',
      () =>
        activities(
          STEP_OPTIONS,
          'Create the data lake target connection (POST /targetConnections)',
        ).ensureTargetConnection({
          sandbox,
          marker: this.marker,
          name,
          description: this.description,
          datasetId,
          schemaId,
        }),
      (t) => t.id,
      {
        run: () =>
          this.undo('Undo: delete the target connection').removeTargetConnection({
            sandbox,
            marker: this.marker,
            id: this.ids.targetConnectionId,
            name,
          }),
        id: () => this.ids.targetConnectionId,
      },
    );
    this.ids.targetConnectionId = out.id;
    return out;
  }
}

/**
 * Awaits every branch; the first failure cancels the siblings (through the shared scope) and is rethrown once all
 * have settled, so that nothing is still in flight when compensation starts.
 */
async function settleAll<T extends Record<string, Promise<unknown>>>(
  scope: CancellationScope,
  branches: T,
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  let first: unknown;
  let failed = false;
  const entries = Object.entries(branches).map(([key, p]) =>
    p.then(
      (value) => [key, value] as const,
      (err: unknown) => {
        if (!failed || (isCancellation(first) && !isCancellation(err))) first = err;
        if (!failed) {
          failed = true;
          scope.cancel();
        }
        return [key, undefined] as const;
      },
    ),
  );
  const settled = await Promise.all(entries);
  if (failed) throw first;
  return Object.fromEntries(settled) as { [K in keyof T]: Awaited<T[K]> };
}

function setStatus(
  status: OnboardingStatus,
  attrs?: { source: string; sandbox: string; name: string },
): void {
  upsertSearchAttributes([
    { key: AepOnboardingStatus, value: status },
    ...(attrs
      ? [
          { key: AepSource, value: attrs.source },
          { key: AepSandbox, value: attrs.sandbox },
          { key: AepOnboardingName, value: attrs.name },
        ]
      : []),
  ]);
}

/** The run page's "Current Details": the step list, as a person would tick it off in the tutorial. */
function renderDetails(p: OnboardingProgress): void {
  const lines = [`**Phase:** ${p.phase}`, ''];
  for (const s of STEP_ORDER) {
    const st = p.steps[s];
    if (st)
      lines.push(`- ${s}: ${st.state}${st.id ? ` \`${st.id}\`` : ''}${st.error ? ` — ${st.error}` : ''}`);
  }
  if (p.compensation.length) {
    lines.push('', '**Compensation (newest first):**');
    for (const c of p.compensation) lines.push(`- ${c.step}: ${c.outcome}${c.id ? ` \`${c.id}\`` : ''}`);
  }
  if (p.webhookUrl) lines.push('', `**Webhook URL:** ${p.webhookUrl}`);
  setCurrentDetails(lines.join('\n'));
}
