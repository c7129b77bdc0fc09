// Desired-state activities (plan -f, apply): the file checked again in the worker (the Web UI or `temporal workflow
// start` may start an apply with anything), and its plan against live AEP (./plan.ts).
import { ApplicationFailure } from '@temporalio/activity';
import type { DesiredState } from '../../shared/desired-state';
import { checkDesiredState } from '../../shared/desired-state';
import { FAILURE_TYPES, invalidInputMessage } from '../../shared/onboarding';
import type { ActivityDeps } from '../deps';
import { createDesiredPlanActivities } from './plan';

export function createDesiredActivities(deps: ActivityDeps) {
  return {
    ...createDesiredPlanActivities(deps),
    /** The apply's first (local) activity: the whole file checked, every problem by path, before any AEP call. */
    async validateDesiredState(input: { raw: unknown }): Promise<DesiredState> {
      const check = checkDesiredState(input.raw, {
        defaultSandbox: deps.aep.config.sandbox,
        knownSources: deps.presets.ids(),
      });
      if (check.ok) return check.value;
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.invalidDesiredState,
        nonRetryable: true,
        message: invalidInputMessage('desired-state file', check.problems),
        details: [{ problems: check.problems }],
      });
    },
  };
}
