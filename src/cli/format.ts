// Human output of the CLI and `npm start`.
import type { OnboardingProgress, OnboardingResult, StepState } from '../shared/onboarding';

const ICON: Record<StepState, string> = {
  pending: '·',
  running: '…',
  done: '✓',
  reused: '=',
  skipped: '-',
  failed: '✗',
  cancelled: '⊘',
};

const ORDER = [
  'tenant',
  'sourceConnection',
  'fieldGroup',
  'schema',
  'dataset',
  'mappingSet',
  'targetConnection',
  'flow',
  'inletUrl',
  'verify',
] as const;

export function formatProgress(p: OnboardingProgress): string {
  const lines = [`[${p.phase}]`];
  for (const step of ORDER) {
    const s = p.steps[step];
    if (!s) continue;
    lines.push(`  ${ICON[s.state]} ${step.padEnd(17)} ${s.state}${s.id ? `  ${s.id}` : ''}${s.error ? `  (${s.error})` : ''}`);
  }
  for (const c of p.compensation) {
    lines.push(`  ↺ undo ${c.step.padEnd(12)} ${c.outcome}${c.id ? `  ${c.id}` : ''}${c.error ? `  (${c.error})` : ''}`);
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
    `Source connection:  ${r.ids.sourceConnectionId}`,
    `Target connection:  ${r.ids.targetConnectionId}`,
    `Mapping set:        ${r.ids.mappingSetId} (version ${r.mappingVersion})`,
    `Dataset:            ${r.ids.datasetId}${r.reused.dataset ? ' (reused)' : ''}`,
    `Schema:             ${r.ids.schemaId}${r.reused.schema ? ' (reused)' : ''}`,
    ...(r.ids.fieldGroupId ? [`Field group:        ${r.ids.fieldGroupId}`] : []),
  ].join('\n');
}
