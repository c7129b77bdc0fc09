// Input checks that run as the first (local) activity of a workflow instead of inside it. Why not in the workflow:
// the SDK evaluates the workflow bundle's modules afresh for every run it starts, and zod (plus the schemas built
// from it) made up most of that cost, ~10 ms of CPU per run (measured in the bench's CPU profile). Here the schemas
// are built once per worker. Failures are the same non-retryable ApplicationFailures the workflow raised before;
// the workflow re-raises them as its own failure (src/workflows/validation.ts).
import { ApplicationFailure } from '@temporalio/activity';
import { checkObject, checkOnboardingInput, type Check, type ValidOnboardingInput } from '../shared/input';
import {
  AdoptInputSchema,
  UpdateInputSchema,
  type ValidAdoptInput,
  type ValidUpdateInput,
} from '../shared/lifecycle-input';
import { destinationProblem } from '../shared/destinations';
import { FAILURE_TYPES, invalidInputMessage, VALIDATION_FAILURE_TYPES } from '../shared/onboarding';
import type { ActivityDeps } from './deps';
import { lockIdFor } from './name-lock';
import type * as T from './types';

function orFail<V>(check: Check<V>, type: string, what: string): V {
  if (check.ok) return check.value;
  throw ApplicationFailure.create({
    type,
    nonRetryable: true,
    message: invalidInputMessage(what, check.problems),
    details: [{ problems: check.problems }],
  });
}

export function createValidationActivities(deps: ActivityDeps) {
  return {
    /** The onboarding's input checked and its source's preset loaded: everything that can fail before AEP is called. */
    async prepareOnboarding(input: T.PrepareOnboardingInput): Promise<T.PrepareOnboardingOutput> {
      const valid: ValidOnboardingInput = orFail(
        checkOnboardingInput(input.input),
        FAILURE_TYPES.invalidInput,
        'onboarding input',
      );
      const preset = deps.presets.get(valid.source);
      if (!preset) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.unknownSource,
          nonRetryable: true,
          message: `Unknown source "${valid.source}". Known sources: ${deps.presets.ids().join(', ')}`,
        });
      }
      // A reused schema is not known here; the plan (and Data Prep) check its destinations.
      if (!valid.schemaId && !valid.datasetId) {
        const problems = (valid.mappingOverrides ?? []).flatMap((m, i) => {
          const problem = destinationProblem(m.destination, preset);
          return problem ? [`mappingOverrides.${i}.destination: ${problem}`] : [];
        });
        orFail(
          problems.length ? { ok: false, problems } : { ok: true, value: undefined },
          FAILURE_TYPES.invalidInput,
          'onboarding input',
        );
      }
      const defaultSandbox = deps.aep.config.sandbox;
      const nameLockId = lockIdFor(deps, {
        sandbox: valid.sandbox ?? defaultSandbox,
        source: valid.source,
        name: valid.name,
      });
      return { input: valid, preset, defaultSandbox, nameLockId };
    },

    async validateUpdateInput(input: { raw: unknown }): Promise<ValidUpdateInput> {
      return orFail(
        checkObject(UpdateInputSchema, input.raw, '{"workflowId":"…","state":"disabled"}'),
        VALIDATION_FAILURE_TYPES.update,
        'update input',
      );
    },

    async validateAdoptInput(input: { raw: unknown }): Promise<ValidAdoptInput> {
      return orFail(
        checkObject(AdoptInputSchema, input.raw, '{"workflowId":"…","name":"…","source":"chatlio",…}'),
        VALIDATION_FAILURE_TYPES.adopt,
        'adopt input',
      );
    },
  };
}
