// Human output of the CLI and `npm start`.
import type { OnboardingListing, OnboardingRecord } from '../records';
import type {
  PlanItem,
  PlanResult,
  RunsResult,
  TeardownResult,
  UpdateResult,
  VerifyResult,
} from '../shared/contracts';
import {
  STEP_ORDER,
  type OnboardingProgress,
  type OnboardingResult,
  type StepState,
} from '../shared/onboarding';

const ICON: Record<StepState, string> = {
  pending: '·',
  running: '…',
  done: '✓',
  reused: '=',
  skipped: '-',
  failed: '✗',
  cancelled: '⊘',
};

export function formatProgress(p: OnboardingProgress): string {
  const lines = [`[${p.phase}]`];
  for (const step of STEP_ORDER) {
    const s = p.steps[step];
    if (!s) continue;
    lines.push(
      `  ${ICON[s.state]} ${step.padEnd(17)} ${s.state}${s.id ? `  ${s.id}` : ''}${s.error ? `  (${s.error})` : ''}`,
    );
  }
  for (const c of p.compensation) {
    lines.push(
      `  ↺ undo ${c.step.padEnd(12)} ${c.outcome}${c.id ? `  ${c.id}` : ''}${c.error ? `  (${c.error})` : ''}`,
    );
  }
  return lines.join('\n');
}

export function formatResult(r: OnboardingResult): string {
  return [
    `Onboarding "${r.name}" (${r.source}) completed in sandbox ${r.sandbox}.`,
    '',
    `Webhook URL (paste into Chatlio > Behavior > Webhooks):`,
    `  ${r.webhookUrl}`,
    '',
    `Workflow id:        ${r.workflowId}`,
    `Dataflow:           ${r.ids.flowId}`,
    ...(r.ids.baseConnectionId ? [`Base connection:    ${r.ids.baseConnectionId}`] : []),
    `Source connection:  ${r.ids.sourceConnectionId}`,
    `Target connection:  ${r.ids.targetConnectionId}`,
    `Mapping set:        ${r.ids.mappingSetId} (version ${r.mappingVersion})`,
    `Dataset:            ${r.ids.datasetId}${r.reused.dataset ? ' (reused)' : ''}`,
    `Schema:             ${r.ids.schemaId}${r.reused.schema ? ' (reused)' : ''}`,
    ...(r.ids.fieldGroupId ? [`Field group:        ${r.ids.fieldGroupId}`] : []),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Day-two output

const PLAN_ICON = { create: '+', reuse: '=', conflict: '!', skip: '-' } as const;

function planLine(i: PlanItem): string {
  const what = [i.name && `"${i.name}"`, i.id].filter(Boolean).join(' ');
  return `  ${PLAN_ICON[i.action]} ${i.step.padEnd(17)} ${i.action.padEnd(8)} ${what}${i.reason ? `  (${i.reason})` : ''}`;
}

export function formatPlan(p: PlanResult): string {
  return [
    `Plan for ${p.source} onboarding "${p.name}" in sandbox ${p.sandbox} (workflow ${p.workflowId}):`,
    ...p.items.map(planLine),
    '',
    `${p.create.length} to create, ${p.reuse.length} to reuse, ${p.conflict.length} conflict(s). Nothing was written.`,
  ].join('\n');
}

const TEARDOWN_ICON = { deleted: '✓', 'already-gone': '·', kept: '=', left: '✗' } as const;

export function formatTeardown(t: TeardownResult): string {
  const lines = [`Teardown of "${t.name}" (${t.workflowId}) in sandbox ${t.sandbox}: ${t.status}`];
  for (const o of t.outcomes) {
    lines.push(
      `  ${TEARDOWN_ICON[o.outcome]} ${o.step.padEnd(17)} ${o.outcome.padEnd(13)} ${o.id ?? ''}${o.reason ? `  (${o.reason})` : ''}`,
    );
  }
  if (t.left.length) {
    lines.push(
      '',
      `LEFT in AEP: ${t.left.map((l) => `${l.step} ${l.id ?? ''}`).join(', ')}. Fix the reason and run teardown again.`,
    );
  } else {
    lines.push('', `The name "${t.name}" is free again.`);
  }
  return lines.join('\n');
}

export function formatUpdate(u: UpdateResult): string {
  return [
    u.changed.length
      ? `Updated flow ${u.flowId}: ${u.changed.join(', ')}.`
      : `Flow ${u.flowId} already had those values: nothing changed.`,
    `Mapping set version: ${u.mappingVersion}${u.state ? `; state: ${u.state}` : ''}`,
    ...(u.preconditionFailures
      ? [
          `(another writer changed the flow meanwhile: re-read and re-applied ${u.preconditionFailures} time(s))`,
        ]
      : []),
  ].join('\n');
}

const when = (ms?: number) => (ms ? `${new Date(ms).toISOString().slice(0, 19)}Z` : '-');

export function formatRuns(r: RunsResult): string {
  if (!r.runs.length) return `No runs yet for flow ${r.flowId} ("${r.name}"): nothing was ingested.`;
  const lines = [`Runs of flow ${r.flowId} ("${r.name}", sandbox ${r.sandbox}), newest first:`];
  lines.push(
    `    ${'started'.padEnd(21)} ${'status'.padEnd(10)} ${'in'.padStart(6)} ${'out'.padStart(6)} ${'failed'.padStart(6)}  run`,
  );
  for (const run of r.runs) {
    lines.push(
      `  ${run.failed ? '✗' : '✓'} ${when(run.startedAt).padEnd(21)} ${run.status.padEnd(10)} ${String(run.inputRecords).padStart(6)} ` +
        `${String(run.outputRecords).padStart(6)} ${String(run.failedRecords).padStart(6)}  ${run.id}`,
    );
    for (const e of run.errors.slice(0, 3)) lines.push(`      ${e.code ?? ''} ${e.message ?? ''}`.trimEnd());
    if (run.errors.length > 3) lines.push(`      … ${run.errors.length - 3} more error(s)`);
  }
  const t = r.totals;
  lines.push(
    '',
    `Total: ${t.inputRecords} in, ${t.outputRecords} out, ${t.failedRecords} failed; ${r.failedRuns} run(s) with failures.`,
  );
  return lines.join('\n');
}

export function formatVerify(v: VerifyResult): string {
  return `Verified: ${v.landed.length} sample event(s) landed mapped in dataset ${v.datasetId} (${v.landed.join(', ')}).`;
}

/** A lifecycle with what the latest drift check said, when it was not all well: `completed, degraded`. */
const withHealth = (r: OnboardingListing & { health?: string; drift?: string }) =>
  [
    r.lifecycle,
    ...(r.health === 'degraded' ? ['degraded'] : []),
    ...(r.drift && r.drift !== 'none' ? [`drift ${r.drift}`] : []),
  ].join(', ');

export function formatList(rows: Array<OnboardingListing & { health?: string; drift?: string }>): string {
  if (!rows.length) return 'No onboardings.';
  return [
    `${'status'.padEnd(20)} ${'name'.padEnd(30)} ${'source'.padEnd(10)} ${'sandbox'.padEnd(10)} workflow id`,
    ...rows.map(
      (r) =>
        `${withHealth(r).padEnd(20)} ${String(r.name ?? '').padEnd(30)} ${String(r.source ?? '').padEnd(10)} ${String(r.sandbox ?? '').padEnd(10)} ${r.workflowId}`,
    ),
  ].join('\n');
}

export function formatRecord(r: OnboardingRecord): string {
  const lines = [
    `${r.workflowId}: ${r.lifecycle}${r.kind === 'adopted' ? ' (adopted flow)' : ''} [Temporal: ${r.status}]`,
  ];
  if (r.result) lines.push(`  webhook URL: ${r.result.webhookUrl}`, `  dataflow:    ${r.result.ids.flowId}`);
  if (r.teardown?.result) {
    const t = r.teardown.result;
    lines.push(
      `  teardown:    ${t.status}${t.left.length ? `; left: ${t.left.map((l) => `${l.step} ${l.id}`).join(', ')}` : ''}`,
    );
  }
  return lines.join('\n');
}
