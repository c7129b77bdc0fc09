// Tenant placeholders in preset paths. Kept apart from the zod schemas so that workflow code can use it without
// pulling zod into the workflow bundle (every workflow run evaluates its bundle's modules afresh).

export const TENANT_PLACEHOLDER = '_{TENANT}';

/** Replaces the tenant placeholder in a destination path. */
export function withTenant(path: string, tenantId: string): string {
  return path.split(TENANT_PLACEHOLDER).join(`_${tenantId}`);
}
