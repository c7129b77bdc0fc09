// Error hierarchy of the AEP client, after stripe-node's `Error.ts` (one base class, one subclass per kind, a
// factory that picks the subclass) and octokit's `request-error` (request/response facts kept, credentials redacted).
// Every message and every stored body goes through `redact` first, so an error can be logged or serialised by
// Temporal as is.

import { redactUrlUserinfo } from '../shared/net';

export const REDACTED = '[REDACTED]';

const lowerPercent = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const asciiJson = (json: string, hex: (h: string) => string) =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${hex(c.charCodeAt(0).toString(16).padStart(4, '0'))}`);

/**
 * Every way the client itself writes a secret, and so every way a server or a log line can echo it: as is; in the
 * IMS form body (URLSearchParams: space as `+`, `!'()~` percent-encoded); as a URL component (encodeURIComponent);
 * inside a JSON string, once or twice escaped, and with non-ASCII as \uXXXX as ASCII-only JSON writers echo it.
 * Percent escapes also in lower case, which some servers echo. The client never base64-encodes a secret.
 */
export function secretForms(secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    form,
    encodeURIComponent(secret),
    json,
    JSON.stringify(json).slice(1, -1),
    asciiJson(json, (h) => h),
    asciiJson(json, (h) => h.toUpperCase()),
  ];
  return [...new Set(forms.flatMap((f) => [f, lowerPercent(f)]))];
}

/**
 * Replaces every secret, in every form `secretForms` lists, by `[REDACTED]`, and the user:password of any URL
 * (`https://user:pass@host` -> `https://***@host`).
 */
export function redact(text: string, secrets: readonly string[]): string {
  const needles = new Set<string>();
  for (const s of secrets) if (s) for (const f of secretForms(s)) needles.add(f);
  // Longest first, so a secret containing another one is removed whole.
  let out = redactUrlUserinfo(text);
  for (const needle of [...needles].sort((a, b) => b.length - a.length))
    out = out.split(needle).join(REDACTED);
  return out;
}

export type AepErrorKind =
  | 'http'
  | 'validation'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'rate_limit'
  | 'server'
  | 'network'
  | 'response_format'
  | 'ims';

export interface AepErrorInit {
  /** Already redacted by the factories below; the constructor does not redact again. */
  message: string;
  method: string;
  /** URL path without query string. */
  path: string;
  status?: number;
  requestId?: string;
  code?: string;
  problem?: unknown;
  retryAfterMs?: number;
  retryable?: boolean;
  cause?: unknown;
}

export class AepError extends Error {
  readonly kind: AepErrorKind = 'http';
  readonly status?: number;
  readonly method: string;
  readonly path: string;
  readonly requestId?: string;
  readonly code?: string;
  readonly problem?: unknown;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(init: AepErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable ?? false;
    if (init.status !== undefined) this.status = init.status;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.code !== undefined) this.code = init.code;
    if (init.problem !== undefined) this.problem = init.problem;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    const cause = this.cause as { code?: unknown } | undefined;
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      requestId: this.requestId,
      code: this.code,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      problem: this.problem,
      causeCode: typeof cause?.code === 'string' ? cause.code : undefined,
    };
  }
}

export class AepValidationError extends AepError {
  override readonly kind = 'validation';
}
export class AepAuthenticationError extends AepError {
  override readonly kind = 'authentication';
}
export class AepPermissionError extends AepError {
  override readonly kind = 'permission';
}
export class AepNotFoundError extends AepError {
  override readonly kind = 'not_found';
}
export class AepConflictError extends AepError {
  override readonly kind = 'conflict';
}
export class AepPreconditionFailedError extends AepError {
  override readonly kind = 'precondition_failed';
}
export class AepPayloadTooLargeError extends AepError {
  override readonly kind = 'payload_too_large';
}
export class AepRateLimitError extends AepError {
  override readonly kind = 'rate_limit';
  constructor(init: AepErrorInit) {
    super({ ...init, retryable: init.retryable ?? true });
  }
}
export class AepServerError extends AepError {
  override readonly kind = 'server';
  constructor(init: AepErrorInit) {
    super({ ...init, retryable: init.retryable ?? true });
  }
}
/** No response at all: connection refused or reset, DNS, connect/headers/body timeout. */
export class AepNetworkError extends AepError {
  override readonly kind = 'network';
  constructor(init: AepErrorInit) {
    super({ ...init, retryable: init.retryable ?? true });
  }
}
/** A success status whose body is not JSON, fails the expected schema, or an unexpected success status. */
export class AepResponseFormatError extends AepError {
  override readonly kind = 'response_format';
}
/** Any failure of the IMS token endpoint (HTTP error, network, malformed token response). */
export class ImsError extends AepError {
  override readonly kind = 'ims';
}

type AepErrorClass = new (init: AepErrorInit) => AepError;

function classForStatus(status: number): AepErrorClass {
  switch (status) {
    case 400:
    case 422:
      return AepValidationError;
    case 401:
      return AepAuthenticationError;
    case 403:
      return AepPermissionError;
    case 404:
      return AepNotFoundError;
    case 409:
      return AepConflictError;
    case 412:
      return AepPreconditionFailedError;
    case 413:
      return AepPayloadTooLargeError;
    case 429:
      return AepRateLimitError;
    default:
      return status >= 500 ? AepServerError : AepError;
  }
}

/** `Retry-After` as delay-seconds or HTTP-date, in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ParsedProblem {
  code?: string;
  detail?: string;
  requestId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Reads the error body shapes of the reference: gateway `{error_code, message}` (§0.3), service problem
 * `{type, title, report{detailed-message, request-id}, errorMessage}` and its Schema Registry variant with
 * `report.registryRequestId` and `detail` (§0.4), IMS `{error, error_description}` (§1), inlet
 * `{type: …/problem/…, title, report{message}}` (§7).
 */
export function parseProblem(body: unknown): ParsedProblem {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const report = (typeof b.report === 'object' && b.report !== null ? b.report : {}) as Record<
    string,
    unknown
  >;
  const type = str(b.type);
  const typeCode =
    type?.match(/\/errors\/([A-Z][A-Z0-9]*-\d+-\d{3})\/?$/)?.[1] ?? type?.match(/\/problem\/(.+)$/)?.[1];
  const title = str(b.title);
  const message =
    str(report['detailed-message']) ??
    str(b.errorMessage) ??
    str(b.detail) ??
    str(b.error_description) ??
    str(report.message) ??
    str(b.message);
  return {
    code: str(b.error_code) ?? typeCode ?? str(b.error) ?? str(b.code),
    detail: title && message && title !== message ? `${title}: ${message}` : (message ?? title),
    requestId: str(report['request-id']) ?? str(report.registryRequestId) ?? str(b.requestId),
  };
}

export interface ErrorResponseInfo {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  bodyText: string;
  secrets: readonly string[];
  /** IMS token endpoint responses become `ImsError` whatever the status. */
  ims?: boolean;
  now?: number;
}

const BODY_SNIPPET_CHARS = 500;

export function aepErrorFromResponse(info: ErrorResponseInfo): AepError {
  // Redact the raw text before parsing: `[REDACTED]` is JSON-safe inside a string, so the parsed problem is clean.
  const text = redact(info.bodyText, info.secrets);
  let problem: unknown;
  if (text.trim() !== '') {
    try {
      problem = JSON.parse(text);
    } catch {
      problem = text.slice(0, BODY_SNIPPET_CHARS);
    }
  }
  const parsed = parseProblem(problem);
  const detail = parsed.detail ?? (typeof problem === 'string' ? firstLine(problem) : undefined);
  const code = parsed.code;
  const message =
    `${info.method} ${info.path} -> HTTP ${info.status}` +
    (code ? ` [${code}]` : '') +
    (detail ? `: ${detail}` : '');
  const Cls = info.ims ? ImsError : classForStatus(info.status);
  return new Cls({
    message: redact(message, info.secrets),
    method: info.method,
    path: info.path,
    status: info.status,
    requestId: info.headers['x-request-id'] ?? parsed.requestId,
    code,
    problem,
    retryAfterMs: parseRetryAfter(info.headers['retry-after'], info.now),
    retryable: info.ims ? info.status === 429 || info.status >= 500 : undefined,
  });
}

/** Strips tags so an HTML error page still gives a readable first line. */
function firstLine(text: string): string | undefined {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain === '' ? undefined : plain.slice(0, 200);
}

interface CauseLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * A copy of a transport failure that keeps its name/code and a redacted message: the original may quote a URL or
 * a body, and Temporal serialises the cause chain.
 */
function sanitizeCause(cause: unknown, secrets: readonly string[]): Error & { code?: string } {
  const c = (typeof cause === 'object' && cause !== null ? cause : { message: String(cause) }) as CauseLike;
  const copy: Error & { code?: string } = new Error(
    redact(typeof c.message === 'string' ? c.message : '', secrets),
  );
  copy.name = typeof c.name === 'string' ? c.name : 'Error';
  if (typeof c.code === 'string') copy.code = c.code;
  return copy;
}

export function networkError(info: {
  method: string;
  path: string;
  cause: unknown;
  secrets: readonly string[];
  ims?: boolean;
}): AepError {
  const cause = sanitizeCause(info.cause, info.secrets);
  // Invalid arguments are programming errors, not transient conditions.
  const retryable = cause.code !== 'UND_ERR_INVALID_ARG';
  const init: AepErrorInit = {
    message: redact(
      `${info.method} ${info.path} -> no response (${cause.code ?? cause.name}: ${cause.message})`,
      info.secrets,
    ),
    method: info.method,
    path: info.path,
    code: cause.code,
    retryable,
    cause,
  };
  return info.ims ? new ImsError(init) : new AepNetworkError(init);
}

export function responseFormatError(info: {
  method: string;
  path: string;
  status: number;
  reason: string;
  secrets: readonly string[];
  requestId?: string;
  ims?: boolean;
}): AepError {
  const init: AepErrorInit = {
    message: redact(
      `${info.method} ${info.path} -> HTTP ${info.status}: unexpected response (${info.reason})`,
      info.secrets,
    ),
    method: info.method,
    path: info.path,
    status: info.status,
    requestId: info.requestId,
    retryable: false,
  };
  return info.ims ? new ImsError(init) : new AepResponseFormatError(init);
}

/**
 * AEP refused who we are or where we asked, not what we asked: the credential (IMS), the token (401 after
 * renewal), the org or product permission (403), or the sandbox (Flow Service's FLOW-2101-404 "Sandbox ... not
 * found", the gateway's answer for every API). No request so refused can have changed anything.
 */
export function isAccessRefusal(err: unknown): boolean {
  // An IMS 429, 5xx or lost connection is a busy or unreachable token endpoint, not a refusal: retried like any
  // transient error (taken for a refusal, an undo gave up at once and left what the run created).
  if (err instanceof ImsError) return !err.retryable;
  if (err instanceof AepAuthenticationError || err instanceof AepPermissionError) return true;
  return err instanceof AepNotFoundError && typeof err.code === 'string' && err.code.startsWith('FLOW-2101');
}
