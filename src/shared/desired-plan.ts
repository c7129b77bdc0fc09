// The pure half of a desired-state plan: what update an onboarding's changed fields ask for, which changes cannot
// be made in place, and the summary line. The plan activity, the apply workflow and the CLI share these.
import type { DesiredPlanEntry, DesiredPlanSummary } from './contracts/desired';
import type { FieldChange, OwnedMapping } from './contracts/owned-state';
import type { UpdateInput } from './lifecycle-input';

/** The fields an update (src/workflows/update.ts) can set in place: every other change is a conflict. */
const UPDATABLE = new Set([
  'flow.name',
  'flow.description',
  'flow.state',
  'flow.options.errorDiagnosticsEnabled',
  'flow.options.partialIngestionPercent',
  'mappingSet.mappings',
]);

export function isUpdatable(c: FieldChange): boolean {
  return UPDATABLE.has(`${c.resource}.${c.field}`);
}

/**
 * The update that turns the live fields into the desired ones: mappings as overrides (a mapping whose destination
 * is new or whose source differs) and drops (a live destination the file no longer has). Undefined: nothing to do.
 */
export function updateFor(workflowId: string, changes: readonly FieldChange[]): UpdateInput | undefined {
  const update: UpdateInput = { workflowId };
  let any = false;
  for (const c of changes.filter(isUpdatable)) {
    any = true;
    const key = `${c.resource}.${c.field}`;
    if (key === 'flow.name') update.flowName = c.desired as string;
    else if (key === 'flow.description') update.description = c.desired as string;
    else if (key === 'flow.state') update.state = c.desired as 'enabled' | 'disabled';
    else if (key.startsWith('flow.options.'))
      update.flowOptions = { ...update.flowOptions, [c.field.slice('options.'.length)]: c.desired };
    else if (key === 'mappingSet.mappings') {
      const want = c.desired as OwnedMapping[];
      const have = new Map(((c.live as OwnedMapping[] | null) ?? []).map((m) => [m.destination, m]));
      const same = (a: OwnedMapping, b?: OwnedMapping) =>
        b !== undefined && a.source === b.source && a.sourceType === b.sourceType;
      const overrides = want.filter((m) => !same(m, have.get(m.destination)));
      const wanted = new Set(want.map((m) => m.destination));
      const drops = [...have.keys()].filter((d) => !wanted.has(d));
      if (overrides.length)
        update.mappingOverrides = overrides.map((m) => ({
          sourceType: m.sourceType as 'ATTRIBUTE' | 'EXPRESSION' | 'STATIC',
          source: m.source,
          destination: m.destination,
        }));
      if (drops.length) update.dropMappings = drops;
    }
  }
  return any ? update : undefined;
}

export function summarise(entries: readonly DesiredPlanEntry[]): DesiredPlanSummary {
  const n = (a: DesiredPlanEntry['action']) => entries.filter((e) => e.action === a).length;
  return {
    create: n('create'),
    change: n('change'),
    delete: n('delete'),
    noop: n('noop'),
    conflict: n('conflict'),
    keep: n('keep'),
  };
}

/** `2 to create, 1 to change, 0 to delete` (and the conflicts and extras, when there are any). */
export function summaryLine(s: DesiredPlanSummary): string {
  const extra = [
    s.conflict ? `${s.conflict} in conflict` : '',
    s.keep ? `${s.keep} not in the file (delete with --prune)` : '',
  ].filter(Boolean);
  return `${s.create} to create, ${s.change} to change, ${s.delete} to delete${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

/** Whether applying the plan would do anything. */
export const hasChanges = (s: DesiredPlanSummary) => s.create + s.change + s.delete > 0;

/** A value as the plan shows it: short, one line. */
export function shown(v: unknown): string {
  const text =
    v === undefined || v === null ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

const SIGN: Record<DesiredPlanEntry['action'], string> = {
  create: '+',
  change: '~',
  delete: '-',
  noop: '=',
  conflict: '!',
  keep: '?',
};

/** The plan as a person reads it, one onboarding per block, field by field: the CLI and Current Details. */
export function planLines(plan: {
  entries: readonly DesiredPlanEntry[];
  summary: DesiredPlanSummary;
}): string[] {
  const lines: string[] = [];
  for (const e of plan.entries) {
    const what = e.action === 'keep' ? 'not in the file' : e.action;
    lines.push(`${SIGN[e.action]} ${e.source} "${e.name}" (sandbox ${e.sandbox}): ${what}`);
    if (e.action === 'create' && e.update?.state === 'disabled')
      lines.push('    then disabled (enabled: false)');
    for (const c of e.changes ?? []) {
      if (c.field === 'mappings' && Array.isArray(c.desired)) {
        const u = updateFor(e.workflowId, [c]);
        for (const m of u?.mappingOverrides ?? [])
          lines.push(`    mapping ${m.destination}: ${m.sourceType} ${shown(m.source)}`);
        for (const d of u?.dropMappings ?? []) lines.push(`    mapping ${d}: removed`);
      } else lines.push(`    ${c.resource}.${c.field}: ${shown(c.live)} -> ${shown(c.desired)}`);
    }
    for (const r of e.reasons ?? []) lines.push(`    ${r}`);
  }
  lines.push(summaryLine(plan.summary));
  return lines;
}
