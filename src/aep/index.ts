import { Catalog } from './catalog';
import { redactConfig, type AepConfig, type RedactedAepConfig } from './config';
import { DataPrep } from './data-prep';
import { bothExchangeHooks, exchangeRecorderFromEnv } from './exchange-log';
import { FlowService } from './flow-service';
import type { TokenSource } from './ims';
import { Inlet } from './inlet';
import { ObservabilityInsights } from './observability';
import { SandboxManagement } from './sandbox-management';
import { SchemaRegistry } from './schema-registry';
import type { RequestBudgets } from './request-budget';
import { AepTransport, type AepTransportOptions } from './transport';

export interface AepClient {
  /** Secret replaced by `[REDACTED]`: safe to log. */
  readonly config: RedactedAepConfig;
  readonly ims: TokenSource;
  readonly transport: AepTransport;
  readonly flowService: FlowService;
  readonly schemaRegistry: SchemaRegistry;
  readonly catalog: Catalog;
  readonly dataPrep: DataPrep;
  readonly inlet: Inlet;
  readonly observability: ObservabilityInsights;
  readonly sandboxes: SandboxManagement;
  /** A view on another sandbox sharing this client's connection pool and token; closing a view is a no-op. */
  withSandbox(sandbox: string): AepClient;
  /** Closes the pooled connections (of every view); the client is unusable afterwards. */
  close(): Promise<void>;
}

export interface AepClientOptions extends AepTransportOptions {
  /** The process's org budgets: the client (and its sandbox views) take its org's (overrides `budget`). */
  budgets?: RequestBudgets;
}

export function createAepClient(config: AepConfig, options: AepClientOptions = {}): AepClient {
  const { budgets, ...opts } = options;
  // The one home of the contract recorder (worker, CLI, dev start, bench and tests all build their client here). An
  // injected dispatcher (a test's MockAgent) answers with the test's own bodies, not AEP's: those are not recorded.
  const recorder = opts.dispatcher === undefined ? exchangeRecorderFromEnv() : undefined;
  const root = new AepTransport(config, {
    ...opts,
    ...(budgets ? { budget: budgets.forOrg(config.orgId) } : {}),
    onExchange: bothExchangeHooks(opts.onExchange, recorder),
  });
  const views = new Map<string, AepClient>();
  const build = (transport: AepTransport, close: () => Promise<void>): AepClient => ({
    config: redactConfig({ ...config, sandbox: transport.sandbox }),
    ims: transport.ims,
    transport,
    flowService: new FlowService(transport),
    schemaRegistry: new SchemaRegistry(transport),
    catalog: new Catalog(transport),
    dataPrep: new DataPrep(transport),
    inlet: new Inlet(transport),
    observability: new ObservabilityInsights(transport),
    sandboxes: new SandboxManagement(transport),
    withSandbox: (sandbox) => {
      let view = views.get(sandbox);
      if (!view) {
        view = build(root.withSandbox(sandbox), async () => {});
        views.set(sandbox, view);
      }
      return view;
    },
    close,
  });
  return build(root, () => root.close());
}

export * from './bodies';
export * from './catalog';
export * from './config';
export * from './data-prep';
export * from './errors';
export * from './exchange-log';
export * from './flow-service';
export type { AepLogger, Exchange, HttpHooks, ResponseInfo } from './http';
export * from './ims';
export * from './inlet';
export * from './observability';
export * from './request-budget';
export * from './sandbox-management';
export * from './schema-registry';
export * from './transport';
