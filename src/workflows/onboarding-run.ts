// One onboarding's steps, in order: the checks that need no write (the source's specs, a reused schema's mappings)
// before the first create, then the creates, each registering its undo first, and the progress query following
// every step; the undos and the sweep are in ./onboarding-run-base.ts. Orchestration only.
import { CancellationScope, patched, workflowInfo } from '@temporalio/workflow';
import type { IdEtagOutput, MappingSetOutput, ResolveReusedOutput, ResourceStep } from '../activities';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../shared/contracts/lifecycle';
import { mergeMappings } from '../shared/mappings';
import { markedDescription } from '../shared/naming';
import type { OnboardingIds, OnboardingResult } from '../shared/onboarding';
import type { Mapping } from '../shared/preset-schema';
import { webhookUrl } from '../shared/webhook';
import { activities, INLET_OPTIONS, localActivities, READ_OPTIONS, STEP_OPTIONS } from './onboarding-options';
import { OnboardingRunBase } from './onboarding-run-base';
import { ID_OF } from './onboarding-steps';
import { settleAll } from './settle';
import { verifySamples } from './verify-wait';

/** Patch: the checks before the first write (specs, mappings), for runs started before them. */
export const CHECKS_BEFORE_WRITING = 'checks-before-writing';
/** Patch: a preset's base connection (HTTP API) created before its source connection. */
export const BASE_CONNECTION_STEP = 'base-connection-step';
/**
 * Patch: the lean onboarding (one marker for five changes that each alter the commands of a run): the name lock's id
 * comes with the checked input instead of a local activity of its own; the "running" search attributes are not
 * upserted again when the run was started with them; a new schema's mappings are validated by a normal activity
 * beside the dataset's create, and the target connection follows the dataset without waiting for the mapping set;
 * the closing sweep looks only where a create was retried. It implies
 * CHECKS_BEFORE_WRITING and BASE_CONNECTION_STEP.
 */
export const LEAN_ONBOARDING = 'lean-onboarding';

export class OnboardingRun extends OnboardingRunBase {
  async provision(): Promise<OnboardingResult> {
    const { input, preset, sandbox, marker } = this;
    // Nothing is written before the org is known to take the source (its specs) and, for a schema that exists
    // already, before Data Prep accepts the mappings against it. The tenant id is read meanwhile. A run started by
    // the code before these checks (no patch marker in its history) replays as it ran: no checks, tenant and reused
    // schema read in the chain.
    // A lean run (a later patch) has both earlier patches' behaviour without their markers: each marker costs a
    // search-attribute upsert (TemporalChangeVersion) on the server.
    const checks = this.lean || patched(CHECKS_BEFORE_WRITING);
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
    this.withBase = Boolean(preset.baseConnection) && (this.lean || patched(BASE_CONNECTION_STEP));
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
        chain: (async (): Promise<{ targetConnection: IdEtagOutput; mappingSet: MappingSetOutput }> => {
          const tenant = tenantId ?? (await this.tenant()).tenantId;
          reused ??= reusing ? await this.reuse() : undefined;
          const schemaId = reused?.schemaId ?? (await this.schema(tenant));
          const validate = checks && !reusing;
          // A lean run creates the target connection as soon as the dataset exists: it needs nothing of the mapping
          // set, whose branch (validation, then the set) would otherwise sit on the longest chain. The dataset's
          // create is started first in both (activity ids are sequence numbers: the order is part of the history).
          if (this.lean) {
            return settleAll(scope, {
              targetConnection: (async () => this.target(await this.dataset(schemaId), schemaId))(),
              mappingSet: this.mappingSet(schemaId, tenant, validate),
            });
          }
          const { dataset, mappingSet } = await settleAll(scope, {
            dataset: this.dataset(schemaId),
            mappingSet: this.mappingSet(schemaId, tenant, validate),
          });
          return { targetConnection: await this.target(dataset, schemaId), mappingSet };
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
    // Only a retried create can have landed twice: one answered on its first attempt was the step's only request.
    // A run that a reset (or a workflow retry) started over made its creates again under the same marker, on first
    // attempts that did not look first: it sweeps every step, as runs before the patch all did.
    const keep: Partial<Record<ResourceStep, string>> = {};
    for (const step of Object.keys(ID_OF) as ResourceStep[]) keep[step] = this.ids[ID_OF[step]];
    const info = workflowInfo();
    const everyStep = !this.lean || info.runId !== info.firstExecutionRunId;
    const { removed: duplicatesRemoved } =
      everyStep || this.retriedCreates.size > 0
        ? await this.sweep(keep, everyStep ? undefined : this.retriedCreates)
        : { removed: [] };

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

  private target(datasetId: string, schemaId: string): Promise<IdEtagOutput> {
    const { sandbox, marker } = this;
    return this.create(
      'targetConnection',
      'Create the data lake target connection (POST /targetConnections)',
      (acts, name) =>
        acts.ensureTargetConnection({
          sandbox,
          marker,
          name,
          description: this.description,
          datasetId,
          schemaId,
          ...this.schemaVersion,
        }),
    );
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

  /**
   * Data Prep's validate (it stores nothing) accepts every mapping against the schema, which must exist. Beside the
   * dataset (`beside`, a lean run), it is a normal activity: a local one holds the workflow task open until it
   * returns, and so would hold back the dataset's create, which is on the longest chain, by one call.
   */
  private validateMappings(schemaId: string, tenantId: string, beside = false): Promise<unknown> {
    const { sandbox } = this;
    const mappings = this.mappings(tenantId);
    const summary = 'Validate the mappings (POST /conversion/mappingSets/validate)';
    const acts = beside ? activities(STEP_OPTIONS, summary) : localActivities(READ_OPTIONS, summary);
    return this.step(
      'mappings',
      () => acts.validateMappings({ sandbox, schemaId, ...this.schemaVersion, mappings }),
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
    if (validate) await this.validateMappings(schemaId, tenantId, this.lean);
    const mappings = this.mappings(tenantId);
    return this.create('mappingSet', 'Create the mapping set (POST /conversion/mappingSets)', (acts, name) =>
      acts.ensureMappingSet({ sandbox, marker, name, schemaId, ...this.schemaVersion, mappings }),
    );
  }
}
