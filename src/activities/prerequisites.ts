// What an onboarding checks before it writes: that the org has the source's connection spec and that the flow spec
// takes it (before the first create), and that Data Prep accepts the mappings against the schema (before the mapping
// set is written). A failure is non-retryable (the same org answers the same way) with one message per field.
import { ApplicationFailure } from '@temporalio/activity';
import {
  AepNotFoundError,
  isAccessRefusal,
  mappingSetValidateBody,
  type AepClient,
  type MappingSetValidation,
} from '../aep';
import { DATA_LAKE_CONNECTION_SPEC_ID } from '../shared/aep-constants';
import { FAILURE_TYPES } from '../shared/failures';
import type { Mapping, SourcePreset } from '../shared/preset-schema';
import type { ActivityDeps } from './deps';
import type * as T from './types';

/** One thing wrong with a source's specs in an org: the preset field it concerns, and what is wrong. */
export interface SpecProblem {
  field: 'connectionSpec.id' | 'flowSpec.id';
  message: string;
}

/** A spec the org does not have: Flow Service answers 404, or 200 with no item (both read as AepNotFoundError). */
async function orMissing<R>(read: Promise<R>): Promise<R | undefined> {
  try {
    return await read;
  } catch (err) {
    // A sandbox or credential refusal is not a missing spec: thrown as is (the access failure it is).
    if (err instanceof AepNotFoundError && !isAccessRefusal(err)) return undefined;
    throw err;
  }
}

/**
 * Whether a source can be onboarded in the org and sandbox `flowService` speaks to: its connection spec is
 * provisioned (`GET /connectionSpecs/{id}`), its flow spec exists (`GET /flowSpecs/{id}`) and lists that connection
 * spec in `sourceConnectionSpecIds` and the data lake in `targetConnectionSpecIds` (when it lists targets at all).
 * GETs only; no problems is an empty list. Reusable by any command that checks an org (the onboarding runs it first).
 */
export async function checkSourceSpecs(
  flowService: Pick<AepClient['flowService'], 'getConnectionSpec' | 'getFlowSpec'>,
  specs: Pick<SourcePreset, 'connectionSpec' | 'flowSpec'>,
): Promise<SpecProblem[]> {
  const [connectionSpec, flowSpec] = await Promise.all([
    orMissing(flowService.getConnectionSpec(specs.connectionSpec.id)),
    orMissing(flowService.getFlowSpec(specs.flowSpec.id)),
  ]);
  const problems: SpecProblem[] = [];
  const conn = specs.connectionSpec.id;
  if (!connectionSpec) {
    problems.push({
      field: 'connectionSpec.id',
      message: `connection spec ${conn} is not provisioned in this org and sandbox (GET /connectionSpecs/${conn} found nothing): the source is not available here`,
    });
  }
  if (!flowSpec) {
    problems.push({
      field: 'flowSpec.id',
      message: `flow spec ${specs.flowSpec.id} does not exist in this org and sandbox (GET /flowSpecs/${specs.flowSpec.id} found nothing)`,
    });
  } else {
    const sources = flowSpec.sourceConnectionSpecIds ?? [];
    if (!sources.includes(conn)) {
      problems.push({
        field: 'flowSpec.id',
        message: `flow spec ${flowSpec.id} does not list connection spec ${conn} in sourceConnectionSpecIds (${sources.join(', ') || 'none'}): a flow from this source would be refused`,
      });
    }
    const targets = flowSpec.targetConnectionSpecIds;
    if (targets && !targets.includes(DATA_LAKE_CONNECTION_SPEC_ID)) {
      problems.push({
        field: 'flowSpec.id',
        message: `flow spec ${flowSpec.id} does not list the data lake connection spec ${DATA_LAKE_CONNECTION_SPEC_ID} in targetConnectionSpecIds (${targets.join(', ') || 'none'})`,
      });
    }
  }
  return problems;
}

/** What one failed mapping's errors say, whatever their shape (TransformErrorInfo, or `{code, message}`). */
function describeErrors(errors: unknown): string {
  const list = Array.isArray(errors) ? errors : errors === undefined || errors === null ? [] : [errors];
  const parts = list.map((e) => {
    if (typeof e === 'string') return e;
    if (!e || typeof e !== 'object') return JSON.stringify(e);
    const o = e as Record<string, unknown>;
    const text = [o['exception'], o['message'], o['code']].find((v) => typeof v === 'string' && v !== '');
    const where = (['destination', 'source'] as const)
      .filter((k) => typeof o[k] === 'string' && o[k] !== '')
      .map((k) => `${k} ${JSON.stringify(o[k])}`);
    return [where.join(', '), typeof text === 'string' ? text : JSON.stringify(o)].filter(Boolean).join(': ');
  });
  return parts.join('; ') || 'refused, with no reason given';
}

/**
 * Data Prep's verdicts (one per mapping, in order; `FAILED` in data-prep.yaml, any status but SUCCESS read so) as
 * one message per refused mapping, naming its source and destination: `mappings[2] (visitor.mail → _t.chatlio.email): Destination path … not found`.
 */
export function mappingProblems(mappings: readonly Mapping[], verdicts: MappingSetValidation): string[] {
  const out: string[] = [];
  mappings.forEach((m, i) => {
    // No verdict, or one without a status, refuses nothing: the create itself is still checked by Data Prep.
    const v = verdicts.validationResponse[i];
    if (!v?.status || v.status.toUpperCase() === 'SUCCESS') return;
    const what = `mappings[${i}] (${m.sourceType} ${JSON.stringify(m.source)} → ${JSON.stringify(m.destination)})`;
    out.push(`${what}: ${describeErrors(v.errors)}`);
  });
  return out;
}

export function createPrerequisiteActivities(deps: Pick<ActivityDeps, 'aep'>) {
  const api = (sandbox: string) => deps.aep.withSandbox(sandbox);
  return {
    /** Before the first create: the source's specs are there in the org (checkSourceSpecs). */
    async checkSourceSpecs(input: T.CheckSourceSpecsInput): Promise<T.CheckSourceSpecsOutput> {
      const problems = await checkSourceSpecs(api(input.sandbox).flowService, input);
      if (problems.length) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.sourceNotProvisioned,
          nonRetryable: true,
          message: `The source cannot be onboarded in sandbox ${input.sandbox}: ${problems
            .map((p) => `${p.field}: ${p.message}`)
            .join('; ')}`,
          details: [{ problems }],
        });
      }
      return { checked: [input.connectionSpec.id, input.flowSpec.id] };
    },

    /** Before the mapping set is written: Data Prep's validate (which stores nothing) accepts every mapping. */
    async validateMappings(input: T.ValidateMappingsInput): Promise<T.ValidateMappingsOutput> {
      const verdicts = await api(input.sandbox).dataPrep.validateMappingSet(mappingSetValidateBody(input));
      const problems = mappingProblems(input.mappings, verdicts);
      if (problems.length) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.invalidMappings,
          nonRetryable: true,
          message: `Data Prep refused ${problems.length} of ${input.mappings.length} mapping(s) against schema ${input.schemaId}: ${problems.join('; ')}`,
          details: [{ problems }],
        });
      }
      return { mappings: input.mappings.length };
    },
  };
}
