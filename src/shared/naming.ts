// Deterministic names: everything an onboarding creates is named from its workflow id and the step, so a retry,
// a replacement worker or a compensation can find what an earlier attempt made, without any random key.

export const DEFAULT_TASK_QUEUE = 'aep-onboarding';
export const ONBOARDING_WORKFLOW_TYPE = 'onboardStreamingSource';

/** FNV-1a 32-bit: tiny, deterministic, no crypto needed (workflow code may call it). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || fnv1a(text);
}

/**
 * The workflow id of an onboarding: one per org, sandbox, source and name, so the same onboarding cannot run twice
 * at once (the start uses a conflict policy of FAIL).
 */
export function onboardingWorkflowId(p: {
  orgId: string;
  sandbox: string;
  source: string;
  name: string;
}): string {
  return `onboard-${p.source}-${p.sandbox}-${slug(p.name)}-${fnv1a(p.orgId)}`;
}

/** The marker embedded in every name, e.g. `aepo-1a2b3c4d`; lets find-queries tell our resources apart. */
export function onboardingKey(workflowId: string): string {
  return `aepo-${fnv1a(workflowId)}`;
}

export type StepName =
  | 'tenant'
  | 'fieldGroup'
  | 'schema'
  | 'dataset'
  | 'sourceConnection'
  | 'targetConnection'
  | 'mappingSet'
  | 'flow'
  | 'inletUrl'
  | 'verify';

const LABELS: Record<Exclude<StepName, 'tenant' | 'inletUrl' | 'verify'>, string> = {
  fieldGroup: 'field group',
  schema: 'schema',
  dataset: 'dataset',
  sourceConnection: 'source connection',
  targetConnection: 'target connection',
  mappingSet: 'mapping',
  flow: 'dataflow',
};

/** `Support chat · Chatlio dataflow [aepo-1a2b3c4d]` */
export function resourceName(
  step: keyof typeof LABELS,
  p: { name: string; displayName: string; workflowId: string },
): string {
  return `${p.name} · ${p.displayName} ${LABELS[step]} [${onboardingKey(p.workflowId)}]`;
}

/** Data Prep mapping set names are identifiers; keep them to a safe alphabet. */
export function mappingSetName(p: { source: string; workflowId: string }): string {
  return `${p.source}_${onboardingKey(p.workflowId).replace('-', '_')}`;
}
