// One onboarding's steps: each create registers its undo first (so a create whose answer was lost is still undone,
// by name and the run's marker), and the progress query follows every step. Orchestration only.
import { CancellationScope, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { Activities, ResourceStep, SweepOutput } from '../activities';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../shared/contracts/lifecycle';
import type { ValidOnboardingInput } from '../shared/input';
import { mergeMappings } from '../shared/mappings';
import { mappingSetName, markedDescription, resourceName, runMarker, type StepName } from '../shared/naming';
import {
  FAILURE_TYPES,
  type CompensationOutcome,
  type OnboardingIds,
  type OnboardingProgress,
  type OnboardingResult,
  type StepProgress,
} from '../shared/onboarding';
import type { Mapping, SourcePreset } from '../shared/preset-schema';
import { webhookUrl } from '../shared/webhook';
import {
  activities,
  INLET_OPTIONS,
  localActivities,
  READ_OPTIONS,
  STEP_OPTIONS,
  UNDO_OPTIONS,
} from './onboarding-options';
import { renderDetails } from './onboarding-progress';
import { describeError, failureType, Saga, type CompensationReport, type UndoResult } from './saga';
import { answered, createdSteps, ID_OF, REMOVE } from './onboarding-steps';
import { settleAll } from './settle';
import { verifySamples } from './verify-wait';

export class OnboardingRun {
  readonly saga = new Saga();
  failedStep: StepName | undefined;
  /** Some call of this run was answered by AEP: the credential, org and sandbox were good at least once. */
  private accepted = false;
  /** Steps whose create ended without an answer that settles it (and when): it may land after its undo looked. */
  private readonly unsettled = new Map<ResourceStep, number>();
  private readonly ids: Partial<OnboardingIds>;
  /** A reused schema's Schema Registry version, for the references to it (version 1 when absent). */
  private schemaVersion?: { schemaVersion: string };
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

  /** The name each resource step creates under (a title the user chose for the schema and the dataset). */
  private nameOf(step: ResourceStep): string {
    const { input, preset, marker } = this;
    if (step === 'mappingSet') return mappingSetName({ source: input.source, marker });
    if (step === 'schema' && input.schemaTitle) return input.schemaTitle;
    if (step === 'dataset' && input.datasetName) return input.datasetName;
    return resourceName(step, { name: input.name, displayName: preset.displayName, marker });
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

  /**
   * A create: its undo deletes by the id once the create returned it, else by name and the run's marker; the id
   * is recorded for the result, the teardown and the report of what was left.
   */
  private async create<T extends { id: string; altId?: string }>(
    step: ResourceStep,
    summary: string,
    run: (acts: Activities, name: string) => Promise<T>,
  ): Promise<T> {
    const name = this.nameOf(step);
    const key = ID_OF[step];
    const out = await this.step(
      step,
      () =>
        run(activities(STEP_OPTIONS, summary), name).catch((err: unknown) => {
          // Workflow time, at the step's end: its last request was sent before this.
          if (!answered(err)) this.unsettled.set(step, Date.now());
          throw err;
        }),
      (r) => r.altId ?? r.id,
      {
        run: () =>
          activities(UNDO_OPTIONS, `Undo: ${summary.replace(/^Create/, 'delete').replace(/ \(.*\)$/, '')}`)[
            REMOVE[step]
          ]({
            sandbox: this.sandbox,
            marker: this.marker,
            id: this.ids[key],
            name,
            unsettledForMs: this.unsettledFor(step),
          }),
        id: () => this.ids[key],
      },
    );
    this.ids[key] = out.altId ?? out.id;
    return out;
  }

  /** How long ago, in workflow time, the step's create ended without a settling answer (none: it got one). */
  private unsettledFor(step: ResourceStep): number | undefined {
    const at = this.unsettled.get(step);
    return at === undefined ? undefined : Date.now() - at;
  }

  private setStep(step: StepName, p: StepProgress): void {
    this.progress.steps[step] = p;
    renderDetails(this.progress);
  }

  /** The name each step created under, for the sweep (reused resources are not this run's: never swept). */
  private sweep(keep: Partial<Record<ResourceStep, string>>): Promise<SweepOutput> {
    return activities(UNDO_OPTIONS, "Sweep: delete any duplicate carrying this run's marker").sweepRun({
      sandbox: this.sandbox,
      marker: this.marker,
      steps: createdSteps(this.input).map((step) => ({ step, name: this.nameOf(step), keep: keep[step] })),
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
      let o: CompensationOutcome;
      try {
        for (const r of (await this.sweep({})).removed) {
          o = { step: r.step, outcome: 'undone', id: r.id, existed: true, duplicate: true };
          report.undone.push(o);
          onOutcome(o);
        }
      } catch (err) {
        o = {
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
    const { input, preset, sandbox, marker } = this;
    // Branches run under one scope: the first failure cancels its siblings, and compensation starts only once every
    // branch has settled, so nothing is still being created while the undos run.
    const scope = new CancellationScope();
    const { sourceConnection, targetConnection, mappingSet } = await scope.run(() =>
      settleAll(scope, {
        sourceConnection: this.create(
          'sourceConnection',
          `Create the ${preset.displayName} source connection (POST /sourceConnections)`,
          (acts, name) =>
            acts.ensureSourceConnection({
              sandbox,
              marker,
              name,
              description: this.description,
              connectionSpec: preset.connectionSpec,
              providerId: preset.providerId,
              dataFormat: preset.dataFormat,
            }),
        ),
        chain: (async () => {
          const { tenantId } = await this.step(
            'tenant',
            () => localActivities(READ_OPTIONS, 'Read the tenant id (GET /stats)').getTenant({ sandbox }),
            (t) => t.tenantId,
          );
          this.ids.tenantId = tenantId;
          const schemaId = await this.schema(tenantId);
          const { dataset, mappingSet } = await settleAll(scope, {
            dataset: this.dataset(schemaId),
            mappingSet: this.mappingSet(schemaId, tenantId),
          });
          const targetConnection = await this.create(
            'targetConnection',
            'Create the data lake target connection (POST /targetConnections)',
            (acts, name) =>
              acts.ensureTargetConnection({
                sandbox,
                marker,
                name,
                description: this.description,
                datasetId: dataset,
                schemaId,
                ...this.schemaVersion,
              }),
          );
          return { targetConnection, mappingSet };
        })(),
      }).then(({ sourceConnection, chain }) => ({ sourceConnection, ...chain })),
    );

    const flow = await this.create('flow', 'Create the dataflow (POST /flows)', (acts, name) =>
      acts.ensureFlow({
        sandbox,
        marker,
        name,
        description: this.description,
        flowSpec: preset.flowSpec,
        sourceConnectionId: sourceConnection.id,
        targetConnectionId: targetConnection.id,
        mappingSetId: mappingSet.id,
        mappingVersion: mappingSet.version,
        options: input.flow,
      }),
    );

    const inlet = await this.step(
      'inletUrl',
      () =>
        localActivities(INLET_OPTIONS, 'Read the streaming inlet URL (GET /flows/{id})').getInletUrl({
          sandbox,
          flowId: flow.id,
        }),
      (i) => i.inletUrl,
    );
    const webhook = webhookUrl(inlet.inletUrl, flow.id);

    // Reconcile: a create that landed twice (a retry after a slow request) leaves an extra carrying the marker.
    const keep: Partial<Record<ResourceStep, string>> = {};
    for (const step of Object.keys(ID_OF) as ResourceStep[]) keep[step] = this.ids[ID_OF[step]];
    const { removed: duplicatesRemoved } = await this.sweep(keep);

    // Optional last step: post each sample as the source would and wait, with timers, until AEP counts each in the
    // dataset (./verify-wait.ts). A failure or a timeout fails the onboarding and compensates, like any other step.
    let verified: OnboardingResult['verified'];
    if (input.verify) {
      this.progress.phase = 'verifying';
      const out = await this.step(
        'verify',
        () =>
          verifySamples({
            sandbox,
            flowId: flow.id,
            webhookUrl: webhook,
            datasetId: this.ids.datasetId!,
            samples: preset.samples,
            timeoutMs: input.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
            syncValidation: input.verifySyncValidation,
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
      webhookUrl: webhook,
      ...(verified ? { verified } : {}),
      ...(duplicatesRemoved.length ? { duplicatesRemoved } : {}),
    };
  }

  /** Field group then schema, or the schema (and dataset) the user passed in, which are never deleted. */
  private async schema(tenantId: string): Promise<string> {
    const { sandbox, input, preset, marker } = this;
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
      if (reused.schemaVersion) this.schemaVersion = { schemaVersion: reused.schemaVersion };
      return reused.schemaId;
    }
    const fieldGroup = await this.create(
      'fieldGroup',
      `Create the ${preset.displayName} field group (POST /tenant/fieldgroups)`,
      (acts, title) =>
        acts.ensureFieldGroup({
          sandbox,
          marker,
          title,
          description: preset.fieldGroup.description
            ? markedDescription(preset.fieldGroup.description, marker)
            : this.description,
          tenantId,
          schemaClass: preset.schemaClass,
          fieldGroup: preset.fieldGroup,
        }),
    );
    const schema = await this.create(
      'schema',
      'Create the target XDM schema (POST /tenant/schemas)',
      (acts, title) =>
        acts.ensureSchema({
          sandbox,
          marker,
          title,
          description: this.description,
          schemaClass: preset.schemaClass,
          fieldGroupId: fieldGroup.id,
        }),
    );
    this.ids.schemaId = schema.id;
    return schema.id;
  }

  private async dataset(schemaId: string): Promise<string> {
    const { sandbox, input, marker } = this;
    if (input.datasetId) {
      this.setStep('dataset', { state: 'reused', id: input.datasetId });
      this.ids.datasetId = input.datasetId;
      return input.datasetId;
    }
    const out = await this.create('dataset', 'Create the target dataset (POST /dataSets)', (acts, name) =>
      acts.ensureDataset({ sandbox, marker, name, description: this.description, schemaId }),
    );
    return out.id;
  }

  private mappingSet(schemaId: string, tenantId: string) {
    const { sandbox, input, preset, marker } = this;
    const mappings: Mapping[] = mergeMappings({
      base: preset.mappings,
      overrides: input.mappingOverrides,
      drop: input.dropMappings,
      tenantId,
    });
    return this.create('mappingSet', 'Create the mapping set (POST /conversion/mappingSets)', (acts, name) =>
      acts.ensureMappingSet({ sandbox, marker, name, schemaId, ...this.schemaVersion, mappings }),
    );
  }
}
