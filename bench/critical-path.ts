// The latency bound of one onboarding: L x the API calls on the longest chain of steps that each wait for the one
// before (each needs an id the other returns, or the checks that come before any write), counted per step from the
// emulator's call log of one onboarding alone on a warm worker. The sweep for duplicates is not a dependency of the
// webhook URL: its calls, when it runs, count as overhead against the bound, not in it.
import type { CallRecord } from '../src/emulator/core/faults';

/** Step -> the steps it waits for, as src/workflows/onboarding-run.ts provision() orders them. */
const DEPENDS_ON: Record<string, string[]> = {
  ims: [],
  specs: ['ims'],
  tenant: ['ims'],
  sourceConnection: ['specs'],
  fieldGroup: ['specs', 'tenant'],
  schema: ['fieldGroup'],
  dataset: ['schema'],
  validate: ['schema'],
  mappingSet: ['validate'],
  targetConnection: ['dataset'],
  flow: ['sourceConnection', 'targetConnection', 'mappingSet'],
  inletUrl: ['flow'],
};

/** Steps whose calls go out together (Promise.all in the activity): one call's time on the chain. */
const PARALLEL_READS = new Set(['specs']);

/** Which step an emulator call belongs to; a GET of a list by name is a look-up (a retry's, or the sweep's). */
const STEP_OF: Array<[method: string, path: RegExp, step: string]> = [
  ['POST', /^\/ims\/token/, 'ims'],
  ['GET', /\/(connectionSpecs|flowSpecs)\//, 'specs'],
  ['GET', /\/schemaregistry\/stats$/, 'tenant'],
  ['POST', /\/mappingSets\/validate$/, 'validate'],
  ['GET', /\/flowservice\/(flows|sourceConnections|targetConnections|connections)$/, 'lookup'],
  ['GET', /\/schemaregistry\/tenant\/(fieldgroups|mixins|schemas)$/, 'lookup'],
  ['GET', /\/catalog\/dataSets$/, 'lookup'],
  ['GET', /\/conversion\/mappingSets$/, 'lookup'],
  ['*', /\/flowservice\/sourceConnections/, 'sourceConnection'],
  ['*', /\/schemaregistry\/tenant\/(fieldgroups|mixins)/, 'fieldGroup'],
  ['*', /\/schemaregistry\/tenant\/schemas/, 'schema'],
  ['*', /\/catalog\/dataSets/, 'dataset'],
  ['*', /mappingSets/, 'mappingSet'],
  ['*', /\/flowservice\/targetConnections/, 'targetConnection'],
  ['POST', /\/flowservice\/flows$/, 'flow'],
  ['GET', /\/flowservice\/flows\/[^/]+$/, 'inletUrl'],
];

export function callsPerStep(calls: CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const step = STEP_OF.find(([m, re]) => (m === '*' || m === c.method) && re.test(c.path))?.[2] ?? 'other';
    out[step] = (out[step] ?? 0) + 1;
  }
  return out;
}

/**
 * The chain of steps with the most calls, and that count. Two parallel reads of one step (the connection spec
 * and the flow spec) are one call's time: a step counts at most once on the chain.
 */
export function criticalPath(perStep: Record<string, number>): { steps: string[]; calls: number } {
  const memo = new Map<string, { steps: string[]; calls: number }>();
  const longest = (step: string): { steps: string[]; calls: number } => {
    const known = memo.get(step);
    if (known) return known;
    let best = { steps: [] as string[], calls: 0 };
    for (const dep of DEPENDS_ON[step] ?? []) {
      const d = longest(dep);
      if (d.calls > best.calls) best = d;
    }
    const own = PARALLEL_READS.has(step) ? Math.min(1, perStep[step] ?? 0) : (perStep[step] ?? 0);
    const out = { steps: own ? [...best.steps, `${step}(${own})`] : best.steps, calls: best.calls + own };
    memo.set(step, out);
    return out;
  };
  return longest('inletUrl');
}
