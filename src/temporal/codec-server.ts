// The remote codec endpoint the Temporal Web UI (and `temporal` CLI --codec-endpoint) calls to show encrypted
// payloads in clear to people allowed to see them: POST /encode and /decode with {"payloads": [...]} (base64 JSON).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

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

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Origins allowed to call from a browser (the Web UI's origin). */
  corsOrigins: string[];
  /** When set, requests must carry `Authorization: <token>` (the UI forwards its own header). */
  authToken?: string;
}

export function createCodecServer(opts: CodecServerOptions): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const op = req.url?.split('?')[0];
    if (req.method !== 'POST' || (op !== '/encode' && op !== '/decode')) {
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
    if (opts.authToken && req.headers.authorization !== opts.authToken) {
      return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { payloads?: JsonPayload[] };
          const payloads = (body.payloads ?? []).map(fromJson);
          const out =
            op === '/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ payloads: out.map(toJson) }));
        } catch (err) {
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: (err as Error).message }));
        }
      })();
    });
  });
}
