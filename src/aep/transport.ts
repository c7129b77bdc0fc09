import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { AepConfig } from './config';
import { aepErrorFromResponse, responseFormatError } from './errors';
import { sendRaw, type HttpHooks, type RawResponse } from './http';
import { ImsTokenProvider, type TokenSource } from './ims';
import type { OrgRequestBudget, RequestPermit } from './request-budget';

/** `absolute`: `path` is a full URL (streaming inlet) and gets no platform headers and no token. */
export type AepService =
  | 'flowservice'
  | 'schemaregistry'
  | 'catalog'
  | 'conversion'
  | 'observability'
  | 'sandbox-management'
  | 'absolute';

/** Where each Platform API lives under the platform URL ('absolute': the path is a whole URL, the inlet's). */
const SERVICE_BASE: Record<Exclude<AepService, 'absolute'>, string> = {
  flowservice: '/data/foundation/flowservice',
  schemaregistry: '/data/foundation/schemaregistry',
  catalog: '/data/foundation/catalog',
  conversion: '/data/foundation/conversion',
  observability: '/data/infrastructure/observability/insights',
  'sandbox-management': '/data/foundation/sandbox-management',
};

export type QueryValue = string | string[] | number | undefined;

export interface AepRequestOptions<T> {
  method: Dispatcher.HttpMethod;
  service: AepService;
  path: string;
  /** Arrays repeat the key (`property=a&property=b`). */
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  accept?: string;
  ifMatch?: string;
  schema?: z.ZodType<T>;
  /** Accepted statuses; default any 2xx. */
  expect?: number[];
  /**
   * An `absolute` request that takes the IMS token all the same: an authenticated HTTP API inlet refuses posts
   * without one (401). Platform requests always carry it.
   */
  bearer?: boolean;
}

export interface AepResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
  requestId?: string;
}

export interface AepTransportOptions extends HttpHooks {
  /** Replaces the transport's own keep-alive Agent (tests pass an undici MockAgent); not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Replaces the IMS provider built from the config. */
  tokenSource?: TokenSource;
  /** Clock for the IMS provider, for tests. */
  now?: () => number;
  /**
   * The org's request budget (src/aep/request-budget.ts): platform requests wait out its pauses and in-flight cap,
   * and tell it each answer. Absent: no budget (one-shot CLI commands).
   */
  budget?: OrgRequestBudget;
}

/** RFC 3986 encoding: spaces as %20 (the reference asks for it), `=` of `name==x` filters as %3D. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * The one HTTP entry point to AEP: base URLs, the §0.2 headers, the IMS token (renewed and the call replayed once
 * on a 401), JSON in and out, response validation and error mapping. It never retries otherwise: Temporal owns
 * retries.
 */
export class AepTransport {
  readonly ims: TokenSource;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(
    private readonly config: AepConfig,
    private readonly opts: AepTransportOptions = {},
  ) {
    this.ownsDispatcher = opts.dispatcher === undefined;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        connect: { timeout: config.connectTimeoutMs },
        headersTimeout: config.requestTimeoutMs,
        bodyTimeout: config.requestTimeoutMs,
      });
    this.ims =
      opts.tokenSource ??
      new ImsTokenProvider(config, {
        dispatcher: this.dispatcher,
        logger: opts.logger,
        onResponse: opts.onResponse,
        now: opts.now,
      });
  }

  /** The same pool and token, another `x-sandbox-name`: one IMS credential serves every sandbox of the org. */
  withSandbox(sandbox: string): AepTransport {
    return new AepTransport(
      { ...this.config, sandbox },
      { ...this.opts, dispatcher: this.dispatcher, tokenSource: this.ims },
    );
  }

  get sandbox(): string {
    return this.config.sandbox;
  }

  url(service: AepService, path: string, query?: Record<string, QueryValue>): URL {
    const base = service === 'absolute' ? path : `${this.config.platformUrl}${SERVICE_BASE[service]}${path}`;
    const url = new URL(base);
    const extra = encodeQuery(query);
    if (extra) url.search = url.search ? `${url.search}&${extra.slice(1)}` : extra;
    return url;
  }

  async request<T = unknown>(opts: AepRequestOptions<T>): Promise<AepResponse<T>> {
    const url = this.url(opts.service, opts.path, opts.query);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const platform = opts.service !== 'absolute';
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    if (platform) {
      headers['x-api-key'] = this.config.clientId;
      headers['x-gw-ims-org-id'] = this.config.orgId;
      headers['x-sandbox-name'] = this.config.sandbox;
    }
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;

    const send = async (token?: string): Promise<RawResponse> =>
      sendRaw(this.dispatcher, this.opts, {
        method: opts.method,
        service: opts.service,
        url,
        headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
        body,
        timeoutMs: this.config.requestTimeoutMs,
        secrets: this.ims.secrets(),
      });

    // The inlet (`absolute`) has its own limits: its 429s say nothing of the org's platform quota.
    const permit: RequestPermit | undefined = platform ? await this.opts.budget?.acquire() : undefined;
    let res: RawResponse | undefined;
    try {
      if (platform || opts.bearer) {
        const token = await this.ims.getToken();
        res = await send(token);
        if (res.status === 401) {
          // The token may have been revoked or expired early: renew once and replay; a second 401 is final.
          this.opts.logger?.debug(
            `aep 401 on ${opts.method} ${url.pathname}, renewing the token and replaying once`,
          );
          this.ims.invalidate(token);
          res = await send(await this.ims.getToken());
        }
      } else {
        res = await send();
      }
    } finally {
      permit?.release(res && { status: res.status, retryAfter: res.headers['retry-after'] });
    }
    return this.decode(opts, url, res);
  }

  private decode<T>(opts: AepRequestOptions<T>, url: URL, res: RawResponse): AepResponse<T> {
    const secrets = this.ims.secrets();
    const requestId = res.headers['x-request-id'];
    const common = { method: opts.method, path: url.pathname, status: res.status, secrets, requestId };
    const ok = opts.expect ? opts.expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) {
      if (res.status >= 200 && res.status < 300) {
        throw responseFormatError({ ...common, reason: `expected status ${opts.expect?.join('/')}` });
      }
      throw aepErrorFromResponse({ ...common, headers: res.headers, bodyText: res.text });
    }
    let data: unknown;
    if (res.text.trim() !== '') {
      try {
        data = JSON.parse(res.text);
      } catch {
        throw responseFormatError({
          ...common,
          reason: `body is not JSON (${res.headers['content-type'] ?? 'no content-type'})`,
        });
      }
    }
    if (opts.schema) {
      const parsed = opts.schema.safeParse(data);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        throw responseFormatError({ ...common, reason: `schema mismatch: ${issues}` });
      }
      data = parsed.data;
    }
    return { status: res.status, data: data as T, headers: res.headers, ...(requestId ? { requestId } : {}) };
  }

  /** Closes the transport's own Agent (an injected dispatcher belongs to the caller). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
