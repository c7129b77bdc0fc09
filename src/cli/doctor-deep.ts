// `doctor --deep`: a real onboarding through the workflow (as `start` runs it, with verify, so the inlet and a run
// are exercised), then, from this process, a read-back GET of everything it created (what --record records: the
// worker's own calls happen in its process), then its teardown.
import { randomBytes } from 'node:crypto';
import { teardownOnboarding } from '../client/lifecycle';
import { startOnboarding } from '../client/onboarding';
import { AepError, type AepClient } from '../aep';
import type { OnboardingResult } from '../shared/onboarding';
import type { Ctx } from './context';
import type { DeepReport } from './doctor-report';
import { explain } from './errors';

export interface DeepOutcome {
  report: DeepReport;
  /** Every id the run made known (name -> value), for the recorder's templates. */
  ids: Record<string, string>;
  tenantId?: string;
}

async function status(read: () => Promise<unknown>): Promise<number> {
  try {
    await read();
    return 200;
  } catch (err) {
    if (err instanceof AepError) return err.status ?? 0;
    throw err;
  }
}

/** GETs every resource of the result; also records the runs (the verify step's samples made one). */
async function readBack(aep: AepClient, r: OnboardingResult, ids: Record<string, string>) {
  const { flowService: fs, catalog, schemaRegistry: sr, dataPrep } = aep;
  const i = r.ids;
  const reads: Array<[string, () => Promise<unknown>]> = [
    ['sourceConnection', () => fs.get('sourceConnections', i.sourceConnectionId)],
    ['targetConnection', () => fs.get('targetConnections', i.targetConnectionId)],
    ['flow', () => fs.get('flows', i.flowId)],
    ['dataset', () => catalog.getDataset(i.datasetId)],
    ['schema', () => sr.getSchema(i.schemaAltId)],
    ...(i.fieldGroupId
      ? [['fieldGroup', () => sr.getFieldGroup(i.fieldGroupId)] as [string, () => Promise<unknown>]]
      : []),
    ['mappingSet', () => dataPrep.getMappingSet(i.mappingSetId)],
  ];
  const out: DeepReport['readBack'] = [];
  for (const [resource, read] of reads) out.push({ resource, status: await status(read) });
  let runId: string | undefined;
  out.push({
    resource: 'runs',
    status: await status(async () => {
      runId = (await fs.listRuns(i.flowId))[0]?.id;
    }),
  });
  if (runId) {
    ids.runId = runId;
    const id = runId;
    out.push({ resource: 'run', status: await status(() => fs.getRun(id)) });
  }
  return out;
}

export async function runDeep(
  ctx: Ctx,
  aep: AepClient,
  opts: { sandbox: string; source: string; knownSources: string[] },
): Promise<DeepOutcome> {
  const client = await ctx.client();
  const name = `Doctor check ${Date.now().toString(36)} ${randomBytes(3).toString('hex')}`;
  const ids: Record<string, string> = {};
  const report: DeepReport = { sandbox: opts.sandbox, status: 'failed', readBack: [] };
  let result: OnboardingResult;
  try {
    const started = await startOnboarding(
      client,
      { source: opts.source, name, sandbox: opts.sandbox, verify: true },
      {
        orgId: ctx.orgId,
        defaultSandbox: opts.sandbox,
        taskQueue: ctx.taskQueue,
        knownSources: opts.knownSources,
      },
    );
    report.workflowId = started.workflowId;
    if (!ctx.json)
      ctx.err(`Deep check: onboarding "${name}" (${started.workflowId}) in sandbox ${opts.sandbox}`);
    result = await started.handle.result();
  } catch (err) {
    report.error = `the onboarding failed (it undid what it made): ${explain(err, opts.sandbox).message}`;
    return { report, ids };
  }
  const { tenantId, ...rest } = result.ids;
  Object.assign(ids, Object.fromEntries(Object.entries(rest).filter(([, v]) => v)), {
    workflowId: result.workflowId,
  });
  report.readBack = await readBack(aep, result, ids);
  try {
    const teardown = await teardownOnboarding(
      client,
      { workflowId: result.workflowId },
      { taskQueue: ctx.taskQueue },
    );
    report.teardown =
      teardown.status === 'torn-down'
        ? `torn down (${teardown.outcomes.length} resources)`
        : `incomplete, left: ${teardown.left.map((l) => JSON.stringify(l)).join('; ')}`;
    const readOk = report.readBack.every((r) => r.status === 200);
    report.status = teardown.status === 'torn-down' && readOk ? 'completed' : 'failed';
    if (!readOk) report.error = 'a read-back GET of a created resource failed';
  } catch (err) {
    report.error = `the teardown failed: ${explain(err, opts.sandbox).message}`;
  }
  return { report, ids, tenantId };
}
