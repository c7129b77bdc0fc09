// One HTTP exchange over undici, shared by the IMS provider and the transport: the body is always read to the end
// (also on errors) so the keep-alive connection goes back to the pool, a missing response becomes a network error,
// and every exchange is reported to the hooks once.
import { request, type Dispatcher } from 'undici';
import { networkError, redact } from './errors';

export interface AepLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface ResponseInfo {
  method: string;
  service: string;
  /** URL path without query string. */
  path: string;
  /** 0 when no response arrived. */
  status: number;
  durationMs: number;
}

/**
 * One whole HTTP exchange, for recorders (the contract tests, `doctor --deep`). Secrets are already taken out: the
 * `authorization` header never appears, and every known secret in the URL, headers and bodies reads `[REDACTED]`.
 */
export interface Exchange {
  method: string;
  service: string;
  /** Full URL, query included. */
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** 0 when no response arrived. */
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

export interface HttpHooks {
  /** Debug lines, already redacted. */
  logger?: AepLogger;
  /** Called once per HTTP exchange (IMS included), e.g. for metrics. */
  onResponse?: (info: ResponseInfo) => void;
  /** Called once per exchange that got a response (IMS excluded: its bodies are credentials), redacted. */
  onExchange?: (exchange: Exchange) => void;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface RawRequest {
  method: Dispatcher.HttpMethod;
  service: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  secrets: readonly string[];
  ims?: boolean;
}

export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export async function sendRaw(
  dispatcher: Dispatcher,
  hooks: HttpHooks,
  req: RawRequest,
): Promise<RawResponse> {
  const { method, url } = req;
  const started = performance.now();
  const report = (status: number, extra: string) => {
    const durationMs = Math.round(performance.now() - started);
    hooks.logger?.debug(
      redact(
        `aep <- ${status || 'no response'} ${method} ${url.pathname} ${durationMs}ms${extra}`,
        req.secrets,
      ),
    );
    try {
      hooks.onResponse?.({ method, service: req.service, path: url.pathname, status, durationMs });
    } catch {
      // A failing metrics hook must not turn a good call into a failed one.
    }
  };
  hooks.logger?.debug(redact(`aep -> ${method} ${url.href}`, req.secrets));
  try {
    const res = await request(url, {
      dispatcher,
      method,
      headers: req.headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const text = await res.body.text();
    const headers = flattenHeaders(res.headers);
    const requestId = headers['x-request-id'];
    report(res.statusCode, requestId ? ` request-id=${requestId}` : '');
    if (hooks.onExchange && !req.ims) recordExchange(hooks.onExchange, req, res.statusCode, headers, text);
    return { status: res.statusCode, headers, text };
  } catch (cause) {
    const err = networkError({ method, path: url.pathname, cause, secrets: req.secrets, ims: req.ims });
    report(0, ` (${err.code ?? 'error'})`);
    throw err;
  }
}

function recordExchange(
  onExchange: (exchange: Exchange) => void,
  req: RawRequest,
  status: number,
  responseHeaders: Record<string, string>,
  responseBody: string,
): void {
  const clean = (v: string) => redact(v, req.secrets);
  const cleanHeaders = (h: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(h)
        .filter(([k]) => k !== 'authorization')
        .map(([k, v]) => [k, clean(v)]),
    );
  try {
    onExchange({
      method: req.method,
      service: req.service,
      url: clean(req.url.href),
      requestHeaders: cleanHeaders(req.headers),
      ...(req.body === undefined ? {} : { requestBody: clean(req.body) }),
      status,
      responseHeaders: cleanHeaders(responseHeaders),
      responseBody: clean(responseBody),
    });
  } catch {
    // A failing recorder must not turn a good call into a failed one.
  }
}
