// listFlowRuns: a flow's runs, summarised with their record counts and errors; verify reads them too.
import type { Run } from '../../aep';
import type { FlowRuns, RunSummary } from '../../shared/contracts/lifecycle';
import type { ActivityDeps } from '../deps';

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

export const allErrors = (runs: FlowRuns) => runs.runs.flatMap((r) => r.errors);

export async function listFlowRuns(
  deps: Pick<ActivityDeps, 'aep'>,
  input: { sandbox: string; flowId: string },
): Promise<FlowRuns> {
  return summarizeRuns(
    input.flowId,
    await deps.aep.withSandbox(input.sandbox).flowService.listRuns(input.flowId),
  );
}

export function createRunsActivities(deps: Pick<ActivityDeps, 'aep'>) {
  return {
    async listFlowRuns(input: { sandbox: string; flowId: string }): Promise<FlowRuns> {
      return listFlowRuns(deps, input);
    },
  };
}
