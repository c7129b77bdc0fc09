// The one rule for an onboarding's mappings: the preset's, then the user's overrides (an override replaces the
// mapping with the same destination), minus the dropped destinations, each with the tenant namespace filled in.
import type { Mapping } from './preset-schema';
import { withTenant } from './tenant';

export function mergeMappings(p: {
  base: readonly Mapping[];
  overrides?: readonly Mapping[];
  drop?: readonly string[];
  tenantId: string;
}): Mapping[] {
  const dropped = new Set((p.drop ?? []).map((d) => withTenant(d, p.tenantId)));
  const byDestination = new Map<string, Mapping>();
  for (const m of [...p.base, ...(p.overrides ?? [])]) {
    const destination = withTenant(m.destination, p.tenantId);
    byDestination.set(destination, { ...m, destination });
  }
  return [...byDestination.values()].filter((m) => !dropped.has(m.destination));
}
