import type { EmulatorState, TenantStore, TokenRecord } from './types';

interface TenantSnapshot {
  org: string;
  sandbox: string;
  collections: Record<string, Array<{ id: string }>>;
  records: Record<string, unknown[]>;
}

export interface StateSnapshot {
  tenants: TenantSnapshot[];
  tokens: Array<[string, TokenRecord]>;
}

class MemoryTenant implements TenantStore {
  readonly collections = new Map<string, Map<string, { id: string }>>();
  readonly rows = new Map<string, unknown[]>();

  constructor(private readonly onChange: () => void) {}

  collection<T extends { id: string }>(name: string): Map<string, T> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c as Map<string, T>;
  }

  records(datasetId: string): unknown[] {
    let r = this.rows.get(datasetId);
    if (!r) {
      r = [];
      this.rows.set(datasetId, r);
    }
    return r;
  }

  mutated(): void {
    this.onChange();
  }
}

/** In-memory state: one store per org+sandbox, plus the issued tokens. */
export class MemoryState implements EmulatorState {
  private readonly stores = new Map<string, { org: string; sandbox: string; store: MemoryTenant }>();
  readonly tokens = new Map<string, TokenRecord>();
  /** True when something changed since the last save. */
  dirty = false;

  tenant(org: string, sandbox: string): TenantStore {
    const key = JSON.stringify([org, sandbox]);
    let t = this.stores.get(key);
    if (!t) {
      t = { org, sandbox, store: new MemoryTenant(() => this.mutated()) };
      this.stores.set(key, t);
    }
    return t.store;
  }

  tenants(): Array<{ org: string; sandbox: string; store: TenantStore }> {
    return [...this.stores.values()];
  }

  mutated(): void {
    this.dirty = true;
  }

  snapshot(): StateSnapshot {
    const tenants = [...this.stores.values()].map(({ org, sandbox, store }) => ({
      org,
      sandbox,
      collections: Object.fromEntries([...store.collections].map(([name, c]) => [name, [...c.values()]])),
      records: Object.fromEntries(store.rows),
    }));
    return structuredClone({ tenants, tokens: [...this.tokens] });
  }

  restore(s: unknown): void {
    this.clear();
    const snap = s as Partial<StateSnapshot> | undefined;
    for (const t of snap?.tenants ?? []) {
      const store = this.tenant(t.org, t.sandbox);
      for (const [name, items] of Object.entries(t.collections ?? {})) {
        const c = store.collection(name);
        for (const item of items) c.set(item.id, item);
      }
      for (const [id, rows] of Object.entries(t.records ?? {})) store.records(id).push(...rows);
    }
    for (const [token, rec] of snap?.tokens ?? []) this.tokens.set(token, rec);
  }

  reset(): void {
    this.clear();
    this.mutated();
  }

  private clear(): void {
    this.stores.clear();
    this.tokens.clear();
  }
}
