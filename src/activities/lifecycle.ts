// Day-two activities: what the lifecycle workflows (teardown, update, runs, verify, plan, adopt, base connections)
// and the onboarding's optional verify step call. Deletions reuse the remove* activities of ./index.
import { isDeepStrictEqual } from 'node:util';
import { activityInfo, ApplicationFailure, getClient, sleep } from '@temporalio/activity';
import {
  AepError,
  AepNotFoundError,
  AepPreconditionFailedError,
  AepValidationError,
  inletReceiptSchema,
  type Flow,
  type IdEtag,
  type JsonPatchOp,
  type Run,
} from '../aep';
import { holdsName, listOnboardings, readOnboardingRecord, type LifecycleStatus } from '../client/lifecycle';
import { nameHolder } from '../client/names';
import { XED_FULL_CONTENT_TYPE } from '../shared/aep-constants';
import type { FlowOptionsSchema, ValidOnboardingInput } from '../shared/input';
import { mappingSetName, resourceName } from '../shared/naming';

/** A plan runs before the onboarding's run exists, so the run marker in the names it shows is a placeholder. */
const PLAN_MARKER = 'aepo-<run>';
import type { OnboardingIds, OnboardingResult } from '../shared/onboarding';
import { withTenant, type Mapping } from '../shared/preset-schema';
import type { ActivityDeps } from './index';
import { RESOURCE_STEPS, type ResourceStep } from './resources';
import type { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------
// Contract (crosses the workflow boundary as JSON)

export const LIFECYCLE_FAILURES = {
  notFound: 'OnboardingNotFound',
  notCompleted: 'OnboardingNotCompleted',
  tornDown: 'OnboardingTornDown',
  updateConflict: 'UpdateConflict',
  verificationFailed: 'VerificationFailed',
  notAdoptable: 'NotAdoptable',
  baseConnectionInUse: 'BaseConnectionInUse',
} as const;

export interface LoadedOnboarding {
  workflowId: string;
  runId: string;
  /** `adopted`: recorded by an adopt run, not created by an onboarding. */
  kind: 'onboarding' | 'adopted';
  lifecycle: LifecycleStatus;
  result: OnboardingResult;
}

export { RESOURCE_STEPS, type ResourceStep };

export type PlanAction = 'create' | 'reuse' | 'conflict' | 'skip';
export interface PlanItem {
  step: ResourceStep | 'onboarding';
  action: PlanAction;
  name?: string;
  id?: string;
  reason?: string;
}
export interface PlanResourcesInput {
  /** The workflow id the onboarding would run under: every name derives from it. */
  workflowId: string;
  sandbox: string;
  input: ValidOnboardingInput;
}
export interface PlanResult {
  workflowId: string;
  sandbox: string;
  source: string;
  name: string;
  tenantId: string;
  items: PlanItem[];
  create: PlanItem[];
  reuse: PlanItem[];
  conflict: PlanItem[];
  skip: PlanItem[];
}

export interface ReadAdoptableInput {
  sandbox: string;
  flowId: string;
  /** The source the caller expects (it is part of the onboarding's workflow id). */
  source: string;
}
export interface AdoptableFlow {
  source: string;
  flowName: string;
  ids: Omit<OnboardingIds, 'fieldGroupId'>;
  etags: OnboardingResult['etags'];
  mappingVersion: number;
  inletUrl: string;
}

export interface UpdateMappingsInput {
  sandbox: string;
  mappingSetId: string;
  /** Added, or replacing the mapping with the same destination; `_{TENANT}` is resolved here. */
  overrides: Mapping[];
  /** Destinations whose mappings are removed. */
  drop: string[];
}
export interface UpdateMappingsOutput {
  version: number;
  changed: boolean;
  mappings: number;
}

export type FlowOptions = z.infer<typeof FlowOptionsSchema>;
export interface PatchFlowInput {
  sandbox: string;
  flowId: string;
  name?: string;
  description?: string;
  options?: FlowOptions;
  /** Points the flow's mapping transformation at this version of its mapping set. */
  mappingVersion?: number;
}
export interface FieldConflict {
  path: string;
  /** The value when this update read the entity. */
  base: unknown;
  ours: unknown;
  theirs: unknown;
}
export interface PatchOutput {
  id: string;
  etag: string;
  /** JSON pointers this update changed (empty: everything already had the wanted value). */
  changed: string[];
  /** How many 412s it met before landing. */
  preconditionFailures: number;
}

export interface SetFlowStateInput {
  sandbox: string;
  flowId: string;
  state: 'enabled' | 'disabled';
}
export interface SetFlowStateOutput {
  etag: string;
  state: 'enabled' | 'disabled';
  changed: boolean;
}

export interface RunSummary {
  id: string;
  status: string;
  failed: boolean;
  startedAt?: number;
  completedAt?: number;
  inputRecords: number;
  outputRecords: number;
  failedRecords: number;
  errors: Array<{ code?: string; message?: string }>;
}
export interface FlowRuns {
  flowId: string;
  /** Newest first. */
  runs: RunSummary[];
  totals: { inputRecords: number; outputRecords: number; failedRecords: number };
  failedRuns: number;
}

export interface VerifyWebhookInput {
  sandbox: string;
  flowId: string;
  webhookUrl: string;
  datasetId: string;
  /** One body per webhook type, posted as the source would post it. */
  samples: Record<string, Record<string, unknown>>;
  /** How long to wait, in all, for the run metrics to count the samples (default 60 s). */
  timeoutMs?: number;
}
export interface VerifyWebhookOutput {
  landed: string[];
}
export interface SampleFailure {
  sample: string;
  reason: string;
}
/** `details[0]` of a VerificationFailed failure. */
export interface VerificationFailureDetails {
  flowId: string;
  datasetId: string;
  landed: string[];
  failed: SampleFailure[];
}

export interface PatchBaseConnectionInput {
  sandbox: string;
  connectionId: string;
  name?: string;
  description?: string;
}
export interface DeleteBaseConnectionInput {
  sandbox: string;
  connectionId: string;
}
export interface DeleteBaseConnectionOutput {
  id: string;
  existed: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

const eq = (path: string, value: string) => `${path}==${JSON.stringify(value)}`;
const DEFAULT_VERIFY_TIMEOUT_MS = 60_000;
/** 412s in a row before the activity gives up this attempt (Temporal retries it later, with backoff). */
const MAX_PRECONDITION_RETRIES = 5;

function pointerTokens(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pointerGet(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const t of pointerTokens(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur ?? undefined;
}

/** `add` on the first missing ancestor (with the rest nested in its value), `replace` when the path exists. */
function opFor(doc: unknown, pointer: string, value: unknown): JsonPatchOp {
  if (pointerGet(doc, pointer) !== undefined) return { op: 'replace', path: pointer, value };
  const tokens = pointerTokens(pointer);
  let depth = 1;
  while (depth < tokens.length && pointerGet(doc, `/${tokens.slice(0, depth).join('/')}`) !== undefined)
    depth++;
  let nested = value;
  for (let i = tokens.length - 1; i >= depth; i--) nested = { [tokens[i]!]: nested };
  return { op: 'add', path: `/${tokens.slice(0, depth).join('/')}`, value: nested };
}

/**
 * PATCH with If-Match, three-way: `base` is the entity as first read. On 412 it re-reads, and a field someone else
 * changed (theirs differs from base) to a value other than ours is a real conflict, surfaced with both values;
 * anything else is re-diffed against the fresh entity and retried with its etag.
 */
async function patchThreeWay<E extends { etag: string }>(opts: {
  read: () => Promise<E>;
  want: (entity: E) => Record<string, unknown>;
  patch: (ops: JsonPatchOp[], etag: string) => Promise<IdEtag>;
  what: string;
}): Promise<PatchOutput> {
  const base = await opts.read();
  let current = base;
  for (let failures = 0; failures <= MAX_PRECONDITION_RETRIES; failures++) {
    const want = opts.want(current);
    if (current !== base) {
      const conflicts: FieldConflict[] = [];
      for (const [path, ours] of Object.entries(want)) {
        const theirs = pointerGet(current, path);
        const before = pointerGet(base, path);
        if (!isDeepStrictEqual(theirs, before) && !isDeepStrictEqual(theirs, ours)) {
          conflicts.push({ path, base: before, ours, theirs });
        }
      }
      if (conflicts.length) {
        const list = conflicts
          .map(
            (c) =>
              `${c.path}: someone else set ${JSON.stringify(c.theirs)} (was ${JSON.stringify(c.base)}), ` +
              `this update wanted ${JSON.stringify(c.ours)}`,
          )
          .join('; ');
        throw ApplicationFailure.create({
          type: LIFECYCLE_FAILURES.updateConflict,
          nonRetryable: true,
          message: `Conflicting change on ${opts.what} while this update ran: ${list}. Nothing of this update was applied to those fields; run it again to overwrite.`,
          details: [{ conflicts }],
        });
      }
    }
    const ops = Object.entries(want)
      .filter(([path, value]) => !isDeepStrictEqual(pointerGet(current, path), value))
      .map(([path, value]) => opFor(current, path, value));
    if (!ops.length) return { id: '', etag: current.etag, changed: [], preconditionFailures: failures };
    try {
      const res = await opts.patch(ops, current.etag);
      return {
        id: res.id,
        etag: res.etag,
        changed: Object.keys(want).filter((p) => !isDeepStrictEqual(pointerGet(current, p), want[p])),
        preconditionFailures: failures,
      };
    } catch (err) {
      if (!(err instanceof AepPreconditionFailedError)) throw err;
      current = await opts.read();
    }
  }
  throw ApplicationFailure.retryable(
    `${opts.what} kept changing under this update (${MAX_PRECONDITION_RETRIES + 1} etag mismatches in a row)`,
    'UpdateRaced',
  );
}

/** Data Prep echoes ATTRIBUTE as `text/x.schema-path` and both spellings of source/destination. */
function normalizeMapping(m: {
  sourceType?: string | null;
  source?: string | null;
  sourceAttribute?: string | null;
  destination?: string | null;
  destinationXdmPath?: string | null;
}): Mapping {
  const type = m.sourceType ?? 'ATTRIBUTE';
  return {
    sourceType: type === 'EXPRESSION' || type === 'STATIC' ? type : 'ATTRIBUTE',
    source: m.source ?? m.sourceAttribute ?? '',
    destination: m.destination ?? m.destinationXdmPath ?? '',
  };
}

function summarizeRun(run: Run): RunSummary {
  const records = run.metrics?.recordSummary;
  const status = run.metrics?.statusSummary?.status ?? 'unknown';
  const failedRecords = records?.failedRecordCount ?? 0;
  return {
    id: run.id,
    status,
    failed: /fail/i.test(status) || failedRecords > 0,
    startedAt: run.metrics?.durationSummary?.startedAtUTC ?? run.createdAt ?? undefined,
    completedAt: run.metrics?.durationSummary?.completedAtUTC ?? undefined,
    inputRecords: records?.inputRecordCount ?? 0,
    outputRecords: records?.outputRecordCount ?? 0,
    failedRecords,
    errors: (run.metrics?.statusSummary?.errors ?? []).map((e) => ({
      code: e.code ?? undefined,
      message: e.message ?? undefined,
    })),
  };
}

function summarizeRuns(flowId: string, runs: Run[]): FlowRuns {
  const summaries = runs.map(summarizeRun).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  const totals = { inputRecords: 0, outputRecords: 0, failedRecords: 0 };
  for (const r of summaries) {
    totals.inputRecords += r.inputRecords;
    totals.outputRecords += r.outputRecords;
    totals.failedRecords += r.failedRecords;
  }
  return { flowId, runs: summaries, totals, failedRuns: summaries.filter((r) => r.failed).length };
}

const allErrors = (runs: FlowRuns) => runs.runs.flatMap((r) => r.errors);

function notAdoptable(message: string): never {
  throw ApplicationFailure.nonRetryable(message, LIFECYCLE_FAILURES.notAdoptable);
}

/**
 * A completed adopt run, not torn down, that holds this flow. The flow's name carries no marker of an adoption, so
 * the records say: the sandbox's adopt runs come from visibility, each one's flow id from its record (its result).
 * Two adopts of one flow running at the same moment both pass: neither has a result yet.
 */
async function adoptedElsewhere(sandbox: string, flowId: string) {
  const client = getClient();
  const self = activityInfo().workflowExecution?.workflowId;
  const candidates = (await listOnboardings(client, { sandbox })).filter(
    (o) => o.kind === 'adopted' && o.lifecycle === 'adopted' && o.workflowId !== self,
  );
  for (const o of candidates) {
    const record = await readOnboardingRecord(client, o.workflowId).catch(() => undefined);
    if (record?.lifecycle === 'adopted' && record.result?.ids.flowId === flowId) return o;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

export function createLifecycleActivities(deps: ActivityDeps) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);

  async function listFlowRuns(input: { sandbox: string; flowId: string }): Promise<FlowRuns> {
    return summarizeRuns(input.flowId, await api(input.sandbox).flowService.listRuns(input.flowId));
  }

  return {
    /** The record of a completed onboarding (or adopt run), through the worker's own Temporal client. */
    async loadOnboarding(input: { workflowId: string }): Promise<LoadedOnboarding> {
      const record = await readOnboardingRecord(getClient(), input.workflowId);
      if (!record) {
        throw ApplicationFailure.nonRetryable(
          `No onboarding with workflow id ${input.workflowId}`,
          LIFECYCLE_FAILURES.notFound,
        );
      }
      if (!record.result) {
        throw ApplicationFailure.nonRetryable(
          `Onboarding ${input.workflowId} is ${record.lifecycle}, not completed: ` +
            (record.status === 'RUNNING'
              ? 'wait for it to end, or cancel it (a cancelled onboarding deletes what it created).'
              : 'it holds no resources (a failed or cancelled onboarding deleted what it created).'),
          LIFECYCLE_FAILURES.notCompleted,
        );
      }
      return {
        workflowId: record.workflowId,
        runId: record.runId,
        kind: record.kind,
        lifecycle: record.lifecycle,
        result: record.result,
      };
    },

    /**
     * Dry run of an onboarding input against live AEP: what it would create, reuse (an existing resource it would
     * adopt: a reused schema/dataset, or an XDM title it would run into) and conflict with. GETs only (and Data
     * Prep's validate, which stores nothing).
     */
    async planOnboardingResources(input: PlanResourcesInput): Promise<PlanResult> {
      const { input: onboarding, sandbox, workflowId } = input;
      const preset = deps.presets.get(onboarding.source);
      if (!preset) {
        throw ApplicationFailure.nonRetryable(
          `Unknown source "${onboarding.source}". Known sources: ${deps.presets.ids().join(', ')}`,
          'UnknownSource',
        );
      }
      const client = api(sandbox);
      const { tenantId } = await client.schemaRegistry.getStats();
      const name = (step: Parameters<typeof resourceName>[0]) =>
        resourceName(step, { name: onboarding.name, displayName: preset.displayName, marker: PLAN_MARKER });
      const items: PlanItem[] = [];

      // Only a run that carries this name: the derived id alone does not prove it (see holdsName).
      const record = (await holdsName(getClient(), workflowId, onboarding.name).catch(() => false))
        ? await readOnboardingRecord(getClient(), workflowId).catch(() => undefined)
        : undefined;
      if (
        record &&
        !['failed', 'compensated', 'cancelled', 'terminated', 'timed-out', 'torn-down'].includes(
          record.lifecycle,
        )
      ) {
        items.push({
          step: 'onboarding',
          action: 'conflict',
          id: workflowId,
          reason: `an onboarding with this name is ${record.lifecycle} (run ${record.runId})`,
        });
      }
      // The name's lock holder, under any workflow id (src/workflows/name-lock.ts): the start would be refused.
      const holder = await nameHolder(getClient(), {
        orgId: deps.aep.config.orgId,
        sandbox,
        source: onboarding.source,
        name: onboarding.name,
      }).catch(() => undefined);
      if (holder && holder !== workflowId) {
        items.push({
          step: 'onboarding',
          action: 'conflict',
          id: holder,
          reason: `another onboarding holds this name: workflow ${holder}`,
        });
      }

      // XDM titles are unique across schemas and field groups: an existing one of the same type is adopted by the
      // onboarding's create (XDM-1521 then find), one of the other type makes the create fail.
      const xdmTitle = async (step: 'fieldGroup' | 'schema', title: string): Promise<PlanItem> => {
        const [groups, schemas] = await Promise.all([
          client.schemaRegistry.findFieldGroupsByTitle(title),
          client.schemaRegistry.findSchemasByTitle(title),
        ]);
        const same = (step === 'schema' ? schemas : groups).filter((r) => r.title === title);
        const other = (step === 'schema' ? groups : schemas).filter((r) => r.title === title);
        if (other.length) {
          return {
            step,
            action: 'conflict',
            name: title,
            id: other[0]!['meta:altId'],
            reason: `the title is taken by a ${step === 'schema' ? 'field group' : 'schema'} (XDM titles are unique)`,
          };
        }
        // An existing resource of this title is someone else's (a run's own titles carry its marker, and a plan
        // precedes the run): the onboarding would refuse it, never take it over.
        if (same.length) {
          return {
            step,
            action: 'conflict',
            name: title,
            id: same[0]!['meta:altId'],
            reason:
              step === 'schema'
                ? 'a schema with this title already exists and is not this onboarding\'s: pass "schemaId" to reuse it, or choose another "schemaTitle"'
                : "a field group with this title already exists and is not this onboarding's",
          };
        }
        return { step, action: 'create', name: title };
      };
      // Flow Service, Catalog and Data Prep accept duplicate names: a second resource with the onboarding's name
      // would make its lookups ambiguous (DuplicateResources), so an existing one is a conflict.
      const byName = (
        step: ResourceStep,
        resourceLabel: string,
        found: Array<{ id: string }>,
        n: string,
      ): PlanItem =>
        found.length
          ? {
              step,
              action: 'conflict',
              name: n,
              id: found.map((f) => f.id).join(', '),
              reason: `a ${resourceLabel} with this name already exists and is not this onboarding's: choose another name, or pass its id to reuse it`,
            }
          : { step, action: 'create', name: n };
      const flowEntities = async (kind: 'flows' | 'sourceConnections' | 'targetConnections', n: string) =>
        (await client.flowService.listAll(kind, { property: [eq('name', n)] })).filter((e) => e.name === n);

      let schemaId: string | undefined;
      if (onboarding.schemaId || onboarding.datasetId) {
        items.push({ step: 'fieldGroup', action: 'skip', reason: 'an existing schema is reused' });
        let datasetItem: PlanItem | undefined;
        let schemaRef = onboarding.schemaId;
        if (onboarding.datasetId) {
          const ds = await client.catalog.getDataset(onboarding.datasetId).catch((err: unknown) => {
            if (err instanceof AepNotFoundError) return undefined;
            throw err;
          });
          const dsSchema = ds?.schemaRef?.id;
          datasetItem = !ds
            ? {
                step: 'dataset',
                action: 'conflict',
                id: onboarding.datasetId,
                reason: 'the dataset to reuse does not exist',
              }
            : { step: 'dataset', action: 'reuse', id: onboarding.datasetId, name: ds.name ?? undefined };
          if (ds && schemaRef && dsSchema && schemaRef !== dsSchema) {
            const given = await client.schemaRegistry.getSchema(schemaRef).catch(() => undefined);
            if (given?.$id !== dsSchema && given?.['meta:altId'] !== dsSchema) {
              datasetItem = {
                ...datasetItem,
                action: 'conflict',
                reason: `its schema is ${dsSchema}, not ${schemaRef}`,
              };
            }
          }
          schemaRef = dsSchema ?? schemaRef;
        }
        const schema = schemaRef
          ? await client.schemaRegistry.getSchema(schemaRef).catch((err: unknown) => {
              if (err instanceof AepNotFoundError) return undefined;
              throw err;
            })
          : undefined;
        items.push(
          schema
            ? { step: 'schema', action: 'reuse', id: schema['meta:altId'], name: schema.title ?? undefined }
            : {
                step: 'schema',
                action: 'conflict',
                id: schemaRef,
                reason: 'the schema to reuse does not exist',
              },
        );
        schemaId = schema?.$id;
        items.push(
          datasetItem ??
            byName(
              'dataset',
              'dataset',
              await client.catalog.findDatasetsByName(onboarding.datasetName ?? name('dataset')),
              onboarding.datasetName ?? name('dataset'),
            ),
        );
      } else {
        items.push(await xdmTitle('fieldGroup', name('fieldGroup')));
        items.push(await xdmTitle('schema', onboarding.schemaTitle ?? name('schema')));
        const dsName = onboarding.datasetName ?? name('dataset');
        items.push(byName('dataset', 'dataset', await client.catalog.findDatasetsByName(dsName), dsName));
      }

      const msName = mappingSetName({ source: onboarding.source, marker: PLAN_MARKER });
      const mappingSets = (
        await client.dataPrep.listMappingSets({ name: msName, limit: 100, start: 0 })
      ).filter((m) => m.name === msName);
      let mappingItem = byName('mappingSet', 'mapping set', mappingSets, msName);
      if (schemaId && mappingItem.action === 'create') {
        // A reused schema must hold every destination of the mappings, or the mapping set create fails.
        const dropped = new Set((onboarding.dropMappings ?? []).map((d) => withTenant(d, tenantId)));
        const byDestination = new Map<string, Mapping>();
        for (const m of [...preset.mappings, ...(onboarding.mappingOverrides ?? [])]) {
          const destination = withTenant(m.destination, tenantId);
          byDestination.set(destination, { ...m, destination });
        }
        const mappings = [...byDestination.values()].filter((m) => !dropped.has(m.destination));
        const verdicts = await client.dataPrep.validateMappingSet({
          outputSchema: { schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE } },
          mappings,
        });
        const bad = verdicts.validationResponse
          .map((v, i) => ({ v, m: mappings[i] }))
          .filter(({ v }) => v.status && v.status !== 'SUCCESS')
          .map(({ m }) => m?.destination);
        if (bad.length) {
          mappingItem = {
            ...mappingItem,
            action: 'conflict',
            reason: `the reused schema lacks ${bad.length} mapped destination(s): ${bad.join(', ')}`,
          };
        }
      }

      for (const [step, kind, label] of [
        ['sourceConnection', 'sourceConnections', 'source connection'],
        ['targetConnection', 'targetConnections', 'target connection'],
      ] as const) {
        items.push(byName(step, label, await flowEntities(kind, name(step)), name(step)));
      }
      items.push(mappingItem);
      items.push(byName('flow', 'dataflow', await flowEntities('flows', name('flow')), name('flow')));

      const order = ['onboarding', ...RESOURCE_STEPS].reverse();
      items.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
      const of = (action: PlanAction) => items.filter((i) => i.action === action);
      return {
        workflowId,
        sandbox,
        source: onboarding.source,
        name: onboarding.name,
        tenantId,
        items,
        create: of('create'),
        reuse: of('reuse'),
        conflict: of('conflict'),
        skip: of('skip'),
      };
    },

    /** Reads a hand-made flow and everything it uses, for an adopt run to record. */
    async readAdoptableFlow(input: ReadAdoptableInput): Promise<AdoptableFlow> {
      const client = api(input.sandbox);
      const flow = await client.flowService.get('flows', input.flowId).catch((err: unknown) => {
        if (err instanceof AepNotFoundError)
          notAdoptable(`Flow ${input.flowId} does not exist in sandbox ${input.sandbox}`);
        throw err;
      });
      const key = /\[aepo-[0-9a-f]{8}(?:[0-9a-f]{8})?\]/.exec(flow.name ?? '');
      if (key)
        notAdoptable(`Flow ${flow.id} was created by an onboarding (${key[0]}): it is managed already`);
      const holder = await adoptedElsewhere(input.sandbox, flow.id);
      if (holder)
        notAdoptable(
          `Flow ${flow.id} is managed already by the adopted onboarding "${holder.name ?? holder.workflowId}" ` +
            `(${holder.workflowId}): two records would tear down and update the same flow`,
        );
      const [sourceId, ...moreSources] = flow.sourceConnectionIds;
      const [targetId, ...moreTargets] = flow.targetConnectionIds;
      if (!sourceId || !targetId || moreSources.length || moreTargets.length) {
        notAdoptable(`Flow ${flow.id} must have exactly one source and one target connection`);
      }
      const inletUrl = flow.options?.inletUrl;
      if (!inletUrl) notAdoptable(`Flow ${flow.id} has no streaming inlet URL: not a webhook source flow`);
      const mapping = mappingOf(flow);
      if (!mapping) notAdoptable(`Flow ${flow.id} has no mapping transformation`);

      const [source, target] = await Promise.all([
        client.flowService.get('sourceConnections', sourceId),
        client.flowService.get('targetConnections', targetId),
      ]);
      const specId = source.connectionSpec?.id;
      const preset = deps.presets
        .ids()
        .map((id) => deps.presets.get(id)!)
        .find((p) => p.connectionSpec.id === specId);
      if (!preset)
        notAdoptable(
          `Source connection ${source.id} has connection spec ${specId}, which no source preset knows`,
        );
      if (preset.id !== input.source) {
        notAdoptable(
          `Flow ${flow.id} is a ${preset.id} flow, not ${input.source}: adopt it with --source ${preset.id}`,
        );
      }
      const datasetId = target.params?.dataSetId;
      if (!datasetId) notAdoptable(`Target connection ${target.id} writes to no dataset`);
      const [dataset, stats] = await Promise.all([
        client.catalog.getDataset(datasetId),
        client.schemaRegistry.getStats(),
      ]);
      const schemaRef = dataset.schemaRef?.id;
      if (!schemaRef) notAdoptable(`Dataset ${datasetId} has no schema`);
      const schema = await client.schemaRegistry.getSchema(schemaRef);
      return {
        source: preset.id,
        flowName: flow.name ?? flow.id,
        ids: {
          tenantId: stats.tenantId,
          schemaId: schema.$id,
          schemaAltId: schema['meta:altId'],
          datasetId,
          sourceConnectionId: source.id,
          targetConnectionId: target.id,
          mappingSetId: mapping.mappingId,
          flowId: flow.id,
        },
        etags: { sourceConnection: source.etag, targetConnection: target.etag, flow: flow.etag },
        mappingVersion: mapping.version,
        inletUrl,
      };
    },

    /** A new version of the mapping set (PUT): the id stays, so the flow and a later teardown keep finding it. */
    async updateMappings(input: UpdateMappingsInput): Promise<UpdateMappingsOutput> {
      const client = api(input.sandbox);
      const [set, { tenantId }] = await Promise.all([
        client.dataPrep.getMappingSet(input.mappingSetId),
        client.schemaRegistry.getStats(),
      ]);
      const current = set.mappings.map(normalizeMapping);
      const byDestination = new Map(current.map((m) => [m.destination, m]));
      for (const o of input.overrides) {
        const destination = withTenant(o.destination, tenantId);
        byDestination.set(destination, { ...o, destination });
      }
      for (const d of input.drop) byDestination.delete(withTenant(d, tenantId));
      const next = [...byDestination.values()];
      // A retry after a lost PUT answer finds the change made: same mappings, nothing to do.
      if (isDeepStrictEqual(next, current))
        return { version: set.version, changed: false, mappings: next.length };
      const schemaRef = set.outputSchema?.schemaRef;
      if (!schemaRef) {
        throw ApplicationFailure.nonRetryable(
          `Mapping set ${set.id} has no output schema`,
          'InvalidMappingSet',
        );
      }
      const updated = await client.dataPrep.updateMappingSet(set.id, {
        ...(set.name ? { name: set.name } : {}),
        outputSchema: {
          schemaRef: { id: schemaRef.id, contentType: schemaRef.contentType ?? XED_FULL_CONTENT_TYPE },
        },
        mappings: next,
      });
      return { version: updated.version, changed: true, mappings: next.length };
    },

    async patchFlow(input: PatchFlowInput): Promise<PatchOutput> {
      const fs = api(input.sandbox).flowService;
      const out = await patchThreeWay({
        what: `flow ${input.flowId}`,
        read: () => fs.get('flows', input.flowId),
        patch: (ops, etag) => fs.patch('flows', input.flowId, ops, etag),
        want: (flow) => {
          const want: Record<string, unknown> = {};
          if (input.name !== undefined) want['/name'] = input.name;
          if (input.description !== undefined) want['/description'] = input.description;
          for (const [k, v] of Object.entries(input.options ?? {}))
            if (v !== undefined) want[`/options/${k}`] = v;
          if (input.mappingVersion !== undefined) {
            const mapping = mappingOf(flow);
            if (!mapping) {
              throw ApplicationFailure.nonRetryable(
                `Flow ${flow.id} has no mapping transformation`,
                'NoMapping',
              );
            }
            // Keep the type the flow already uses for the version (AEP shows both numbers and strings).
            const stored = flow.transformations[mapping.index]?.params?.mappingVersion;
            want[`/transformations/${mapping.index}/params/mappingVersion`] =
              typeof stored === 'string' ? String(input.mappingVersion) : input.mappingVersion;
          }
          return want;
        },
      });
      return { ...out, id: input.flowId };
    },

    /** `POST /flows/{id}/action?op=`, with the etag read just before; a 412 re-reads and tries again. */
    async setFlowState(input: SetFlowStateInput): Promise<SetFlowStateOutput> {
      const fs = api(input.sandbox).flowService;
      for (let failures = 0; failures <= MAX_PRECONDITION_RETRIES; failures++) {
        const flow = await fs.get('flows', input.flowId);
        if (flow.state === input.state) return { etag: flow.etag, state: input.state, changed: false };
        try {
          const res = await fs.flowAction(
            input.flowId,
            input.state === 'enabled' ? 'enable' : 'disable',
            flow.etag,
          );
          return { etag: res.etag, state: input.state, changed: true };
        } catch (err) {
          if (!(err instanceof AepPreconditionFailedError)) throw err;
        }
      }
      throw ApplicationFailure.retryable(`Flow ${input.flowId} kept changing`, 'UpdateRaced');
    },

    listFlowRuns,

    /**
     * Posts each sample to the webhook URL, as the source would, one at a time, and reads the flow's run metrics
     * after each: the sample landed when outputRecordCount grew, failed when failedRecordCount grew. Polls politely
     * (backing off to 5 s) until `timeoutMs`. Attribution assumes no other traffic on the flow meanwhile.
     */
    async verifyWebhook(input: VerifyWebhookInput): Promise<VerifyWebhookOutput> {
      const client = api(input.sandbox);
      const flow = await client.flowService.get('flows', input.flowId);
      if (flow.state === 'disabled') {
        throw ApplicationFailure.nonRetryable(
          `Flow ${flow.id} is disabled: the inlet refuses events. Enable it first.`,
          LIFECYCLE_FAILURES.verificationFailed,
          {
            flowId: flow.id,
            datasetId: input.datasetId,
            landed: [],
            failed: [],
          } satisfies VerificationFailureDetails,
        );
      }
      const target = flow.targetConnectionIds[0]
        ? await client.flowService.get('targetConnections', flow.targetConnectionIds[0])
        : undefined;
      if (target?.params?.dataSetId !== input.datasetId) {
        throw ApplicationFailure.nonRetryable(
          `Flow ${flow.id} writes to dataset ${target?.params?.dataSetId ?? '(none)'}, not ${input.datasetId}`,
          LIFECYCLE_FAILURES.verificationFailed,
          {
            flowId: flow.id,
            datasetId: input.datasetId,
            landed: [],
            failed: [],
          } satisfies VerificationFailureDetails,
        );
      }
      const deadline = Date.now() + (input.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS);
      let before = await listFlowRuns(input);
      const landed: string[] = [];
      const failed: SampleFailure[] = [];
      for (const [sample, body] of Object.entries(input.samples)) {
        try {
          await deps.aep.transport.request({
            method: 'POST',
            service: 'absolute',
            path: input.webhookUrl,
            body,
            schema: inletReceiptSchema,
          });
        } catch (err) {
          // The inlet refused it outright (4xx): that sample cannot land; 5xx and network errors retry the activity.
          if (err instanceof AepError && !err.retryable) {
            failed.push({ sample, reason: `the inlet refused it: ${err.message}` });
            continue;
          }
          throw err;
        }
        let after = before;
        for (let wait = 250; ; wait = Math.min(wait * 1.5, 5_000)) {
          after = await listFlowRuns(input);
          const counted =
            after.totals.outputRecords + after.totals.failedRecords >
            before.totals.outputRecords + before.totals.failedRecords;
          if (counted || Date.now() >= deadline) break;
          await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
        }
        if (after.totals.outputRecords > before.totals.outputRecords) landed.push(sample);
        else if (after.totals.failedRecords > before.totals.failedRecords) {
          const fresh = allErrors(after).slice(allErrors(before).length);
          const reason = fresh.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
          failed.push({ sample, reason: reason || 'counted as a failed record in the run metrics' });
        } else {
          failed.push({ sample, reason: 'not counted in the run metrics before the timeout' });
        }
        before = after;
      }
      if (failed.length) {
        const details: VerificationFailureDetails = {
          flowId: input.flowId,
          datasetId: input.datasetId,
          landed,
          failed,
        };
        throw ApplicationFailure.create({
          type: LIFECYCLE_FAILURES.verificationFailed,
          nonRetryable: true,
          message:
            `${failed.length} of ${failed.length + landed.length} sample event(s) did not land mapped in dataset ` +
            `${input.datasetId}: ${failed.map((f) => `${f.sample} (${f.reason})`).join('; ')}`,
          details: [details],
        });
      }
      return { landed };
    },

    /** Base connections ("accounts") of authenticated sources: name and description only, never credentials. */
    async patchBaseConnection(input: PatchBaseConnectionInput): Promise<PatchOutput> {
      const fs = api(input.sandbox).flowService;
      const out = await patchThreeWay({
        what: `base connection ${input.connectionId}`,
        read: () => fs.get('connections', input.connectionId),
        patch: (ops, etag) => fs.patch('connections', input.connectionId, ops, etag),
        want: () => ({
          ...(input.name !== undefined ? { '/name': input.name } : {}),
          ...(input.description !== undefined ? { '/description': input.description } : {}),
        }),
      });
      return { ...out, id: input.connectionId };
    },

    /** Refused while flows use it (FLOW-1418-400): the failure names those flows. 404 = already gone. */
    async deleteBaseConnection(input: DeleteBaseConnectionInput): Promise<DeleteBaseConnectionOutput> {
      const fs = api(input.sandbox).flowService;
      try {
        await fs.delete('connections', input.connectionId);
        return { id: input.connectionId, existed: true };
      } catch (err) {
        if (err instanceof AepNotFoundError) return { id: input.connectionId, existed: false };
        if (err instanceof AepValidationError && err.code?.startsWith('FLOW-1418')) {
          const sources = await fs.listAll('sourceConnections', {
            property: [`baseConnectionId==${input.connectionId}`],
          });
          const flows = sources.length
            ? await fs.listAll('flows', {
                property: [`sourceConnectionIds[]==${sources.map((s) => s.id).join(',')}`],
              })
            : [];
          throw ApplicationFailure.create({
            type: LIFECYCLE_FAILURES.baseConnectionInUse,
            nonRetryable: true,
            message:
              `Base connection ${input.connectionId} is used by ${flows.length || 'some'} flow(s)` +
              `${flows.length ? `: ${flows.map((f) => f.id).join(', ')}` : ''}. Delete those flows first.`,
            details: [{ connectionId: input.connectionId, flows: flows.map((f) => f.id) }],
          });
        }
        throw err;
      }
    },
  };
}

function mappingOf(flow: Flow): { index: number; mappingId: string; version: number } | undefined {
  const index = flow.transformations.findIndex((t) => t.params?.mappingId);
  const params = flow.transformations[index]?.params;
  if (index < 0 || !params?.mappingId) return undefined;
  return { index, mappingId: params.mappingId, version: Number(params.mappingVersion ?? 0) };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;
