// The contract shared by every route module of the emulator (see the README).

export interface ClientCredential {
  clientId: string;
  clientSecret: string;
  orgId: string;
}

export interface EmulatorOptions {
  /** The only credentials accepted (defaults: EMULATOR_DEFAULTS). */
  clientId: string;
  clientSecret: string;
  orgId: string;
  /** Tenant id answered by GET /stats for that org. */
  tenantId: string;
  /** Known sandbox names; any other x-sandbox-name is refused like FLOW-2101-404. */
  sandboxes: string[];
  /** expires_in of issued tokens, in seconds. */
  tokenTtlSeconds: number;
  /** Added to every non-control request (benchmarks). */
  latencyMs?: number;
  /** Persistence: loaded at start, saved after every mutation (tmp + rename). */
  dataFile?: string;
  /** Origin used in inletUrl / links; default = the listening origin http://127.0.0.1:<port>. */
  publicOrigin?: string;
  /** Clock (ms), injectable for tests. */
  now?: () => number;
  /** GET /flows/{id} omits options.inletUrl until this many ms after creation (real AEP may lag). Default 0. */
  inletDelayMs?: number;
  /**
   * A record the inlet accepted lands in its dataset this many ms after receipt (AEP: minutes; p95 under 15 min).
   * Default 0: landed before the inlet answers. Follows `now`. Settable at run time: `PUT /__emulator/ingestion`.
   */
  landingDelayMs?: number;
  /** The flow's run and the Observability Insights metrics count a record this many ms after it landed. Default 0. */
  aggregationDelayMs?: number;
  /**
   * Requests checked against the derived specs (./spec-validation.ts), violations answered 400 in the service's
   * shape. Default true; false (`--no-spec-validation`) lets anything the routes accept through.
   */
  specValidation?: boolean;
  /** More credentials (other orgs), to exercise org isolation. Each token is entitled only to its own org. */
  extraClients?: ClientCredential[];
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: string | Buffer;
}

/** Throw from a handler (or any helper it calls) to answer with `reply`. */
export class HttpError extends Error {
  constructor(public reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export interface RequestContext {
  method: string;
  /** Path without query, as received (percent-encoding kept). */
  path: string;
  /** From ':name' segments, decoded. */
  params: Record<string, string>;
  /** Repeated keys allowed (property=...&property=...). */
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /**
   * Parses the body, or throws HttpError 400 in the service's error style; the first call also checks it against
   * the operation's spec (core/spec-validation.ts), so a handler's own earlier checks (404, If-Match) come first.
   */
  json<T = unknown>(): T;
  /** The same spec check, for a handler that parses the raw body itself (the inlet). */
  checkBody(): void;
  /** Set by the gateway for platform routes ('' on routes without gateway). */
  org: string;
  sandbox: string;
  /** The org+sandbox scoped store (isolation). Throws on routes without gateway. */
  tenant: TenantStore;
  /** Whole state (inlet lookups across tenants, stats). */
  state: EmulatorState;
  options: EmulatorOptions;
  /** publicOrigin ?? listening origin. */
  origin: string;
  /** uuid, also sent back as x-request-id. */
  requestId: string;
  now(): number;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface TenantStore {
  /** e.g. 'flows', 'schemas', 'dataSets', 'mappingSets'. Created on first use. */
  collection<T extends { id: string }>(name: string): Map<string, T>;
  /** Ingested rows per dataset (the live array: push to it, then call mutated()). */
  records(datasetId: string): unknown[];
  /** Call after every change (persistence hook). */
  mutated(): void;
}

export interface TokenRecord {
  clientId: string;
  org: string;
  expiresAt: number;
}

export interface EmulatorState {
  tenant(org: string, sandbox: string): TenantStore;
  tenants(): Array<{ org: string; sandbox: string; store: TenantStore }>;
  snapshot(): unknown;
  restore(s: unknown): void;
  reset(): void;
  /** Issued access tokens (persisted so a restart does not log clients out). */
  tokens: Map<string, TokenRecord>;
  /** Marks the state changed; the app saves it before answering. */
  mutated(): void;
}
