import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { AepConfig } from './config';
import { aepErrorFromResponse, responseFormatError } from './errors';
import { sendRaw, type HttpHooks } from './http';

export interface ImsTokenProviderOptions extends HttpHooks {
  dispatcher: Dispatcher;
  /** Clock, for tests. */
  now?: () => number;
}

/** What the transport needs from a token source. */
export interface TokenSource {
  getToken(): Promise<string>;
  /** Drops the cached token; given a token, only if that one is still cached. */
  invalidate(token?: string): void;
  /** The client secret and every access token issued so far, for redaction. */
  secrets(): readonly string[];
  /** What IMS said of the last token it issued (never the token), when known. */
  grant?(): ImsGrant | undefined;
}

/** What IMS said about a token: its lifetime and, when it says, the scopes it granted. */
export interface ImsGrant {
  expiresInS: number;
  /** The response's `scope`, else the `scope` claim of the token when it is a JWT; absent when neither says. */
  scopes?: string[];
  scopesFrom?: 'response' | 'token';
}

const splitScopes = (v: unknown): string[] | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.split(/[\s,]+/).filter(Boolean) : undefined;

/** The `scope` claim of a JWT access token (IMS tokens are JWTs; the payload is read, never verified or kept). */
function scopeClaim(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    return splitScopes(
      (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scope?: unknown }).scope,
    );
  } catch {
    return undefined;
  }
}

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive(),
});

// aepp renews 500 s early; the margin is halved for short-lived tokens so they are still used for a while.
const RENEW_MARGIN_MS = 5 * 60_000;

export function renewAt(issuedAtMs: number, expiresInS: number): number {
  const ttl = expiresInS * 1000;
  return issuedAtMs + Math.max(ttl - RENEW_MARGIN_MS, ttl / 2);
}

export type ImsCredentials = Pick<
  AepConfig,
  'imsUrl' | 'clientId' | 'clientSecret' | 'scopes' | 'requestTimeoutMs'
>;

/** OAuth server-to-server (client credentials) tokens from IMS, cached until shortly before expiry. */
export class ImsTokenProvider implements TokenSource {
  private cached?: { token: string; renewAt: number };
  private lastGrant?: ImsGrant;
  private inflight?: Promise<string>;
  private readonly issued = new Set<string>();
  private readonly now: () => number;

  constructor(
    private readonly config: ImsCredentials,
    private readonly opts: ImsTokenProviderOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  secrets(): readonly string[] {
    return [this.config.clientSecret, ...this.issued];
  }

  async getToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.token;
    // Concurrent callers share one token request.
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  grant(): ImsGrant | undefined {
    return this.lastGrant;
  }

  invalidate(token?: string): void {
    if (token === undefined || this.cached?.token === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL('/ims/token/v3', this.config.imsUrl);
    const method = 'POST';
    const issuedAt = this.now();
    const res = await sendRaw(this.opts.dispatcher, this.opts, {
      method,
      service: 'ims',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
        scope: this.config.scopes,
      }).toString(),
      timeoutMs: this.config.requestTimeoutMs,
      secrets: this.secrets(),
      ims: true,
    });
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    // Register the token before anything could quote it, even if the rest of the response is unexpected.
    const token = (body as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string' && token !== '') this.issued.add(token);
    const common = { method, path: url.pathname, status: res.status, secrets: this.secrets(), ims: true };
    if (res.status < 200 || res.status >= 300) {
      throw aepErrorFromResponse({ ...common, headers: res.headers, bodyText: res.text });
    }
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) {
      throw responseFormatError({
        ...common,
        requestId: res.headers['x-request-id'],
        reason:
          body === undefined ? 'token response is not JSON' : 'token response lacks access_token/expires_in',
      });
    }
    const { access_token, expires_in } = parsed.data;
    const fromResponse = splitScopes(parsed.data['scope']);
    const fromToken = fromResponse ? undefined : scopeClaim(access_token);
    this.lastGrant = {
      expiresInS: expires_in,
      ...(fromResponse ? { scopes: fromResponse, scopesFrom: 'response' as const } : {}),
      ...(fromToken ? { scopes: fromToken, scopesFrom: 'token' as const } : {}),
    };
    this.cached = { token: access_token, renewAt: renewAt(issuedAt, expires_in) };
    this.opts.logger?.debug(`aep ims token issued, expires in ${expires_in}s`);
    return access_token;
  }
}
