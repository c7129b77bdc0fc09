// The step machinery of one onboarding run: names, the marker, how a step or a create runs (its undo registered
// first, the progress query kept truthful), and how the run is undone (the undos, then the sweep for duplicates).
// OnboardingRun (./onboarding-run.ts) sequences the steps on top of it.
import { CancellationScope, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { Activities, ResourceStep, SweepOutput } from '../activities';
import type { ValidOnboardingInput } from '../shared/input';
import { mappingSetName, markedDescription, resourceName, runMarker, type StepName } from '../shared/naming';
import {
  FAILURE_TYPES,
  type CompensationOutcome,
  type OnboardingIds,
  type OnboardingProgress,
  type StepProgress,
} from '../shared/onboarding';
import type { SourcePreset } from '../shared/preset-schema';
import { activities, STEP_OPTIONS, UNDO_OPTIONS } from './onboarding-options';
import { renderDetails } from './onboarding-progress';
import { describeError, failureType, Saga, type CompensationReport, type UndoResult } from './saga';
import { answered, createdSteps, ID_OF, REMOVE } from './onboarding-steps';

export class OnboardingRunBase {
  readonly saga = new Saga();
  /** The preset has a base connection and this run creates it (decided once, before the first create). */
  protected withBase = false;
  failedStep: StepName | undefined;
  /** Some call of this run was answered by AEP: the credential, org and sandbox were good at least once. */
  protected accepted = false;
  /** Steps whose create ended without an answer that settles it (and when): it may land after its undo looked. */
  protected readonly unsettled = new Map<ResourceStep, number>();
  /** Steps whose create returned on a later attempt: an earlier attempt's create may have landed too. */
  protected readonly retriedCreates = new Set<ResourceStep>();
  protected readonly ids: Partial<OnboardingIds>;
  /** A reused schema's Schema Registry version, for the references to it (version 1 when absent). */
  protected schemaVersion?: { schemaVersion: string };
  /** In the name or description of everything this run creates: what proves a resource is this run's. */
  readonly marker: string;

  constructor(
    protected readonly workflowId: string,
    protected readonly input: ValidOnboardingInput,
    protected readonly preset: SourcePreset,
    protected readonly sandbox: string,
    protected readonly progress: OnboardingProgress,
    /** The run took the LEAN_ONBOARDING patch (./onboarding-run.ts). */
    protected readonly lean = false,
  ) {
    this.ids = progress.ids;
    this.marker = runMarker({ workflowId, runId: workflowInfo().firstExecutionRunId });
  }

  /** The name each resource step creates under (a title the user chose for the schema and the dataset). */
  protected nameOf(step: ResourceStep): string {
    const { input, preset, marker } = this;
    if (step === 'mappingSet') return mappingSetName({ source: input.source, marker });
    if (step === 'schema' && input.schemaTitle) return input.schemaTitle;
    if (step === 'dataset' && input.datasetName) return input.datasetName;
    return resourceName(step, { name: input.name, displayName: preset.displayName, marker });
  }

  /** Every description carries the run's marker: for a name a person chose, it is the proof of ownership. */
  protected get description(): string {
    return markedDescription(
      this.input.description ?? `Created by aep-onboarding (workflow ${this.workflowId})`,
      this.marker,
    );
  }

  /** Runs one step, keeping the progress query truthful; the undo (if any) is registered before the create. */
  protected async step<T>(
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
  protected async create<T extends { id: string; altId?: string; attempt?: number }>(
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
    if ((out.attempt ?? 1) > 1) this.retriedCreates.add(step);
    return out;
  }

  /** How long ago, in workflow time, the step's create ended without a settling answer (none: it got one). */
  protected unsettledFor(step: ResourceStep): number | undefined {
    const at = this.unsettled.get(step);
    return at === undefined ? undefined : Date.now() - at;
  }

  /**
   * The name each step created under, for the sweep (reused resources are not this run's: never swept); `only`
   * narrows it to some steps.
   */
  protected sweep(
    keep: Partial<Record<ResourceStep, string>>,
    only?: ReadonlySet<ResourceStep>,
  ): Promise<SweepOutput> {
    const steps = createdSteps(this.input, this.withBase).filter((s) => !only || only.has(s));
    return activities(UNDO_OPTIONS, "Sweep: delete any duplicate carrying this run's marker").sweepRun({
      sandbox: this.sandbox,
      marker: this.marker,
      steps: steps.map((step) => ({
        step,
        name: this.nameOf(step),
        keep: keep[step],
      })),
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
    // No sweep when no create was started (a check before the first one failed): nothing can carry the marker.
    if (!this.accepted || this.saga.empty) return report;
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

  protected setStep(step: StepName, p: StepProgress): void {
    this.progress.steps[step] = p;
    renderDetails(this.progress);
  }
}
