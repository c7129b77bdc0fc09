// Flow Service runs: one run per streaming flow per UTC hour, fed by the inlet (recordRun).
import { newEtag, uuid } from '../../core/ids';
import type { Router } from '../../core/router';
import type { TenantStore } from '../../core/types';
import { BASE, get, type Entity } from './helpers';
import { listReply } from './listing';

/** Streaming ingestion is summarised in one run per flow per UTC hour [U]. */
export const RUN_WINDOW_MS = 3_600_000;

/**
 * Adds ingestion counts to the flow's run of the current UTC hour (creating it), so streaming flows expose
 * one run per hour window with cumulative recordSummary; status is 'failed' once any record failed [U].
 */
export function recordRun(
  tenant: TenantStore,
  flowId: string,
  counts: {
    input: number;
    output: number;
    failed: number;
    errors?: Array<{ code: string; message: string }>;
  },
  now: number,
): void {
  const runs = tenant.collection<Entity>('runs');
  const flows = tenant.collection<Entity>('flows');
  const flow = flows.get(flowId);
  const windowStart = Math.floor(now / RUN_WINDOW_MS) * RUN_WINDOW_MS;
  let run = [...runs.values()].find((r) => r['flowId'] === flowId && r['windowStart'] === windowStart);
  if (!run) {
    run = {
      id: uuid(),
      flowId,
      windowStart,
      createdAt: now,
      createdBy: flow?.['createdBy'],
      sandboxId: flow?.['sandboxId'],
      sandboxName: flow?.['sandboxName'],
      imsOrgId: flow?.['imsOrgId'],
      providerRefId: flow?.['providerRefId'],
      metrics: {
        durationSummary: { startedAtUTC: now, completedAtUTC: now },
        sizeSummary: { inputBytes: 0, outputBytes: 0 },
        recordSummary: { inputRecordCount: 0, outputRecordCount: 0, failedRecordCount: 0 },
        fileSummary: { inputFileCount: 0, outputFileCount: 0 },
        statusSummary: { status: 'success', errors: [] },
      },
      activities: [],
    };
  }
  const metrics = run['metrics'] as {
    durationSummary: { startedAtUTC: number; completedAtUTC: number };
    recordSummary: { inputRecordCount: number; outputRecordCount: number; failedRecordCount: number };
    statusSummary: { status: string; errors: Array<{ code: string; message: string }> };
  };
  metrics.durationSummary.completedAtUTC = now;
  metrics.recordSummary.inputRecordCount += counts.input;
  metrics.recordSummary.outputRecordCount += counts.output;
  metrics.recordSummary.failedRecordCount += counts.failed;
  // Keep the run small: the first errors explain a failure as well as all of them.
  metrics.statusSummary.errors = [...metrics.statusSummary.errors, ...(counts.errors ?? [])].slice(0, 100);
  metrics.statusSummary.status = metrics.recordSummary.failedRecordCount > 0 ? 'failed' : 'success';
  run['activities'] = [
    { id: 'promotionActivity', statusSummary: structuredClone(metrics.statusSummary), targetInfo: [] },
  ];
  const etag = newEtag();
  run['etag'] = etag;
  run['updatedAt'] = now;
  runs.set(run.id, run);
  if (flow) {
    flows.set(flowId, {
      ...flow,
      lastRunDetails: {
        id: run.id,
        state: metrics.statusSummary.status,
        startedAtUTC: metrics.durationSummary.startedAtUTC,
        completedAtUTC: now,
      },
    });
  }
  tenant.mutated();
}

/** windowStart is our bookkeeping, not an AEP field. */
function publicRun(run: Entity): Entity {
  const { windowStart: _w, ...rest } = run;
  return rest;
}

export function registerRuns(router: Router): void {
  router.add('GET', `${BASE}/runs`, (ctx) =>
    listReply(ctx, 'runs', [...ctx.tenant.collection<Entity>('runs').values()].map(publicRun)),
  );
  router.add('GET', `${BASE}/runs/:id`, (ctx) => ({
    status: 200,
    body: { items: [publicRun(get(ctx.tenant, 'runs', ctx.params['id'] ?? ''))] },
  }));
}
