// Deterministic names: everything an onboarding creates is named from its workflow id and the step, so a retry,
// a replacement worker or a compensation can find what an earlier attempt made, without any random key.

export const DEFAULT_TASK_QUEUE = 'aep-onboarding';
export const ONBOARDING_WORKFLOW_TYPE = 'onboardStreamingSource';
/**
 * `aep-onboard ui-link`: one template run per source, whose input the Web UI's Start Workflow form copies. It sits
 * on a task queue no worker polls, so it never runs; `list` leaves these ids out (src/client/ui-templates.ts).
 */
export const UI_TEMPLATE_ID_PREFIX = 'aep-template-';
export const UI_TEMPLATE_TASK_QUEUE = 'aep-onboarding-ui-templates';

/** FNV-1a 32-bit: tiny, deterministic, no crypto needed (workflow code may call it). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** FNV-1a 64-bit, hex: for identities that must not collide (a workflow id's name hash, a run's marker). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = utf8(text);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** UTF-8 bytes without TextEncoder (workflow code may call this): the hash sees every code point, not UTF-16 units. */
function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/**
 * The one normal form of an onboarding name: Unicode NFC (so a precomposed and a decomposed "ä" are one name),
 * trimmed, inner whitespace runs as one space. Nothing else is folded: "Chät" and "Chat", "Ｃｈａｔ" and "Chat",
 * "Chat" and "chat" are different names, hence different onboardings.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** The readable part of a workflow id: ASCII letters and digits only, so it drops accents and other scripts. */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return s || 'x';
}

/**
 * The workflow id of an onboarding: one per org, sandbox, source and name, so the same onboarding cannot run twice
 * at once (the start uses a conflict policy of FAIL). The slug is for people; the name hash keeps the name's
 * identity, since the slug of "Chät 日本語" and of "Chat 中文" is the same.
 */
export function onboardingWorkflowId(p: {
  orgId: string;
  sandbox: string;
  source: string;
  name: string;
}): string {
  const name = normaliseName(p.name);
  return `onboard-${p.source}-${p.sandbox}-${slug(name)}-${fnv1a64(name).slice(0, 12)}-${fnv1a(p.orgId)}`;
}

/**
 * The id of the lock workflow that holds one name: one per org, sandbox, source and normalised name, whatever the
 * workflow id of the onboarding that holds it (src/workflows/name-lock.ts says why a lock and not visibility).
 */
export function nameLockWorkflowId(p: {
  orgId: string;
  sandbox: string;
  source: string;
  name: string;
}): string {
  return `aep-name-${fnv1a(p.orgId)}-${p.sandbox}-${p.source}-${fnv1a64(normaliseName(p.name))}`;
}

/** The lock's memo key of its owner, `{workflowId, runId}`: describe() alone then says who holds the name. */
export const NAME_LOCK_OWNER_MEMO = 'owner';

/**
 * A run's marker, e.g. `aepo-0123456789abcdef`: carried in the name or the description of everything the run
 * creates, it is how a look-up tells this run's resources from anything else of the same name. Per run (its first
 * execution run id), so a later run under the same workflow id never takes what an earlier one left.
 */
export function runMarker(p: { workflowId: string; runId: string }): string {
  return `aepo-${fnv1a64(`${p.workflowId}\n${p.runId}`)}`;
}

/** Whether a resource carries `marker` in its name/title or its description. */
export function carriesMarker(
  resource: { name?: unknown; title?: unknown; description?: unknown },
  marker: string,
): boolean {
  const tag = `[${marker}]`;
  return [resource.name, resource.title, resource.description].some(
    (v) => typeof v === 'string' && v.includes(tag),
  );
}

/** A description that carries the run's marker: the user's own text (or ours), then `[aepo-…]`. */
export function markedDescription(description: string, marker: string): string {
  const tag = `[${marker}]`;
  return description.includes(tag) ? description : `${description} ${tag}`;
}

export type StepName =
  | 'specs'
  | 'tenant'
  | 'fieldGroup'
  | 'schema'
  | 'dataset'
  | 'baseConnection'
  | 'sourceConnection'
  | 'targetConnection'
  | 'mappingSet'
  | 'flow'
  | 'mappings'
  | 'inletUrl'
  | 'verify';

const LABELS: Record<Exclude<StepName, 'specs' | 'tenant' | 'mappings' | 'inletUrl' | 'verify'>, string> = {
  fieldGroup: 'field group',
  schema: 'schema',
  dataset: 'dataset',
  baseConnection: 'base connection',
  sourceConnection: 'source connection',
  targetConnection: 'target connection',
  mappingSet: 'mapping',
  flow: 'dataflow',
};

/** `Support chat · Chatlio dataflow [aepo-0123456789abcdef]` */
export function resourceName(
  step: keyof typeof LABELS,
  p: { name: string; displayName: string; marker: string },
): string {
  return `${p.name} · ${p.displayName} ${LABELS[step]} [${p.marker}]`;
}

/** Data Prep mapping set names are identifiers; keep them to a safe alphabet. */
export function mappingSetName(p: { source: string; marker: string }): string {
  return `${p.source}_${p.marker.replace('-', '_')}`;
}

/** The day-two workflow types: histories, the Web UI and the client name them so, never rename one. */
export const LIFECYCLE_WORKFLOW_TYPES = {
  adopt: 'adoptStreamingSource',
  teardown: 'teardownOnboarding',
  update: 'updateOnboarding',
  verify: 'verifyOnboarding',
  runs: 'onboardingRuns',
  plan: 'planOnboarding',
  baseConnection: 'baseConnectionOperation',
  reconcile: 'reconcileOnboarding',
  drift: 'checkDrift',
} as const;

/** Workflow types whose result is an OnboardingResult: an onboarding record. */
export const RECORD_TYPES = [ONBOARDING_WORKFLOW_TYPE, LIFECYCLE_WORKFLOW_TYPES.adopt] as const;

export type LifecycleOp = 'teardown' | 'update' | 'verify' | 'runs' | 'plan' | 'reconcile';

/** `onboard-…--teardown`: one id per operation and onboarding, so the conflict policy decides what may overlap. */
export function lifecycleWorkflowId(onboardingId: string, op: LifecycleOp): string {
  return `${onboardingId}--${op}`;
}

/** The desired-state workflow types (`aep-onboard plan -f`, `apply -f`): never rename one. */
export const DESIRED_WORKFLOW_TYPES = { plan: 'planDesiredState', apply: 'applyDesiredState' } as const;

/** One apply per org and file content: a second start of the same file while one waits joins it. */
export function desiredWorkflowId(kind: 'plan' | 'apply', p: { orgId: string; fileHash: string }): string {
  return `aep-${kind}-${fnv1a(p.orgId)}-${p.fileHash}`;
}
