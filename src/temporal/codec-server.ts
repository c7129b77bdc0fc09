// The remote codec endpoint the Temporal Web UI (and `temporal` CLI --codec-endpoint) calls to show encrypted
// payloads in clear to people allowed to see them: POST /encode and /decode with {"payloads": [...]} (base64 JSON).
// Whoever reaches it can decrypt and forge payloads, so it serves without a token only on loopback, answers only to
// the host names it is known by (a DNS-rebinding page names its own), and never buffers more than one bounded body.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { canonicalHost, formatHostPort, isLoopbackHost, parseHostPort, type HostPort } from '../shared/net';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** A few MiB: the Web UI decodes one history page at a time, and Temporal caps a payload at 2 MiB by default. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins allowed to call from a browser (the Web UI's origin). */
  corsOrigins: string[];
  /**
   * When set, requests must carry `Authorization: Bearer <token>` (the bare token is accepted too). When unset, only
   * connections that arrive on a loopback address are served.
   */
  authToken?: string;
  /** Host header names accepted besides the address a connection arrives on (and the loopback names there). */
  allowedHosts?: string[];
  /** Largest request body in bytes; a larger one is answered 413 and not read further. */
  maxBodyBytes?: number;
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), normalised like a URL's. */
function hostHeaderName(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(header.trim());
  return m ? canonicalHost(m[1]!) : undefined;
}

function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const name = hostHeaderName(req.headers.host);
  if (name === undefined) return false;
  const local = req.socket.localAddress ?? '';
  return (
    allowed.has(name) ||
    name === canonicalHost(local) ||
    (isLoopbackHost(local) && LOOPBACK_NAMES.includes(name))
  );
}

// Digests have one length, so the comparison takes the same time whatever was presented.
const digest = (s: string) => createHash('sha256').update(s).digest();

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return isLoopbackHost(req.socket.localAddress ?? '');
  const header = req.headers.authorization ?? '';
  const presented = header.replace(/^bearer\s+/i, '');
  return timingSafeEqual(digest(presented), digest(token));
}

/** The body, or undefined once a 413 has been sent (then nothing more of it is kept). */
function readBody(req: IncomingMessage, res: ServerResponse, max: number): Promise<Buffer | undefined> {
  const tooLarge = () => {
    // Closing the connection stops the client from sending the rest of a body nobody will read.
    sendJson(res, 413, { error: `request body over ${max} bytes` }, { connection: 'close' });
    res.once('finish', () => req.destroy());
    return undefined;
  };
  if (Number(req.headers['content-length'] ?? 0) > max) return Promise.resolve(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      req.removeAllListeners('data');
      req.pause();
      chunks.length = 0;
      resolve(tooLarge());
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createCodecServer(opts: CodecServerOptions): Server {
  const allowed = new Set(
    (opts.allowedHosts ?? []).map((h) => canonicalHost(h)).filter((h): h is string => h !== undefined),
  );
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req, allowed)) return sendJson(res, 403, { error: 'host not allowed' });
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    }
    // Browsers send preflights without credentials, so they cannot be asked for the token.
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const op = req.url?.split('?')[0];
    if (req.method !== 'POST' || (op !== '/encode' && op !== '/decode')) {
      return sendJson(res, 404, { error: 'not found' });
    }
    if (!authorized(req, opts.authToken)) return sendJson(res, 401, { error: 'unauthorized' });
    void (async () => {
      try {
        const raw = await readBody(req, res, max);
        if (raw === undefined) return;
        const body = JSON.parse(raw.toString() || '{}') as { payloads?: JsonPayload[] };
        const payloads = (body.payloads ?? []).map(fromJson);
        const out = op === '/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
        sendJson(res, 200, { payloads: out.map(toJson) });
      } catch (err) {
        if (!res.headersSent) sendJson(res, 400, { error: (err as Error).message });
      }
    })();
  });
}

export class CodecServerConfigError extends Error {
  override name = 'CodecServerConfigError';
}

export interface CodecServerSettings {
  bind: HostPort;
  corsOrigins: string[];
  authToken?: string;
  allowedHosts: string[];
  maxBodyBytes: number;
}

/**
 * CODEC_SERVER_BIND (127.0.0.1:8888), CODEC_CORS_ORIGINS (comma separated, else `defaultCorsOrigins`),
 * CODEC_AUTH_TOKEN, CODEC_ALLOWED_HOSTS (comma separated host names), CODEC_MAX_BODY_BYTES.
 */
export function codecServerSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  defaultCorsOrigins: string[],
): CodecServerSettings {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const maxBodyBytes = Number(env.CODEC_MAX_BODY_BYTES || DEFAULT_MAX_BODY_BYTES);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new CodecServerConfigError(
      `CODEC_MAX_BODY_BYTES must be a positive integer, got "${env.CODEC_MAX_BODY_BYTES}"`,
    );
  }
  const corsOrigins = list(env.CODEC_CORS_ORIGINS);
  return {
    bind: parseHostPort(env.CODEC_SERVER_BIND || '127.0.0.1:8888', 'CODEC_SERVER_BIND'),
    corsOrigins: corsOrigins.length ? corsOrigins : defaultCorsOrigins,
    authToken: env.CODEC_AUTH_TOKEN || undefined,
    allowedHosts: list(env.CODEC_ALLOWED_HOSTS),
    maxBodyBytes,
  };
}

export interface StartedCodecServer {
  server: Server;
  /** `http://host:port` with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on `settings.bind`. Off loopback it refuses to start without a token, and says loudly that the endpoint is
 * exposed: `warn` (stderr by default) receives that line.
 */
export async function startCodecServer(
  codec: PayloadCodec,
  settings: CodecServerSettings,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<StartedCodecServer> {
  const { bind } = settings;
  const shown = formatHostPort(bind);
  if (!isLoopbackHost(bind.host)) {
    if (!settings.authToken) {
      throw new CodecServerConfigError(
        `Refusing to serve the codec endpoint on ${shown} without CODEC_AUTH_TOKEN: it is not a loopback ` +
          `address, and anyone who reaches it could decrypt and forge payloads. Set CODEC_AUTH_TOKEN, or bind ` +
          `127.0.0.1.`,
      );
    }
    warn(
      `WARNING: the codec endpoint listens on ${shown}, not on loopback: it decrypts payloads for whoever holds ` +
        `CODEC_AUTH_TOKEN. Keep it behind TLS and a firewall.`,
    );
  }
  const server = createCodecServer({
    codec,
    corsOrigins: settings.corsOrigins,
    authToken: settings.authToken,
    allowedHosts: [bind.host, ...settings.allowedHosts],
    maxBodyBytes: settings.maxBodyBytes,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://${formatHostPort({ host: bind.host, port })}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
