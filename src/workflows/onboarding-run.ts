// One onboarding's steps, in order: the checks that need no write (the source's specs, a reused schema's mappings)
// before the first create, then the creates, each registering its undo first (./onboarding-run-base.ts), and the
// progress query following every step. Orchestration only.
import { CancellationScope, patched } from '@temporalio/workflow';
import type { ResolveReusedOutput, ResourceStep, SweepOutput } from '../activities';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../shared/contracts/lifecycle';
import { mergeMappings } from '../shared/mappings';
import { markedDescription } from '../shared/naming';
import {
  FAILURE_TYPES,
  type CompensationOutcome,
  type OnboardingIds,
  type OnboardingResult,
} from '../shared/onboarding';
import type { Mapping } from '../shared/preset-schema';
import { webhookUrl } from '../shared/webhook';
import {
  activities,
  INLET_OPTIONS,
  localActivities,
  READ_OPTIONS,
  STEP_OPTIONS,
  UNDO_OPTIONS,
} from './onboarding-options';
import { OnboardingRunBase } from './onboarding-run-base';
import { describeError, failureType, type CompensationReport } from './saga';
import { createdSteps, ID_OF } from './onboarding-steps';
import { settleAll } from './settle';
import { verifySamples } from './verify-wait';

/** Patch: the checks before the first write (specs, mappings), for runs started before them. */
export const CHECKS_BEFORE_WRITING = 'checks-before-writing';
/** Patch: a preset's base connection (HTTP API) created before its source connection. */
export const BASE_CONNECTION_STEP = 'base-connection-step';

export class OnboardingRun extends OnboardingRunBase {
  /** The preset has a base connection and this run creates it (decided once, before the first create). */
  private withBase = false;

  /** The name each step created under, for the sweep (reused resources are not this run's: never swept). */
  private sweep(keep: Partial<Record<ResourceStep, string>>): Promise<SweepOutput> {
    return activities(UNDO_OPTIONS, "Sweep: delete any duplicate carrying this run's marker").sweepRun({
      sandbox: this.sandbox,
      marker: this.marker,
      steps: createdSteps(this.input, this.withBase).map((step) => ({
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

  async provision(): Promise<OnboardingResult> {
    const { input, preset, sandbox, marker } = this;
    // Nothing is written before the org is known to take the source (its specs) and, for a schema that exists
    // already, before Data Prep accepts the mappings against it. The tenant id is read meanwhile. A run started by
    // the code before these checks (no patch marker in its history) replays as it ran: no checks, tenant and reused
    // schema read in the chain.
    const checks = patched(CHECKS_BEFORE_WRITING);
    const reusing = Boolean(input.schemaId || input.datasetId);
    let tenantId: string | undefined;
    let reused: ResolveReusedOutput | undefined;
    if (checks) {
      [, { tenantId }] = await Promise.all([this.checkSpecs(), this.tenant()]);
      reused = reusing ? await this.reuse() : undefined;
      if (reused) await this.validateMappings(reused.schemaId, tenantId);
    }
    // Branches run under one scope: the first failure cancels its siblings, and compensation starts only once every
    // branch has settled, so nothing is still being created while the undos run.
    // Only a preset with a base connection asks for the patch: the webhook sources' histories are unchanged.
    this.withBase = Boolean(preset.baseConnection) && patched(BASE_CONNECTION_STEP);
    const scope = new CancellationScope();
    const { sourceConnection, targetConnection, mappingSet } = await scope.run(() =>
      settleAll(scope, {
        sourceConnection: (async () => {
          // The base connection first (its undo registered before the source connection's, so undone after it).
          const baseConnectionId = this.withBase ? await this.baseConnection() : undefined;
          return this.create(
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
                ...(baseConnectionId ? { baseConnectionId } : {}),
              }),
          );
        })(),
        chain: (async () => {
          const tenant = tenantId ?? (await this.tenant()).tenantId;
          reused ??= reusing ? await this.reuse() : undefined;
          const schemaId = reused?.schemaId ?? (await this.schema(tenant));
          const { dataset, mappingSet } = await settleAll(scope, {
            dataset: this.dataset(schemaId),
            mappingSet: this.mappingSet(schemaId, tenant, checks && !reusing),
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
          ...(this.withBase ? { baseConnectionId: this.ids.baseConnectionId } : {}),
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

  /** HTTP API: the streaming base connection whose inlet the source connection streams into. */
  private async baseConnection(): Promise<string> {
    const { sandbox, preset, marker } = this;
    const base = preset.baseConnection!;
    const out = await this.create(
      'baseConnection',
      `Create the ${preset.displayName} base connection (POST /connections)`,
      (acts, name) =>
        acts.ensureBaseConnection({
          sandbox,
          marker,
          name,
          description: this.description,
          providerId: preset.providerId,
          connectionSpec: base.connectionSpec,
          auth: base.auth,
        }),
    );
    return out.id;
  }

  /** The org has the source's connection spec, and its flow spec takes it (checkSourceSpecs): before any create. */
  private checkSpecs(): Promise<unknown> {
    const { sandbox, preset } = this;
    return this.step(
      'specs',
      () =>
        localActivities(
          READ_OPTIONS,
          'Check the source is provisioned (GET /connectionSpecs/{id}, /flowSpecs/{id})',
        ).checkSourceSpecs({ sandbox, connectionSpec: preset.connectionSpec, flowSpec: preset.flowSpec }),
      () => preset.connectionSpec.id,
    );
  }

  private async tenant(): Promise<{ tenantId: string }> {
    const sandbox = this.sandbox;
    const out = await this.step(
      'tenant',
      () => localActivities(READ_OPTIONS, 'Read the tenant id (GET /stats)').getTenant({ sandbox }),
      (t) => t.tenantId,
    );
    this.ids.tenantId = out.tenantId;
    return out;
  }

  /** The schema (and dataset) the user passed in: checked to exist, never deleted. */
  private async reuse(): Promise<ResolveReusedOutput> {
    const { sandbox, input } = this;
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
    return reused;
  }

  /** What the set will hold: the preset's mappings, the input's overrides and drops, in the tenant namespace. */
  private mappings(tenantId: string): Mapping[] {
    const { input, preset } = this;
    return mergeMappings({
      base: preset.mappings,
      overrides: input.mappingOverrides,
      drop: input.dropMappings,
      tenantId,
    });
  }

  /** Data Prep's validate (it stores nothing) accepts every mapping against the schema, which must exist. */
  private validateMappings(schemaId: string, tenantId: string): Promise<unknown> {
    const { sandbox } = this;
    const mappings = this.mappings(tenantId);
    return this.step(
      'mappings',
      () =>
        localActivities(
          READ_OPTIONS,
          'Validate the mappings (POST /conversion/mappingSets/validate)',
        ).validateMappings({ sandbox, schemaId, ...this.schemaVersion, mappings }),
      () => undefined,
    );
  }

  /** The field group, then the schema on it. */
  private async schema(tenantId: string): Promise<string> {
    const { sandbox, preset, marker } = this;
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

  /** A new schema's mappings are validated here: once the schema exists, before the set is written. */
  private async mappingSet(schemaId: string, tenantId: string, validate: boolean) {
    const { sandbox, marker } = this;
    if (validate) await this.validateMappings(schemaId, tenantId);
    const mappings = this.mappings(tenantId);
    return this.create('mappingSet', 'Create the mapping set (POST /conversion/mappingSets)', (acts, name) =>
      acts.ensureMappingSet({ sandbox, marker, name, schemaId, ...this.schemaVersion, mappings }),
    );
  }
}
