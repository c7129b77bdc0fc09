import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMULATOR_DEFAULTS } from '../shared/aep-constants';
import { serviceError } from './core/errors';
import { CallLog, FaultTable, type Fault } from './core/faults';
import { checkGateway } from './core/gateway';
import { uuid } from './core/ids';
import { loadState, saveState } from './core/persistence';
import { Router } from './core/router';
import { requestCheck } from './core/spec-validation';
import { MemoryState } from './core/store';
import {
  HttpError,
  type EmulatorOptions,
  type Reply,
  type RequestContext,
  type TenantStore,
} from './core/types';
import * as catalog from './routes/catalog';
import * as control from './routes/control';
import * as dataprep from './routes/dataprep';
import * as flowservice from './routes/flowservice';
import * as ims from './routes/ims';
import { settleIngestion } from './routes/ingestion';
import * as inlet from './routes/inlet';
import * as observability from './routes/observability';
import * as sandboxes from './routes/sandboxes';
import * as schemaregistry from './routes/schemaregistry';

export const CONTROL_PREFIX = '/__emulator/';

export function resolveOptions(opts: Partial<EmulatorOptions> = {}): EmulatorOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return {
    clientId: EMULATOR_DEFAULTS.clientId,
    clientSecret: EMULATOR_DEFAULTS.clientSecret,
    orgId: EMULATOR_DEFAULTS.orgId,
    tenantId: EMULATOR_DEFAULTS.tenantId,
    sandboxes: [...EMULATOR_DEFAULTS.sandboxes],
    tokenTtlSeconds: EMULATOR_DEFAULTS.tokenTtlSeconds,
    ...defined,
  };
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Emulator {
  options: EmulatorOptions;
  state: MemoryState;
  router: Router;
  faults: FaultTable;
  calls: CallLog;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  listen(port?: number, host?: string): Promise<Listening>;
  /** Writes the data file now if something changed. */
  flush(): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function lowerHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers))
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function faultReply(fault: Fault, path: string): Reply {
  const status = fault.status ?? 500;
  const reply: Reply =
    fault.rawBody !== undefined
      ? { status, raw: fault.rawBody, headers: { 'content-type': fault.contentType ?? 'text/plain' } }
      : fault.body !== undefined
        ? { status, body: fault.body }
        : serviceError(path, status, `Injected fault (${status})`).reply;
  const retryAfter = fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  // x-emulator-fault: the test chose this answer, not the emulator, so the contract check leaves it out.
  const headers = { ...reply.headers, 'x-emulator-fault': fault.id };
  return {
    ...reply,
    headers: retryAfter === undefined ? headers : { ...headers, 'retry-after': String(retryAfter) },
  };
}

/** Flow Service bodies carry the request id in their report (§0.4). */
function withRequestId(body: unknown, requestId: string): unknown {
  if (!body || typeof body !== 'object') return body;
  const b = body as { type?: unknown; report?: Record<string, unknown> };
  if (typeof b.type !== 'string' || !b.type.includes('/aep/errors/FLOW-') || !b.report) return body;
  if ('request-id' in b.report) return body;
  return { ...b, report: { ...b.report, 'request-id': requestId } };
}

function send(res: ServerResponse, reply: Reply, requestId: string): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | Buffer | undefined = reply.raw;
  if (payload === undefined && reply.body !== undefined) {
    payload = JSON.stringify(withRequestId(reply.body, requestId));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json;charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function createEmulator(opts: Partial<EmulatorOptions> = {}): Emulator {
  const options = resolveOptions(opts);
  const state = new MemoryState();
  if (options.dataFile) loadState(state, options.dataFile);
  const router = new Router();
  const faults = new FaultTable();
  const calls = new CallLog();
  const now = (): number => (options.now ?? Date.now)();
  let listenOrigin: string | undefined;

  const flush = (): void => {
    if (!state.dirty) return;
    if (options.dataFile) saveState(state, options.dataFile);
    state.dirty = false;
  };

  async function dispatch(
    req: IncomingMessage,
    method: string,
    url: URL,
    rawBody: Buffer,
    requestId: string,
    scope: { org?: string; sandbox?: string },
  ): Promise<Reply> {
    const path = url.pathname;
    // Records whose landing or counting time has come, before anything reads (./routes/ingestion.ts).
    settleIngestion(state, now());
    const match = router.match(method, path);
    if (match.kind === 'not-found') return serviceError(path, 404, `No route for ${method} ${path}`).reply;
    if (match.kind === 'method-not-allowed')
      return serviceError(path, 405, `Method ${method} not allowed on ${path}`).reply;
    const headers = lowerHeaders(req);
    let tenant: TenantStore | undefined;
    if (match.route.gateway === 'platform') {
      const { org, sandbox } = checkGateway(method, headers, rawBody.length, state, options, now());
      scope.org = org;
      scope.sandbox = sandbox;
      tenant = state.tenant(org, sandbox);
    } else if (match.route.gateway === 'org') {
      scope.org = checkGateway(method, headers, rawBody.length, state, options, now(), false).org;
    }
    // After the gateway (it answers credentials and sandbox first, as AEP's does), before the handler.
    const spec = options.specValidation === false ? undefined : requestCheck(method, path);
    spec?.parameters(headers, url.searchParams);
    let bodyChecked = false;
    const checkBody = (): void => {
      if (!spec || bodyChecked) return;
      spec.body(rawBody.toString('utf8'));
      bodyChecked = true;
    };
    const ctx: RequestContext = {
      method,
      path,
      params: match.params,
      query: url.searchParams,
      headers,
      rawBody,
      json<T>(): T {
        const text = rawBody.toString('utf8');
        let value: T;
        try {
          value = JSON.parse(text) as T;
        } catch {
          throw serviceError(path, 400, 'The request body is not valid JSON.');
        }
        checkBody();
        return value;
      },
      checkBody,
      org: scope.org ?? '',
      sandbox: scope.sandbox ?? '',
      get tenant(): TenantStore {
        if (!tenant) throw new Error(`route ${match.route.pattern} has no gateway, hence no tenant`);
        return tenant;
      },
      state,
      options,
      origin: options.publicOrigin ?? listenOrigin ?? `http://${headers['host'] ?? '127.0.0.1'}`,
      requestId,
      now,
    };
    return match.route.handler(ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = uuid();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const isControl = url.pathname.startsWith(CONTROL_PREFIX);
    const scope: { org?: string; sandbox?: string } = {};
    let fault: Fault | undefined;
    const log = (status: number): void => {
      if (isControl) return;
      calls.add({
        at: now(),
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status,
        ...(fault ? { fault: fault.kind } : {}),
        ...(fault?.kind === 'latency' ? { latencyMs: fault.latencyMs ?? 0 } : {}),
        ...(scope.org ? { org: scope.org } : {}),
        ...(scope.sandbox ? { sandbox: scope.sandbox } : {}),
      });
    };
    let reply: Reply;
    try {
      const rawBody = await readBody(req);
      if (!isControl) {
        if (options.latencyMs) await sleep(options.latencyMs);
        fault = faults.take(method, url.pathname, rawBody);
      }
      if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 0);
      if (fault?.kind === 'drop') {
        log(0);
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        reply = faultReply(fault, url.pathname);
      } else {
        try {
          reply = await dispatch(req, method, url, rawBody, requestId, scope);
        } catch (err) {
          if (!(err instanceof HttpError)) throw err;
          reply = err.reply;
        }
      }
      flush();
      if (fault?.kind === 'commit-then-reset') {
        log(0);
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'commit-then-fail') reply = faultReply(fault, url.pathname);
    } catch (err) {
      console.error(`emulator: ${method} ${url.pathname} failed:`, err instanceof Error ? err.stack : err);
      reply = serviceError(url.pathname, 500, 'Internal error in the emulator.').reply;
    }
    send(res, reply, requestId);
    log(reply.status);
  }

  const emulator: Emulator = {
    options,
    state,
    router,
    faults,
    calls,
    handle,
    flush,
    listen(port = 0, host = '127.0.0.1'): Promise<Listening> {
      const server = createServer((req, res) => void handle(req, res));
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const actual = (server.address() as AddressInfo).port;
          listenOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
          resolve({
            url: listenOrigin,
            port: actual,
            close: () =>
              new Promise<void>((done) => {
                server.close(() => done());
                server.closeAllConnections();
                flush();
              }),
          });
        });
      });
    },
  };

  for (const mod of [ims, flowservice, schemaregistry, catalog, dataprep, inlet, observability, sandboxes])
    mod.register(router);
  control.registerControl(router, emulator);
  return emulator;
}
