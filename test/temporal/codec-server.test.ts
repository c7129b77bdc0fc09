// The codec endpoint as an attacker meets it, over real HTTP: without the token, under a foreign Host header (DNS
// rebinding), with a body too large to buffer, on a non-loopback or IPv6 bind; and `npm start`'s own endpoint.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Readable } from 'node:stream';
import { AesGcmCodec } from '../../src/temporal/codec';
import {
  codecServerSettingsFromEnv,
  CodecServerConfigError,
  startCodecServer,
  type CodecServerSettings,
  type StartedCodecServer,
} from '../../src/temporal/codec-server';
import { parseHostPort } from '../../src/shared/net';
import { freePort, runTs } from '../support/processes';

const KEY = randomBytes(32);
const codec = new AesGcmCodec({ id: 'k', key: KEY });
const TOKEN = 'codec-token-0123456789';
const BODY = JSON.stringify({ payloads: [{ metadata: { encoding: 'YmluYXJ5L3BsYWlu' }, data: 'aGk=' }] });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with full control of the headers (fetch forbids setting Host) and of the body stream. */
function send(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Readable;
    connect?: string;
  } = {},
): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.connect ?? u.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: u.port,
        path: u.pathname,
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...opts.headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    // A server that stops reading may reset the socket while the client still writes; the reply counts.
    req.on('error', reject);
    if (opts.body instanceof Readable) {
      opts.body.pipe(req);
    } else req.end(opts.body);
  });
}

const settings = (over: Partial<CodecServerSettings> = {}): CodecServerSettings => ({
  ...codecServerSettingsFromEnv({ CODEC_SERVER_BIND: '127.0.0.1:0' }, ['http://127.0.0.1:8233']),
  ...over,
});

const servers: StartedCodecServer[] = [];
async function start(over: Partial<CodecServerSettings> = {}, warn?: (l: string) => void) {
  const s = await startCodecServer(codec, settings(over), warn ?? (() => undefined));
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

void describe('codec endpoint security', { timeout: 60_000 }, () => {
  void it('serves loopback callers without a token, and demands the token once one is set', async () => {
    const open = await start();
    assert.equal((await send(`${open.url}/decode`, { body: BODY })).status, 200);

    const closed = await start({ authToken: TOKEN });
    assert.equal((await send(`${closed.url}/decode`, { body: BODY })).status, 401);
    const wrong = await send(`${closed.url}/encode`, {
      body: BODY,
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 401);
    const ok = await send(`${closed.url}/encode`, {
      body: BODY,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.status, 200);
    // The preflight carries no credentials, so it passes, and CORS stays as it was.
    const pre = await send(`${closed.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://127.0.0.1:8233');
  });

  void it('answers 403 to a foreign Host header, and accepts the loopback names and CODEC_ALLOWED_HOSTS', async () => {
    const s = await start({ allowedHosts: ['codec.internal'] });
    const port = new URL(s.url).port;
    for (const host of [
      `rebind.attacker.example:${port}`,
      'evil.example',
      '10.0.0.1',
      'localhost.attacker.example',
    ]) {
      const r = await send(`${s.url}/decode`, { body: BODY, headers: { host } });
      assert.equal(r.status, 403, `Host "${host}" is refused`);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'codec.internal:443']) {
      const r = await send(`${s.url}/decode`, { body: BODY, headers: { host } });
      assert.equal(r.status, 200, `Host "${host}" is accepted`);
    }
  });

  void it('answers 413 at once to a body over the limit, without waiting for (or keeping) the rest', async () => {
    const s = await start({ maxBodyBytes: 64 * 1024 });
    const small = JSON.stringify({ payloads: [{ data: Buffer.alloc(30_000).toString('base64') }] });
    assert.equal((await send(`${s.url}/encode`, { body: small })).status, 200, 'under the limit works');

    // Declares 400 MB and sends 1 MiB: the answer cannot have waited for the body.
    let sent = 0;
    const declared = new Readable({
      read() {
        if (sent >= 1024 * 1024) return;
        sent += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024, 0x61));
      },
    });
    const t0 = Date.now();
    const big = await send(`${s.url}/encode`, {
      body: declared,
      headers: { 'content-length': String(400 * 1024 * 1024) },
    });
    assert.equal(big.status, 413);
    assert.ok(Date.now() - t0 < 5_000, 'answered quickly');

    // Chunked and endless: only stopping early can answer it, and the process does not grow with it.
    const rss0 = process.memoryUsage().rss;
    let streamed = 0;
    const endless = new Readable({
      read() {
        streamed += 256 * 1024;
        this.push(Buffer.alloc(256 * 1024, 0x62));
      },
    });
    const chunked = await send(`${s.url}/decode`, { body: endless });
    endless.destroy();
    assert.equal(chunked.status, 413);
    assert.ok(streamed < 64 * 1024 * 1024, `stopped the sender early (${streamed} bytes streamed)`);
    assert.ok(process.memoryUsage().rss - rss0 < 64 * 1024 * 1024, 'memory stays flat');
  });

  void it('refuses a non-loopback bind without a token, and warns loudly on one with a token', async (t) => {
    await assert.rejects(
      startCodecServer(codec, settings({ bind: { host: '0.0.0.0', port: 0 } }), () => undefined),
      (err: Error) => err instanceof CodecServerConfigError && /CODEC_AUTH_TOKEN/.test(err.message),
    );
    const warnings: string[] = [];
    const s = await start({ bind: { host: '0.0.0.0', port: 0 }, authToken: TOKEN }, (l) => warnings.push(l));
    assert.match(warnings.join('\n'), /WARNING: the codec endpoint listens on 0\.0\.0\.0:0, not on loopback/);
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!lan) return t.skip('no non-loopback IPv4 interface');
    const url = `http://${lan}:${new URL(s.url.replace('0.0.0.0', '127.0.0.1')).port}/decode`;
    assert.equal((await send(url, { body: BODY })).status, 401, 'a LAN caller needs the token');
    const ok = await send(url, { body: BODY, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200, 'Host = the interface address it came in on');
    assert.equal(
      (await send(url, { body: BODY, headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` } }))
        .status,
      403,
      'the loopback names only count for loopback connections',
    );
  });

  void it('parses and serves an IPv6 bind address like [::1]:8888', async (t) => {
    assert.deepEqual(parseHostPort('[::1]:8888', 'X'), { host: '::1', port: 8888 });
    assert.deepEqual(parseHostPort('127.0.0.1:8888', 'X'), { host: '127.0.0.1', port: 8888 });
    assert.throws(
      () => parseHostPort('::1:8888', 'CODEC_SERVER_BIND'),
      /CODEC_SERVER_BIND must be host:port/,
    );
    assert.throws(() => parseHostPort('[::1]:99999', 'X'), /X must be/);
    const env = codecServerSettingsFromEnv({ CODEC_SERVER_BIND: '[::1]:8888' }, []);
    assert.deepEqual(env.bind, { host: '::1', port: 8888 });
    let s: StartedCodecServer;
    try {
      s = await start({ bind: { host: '::1', port: 0 } });
    } catch {
      return t.skip('no IPv6 loopback here');
    }
    assert.match(s.url, /^http:\/\/\[::1\]:\d+$/);
    assert.equal((await send(`${s.url}/decode`, { body: BODY })).status, 200);
  });

  void it("npm start's codec endpoint honours CODEC_AUTH_TOKEN", async () => {
    // A Temporal that accepts connections and never answers keeps npm start waiting after the codec is up.
    const sockets: Socket[] = [];
    const blackhole = createTcpServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const codecPort = await freePort();
    const proc = runTs('src/dev/start.ts', [], {
      PAYLOAD_ENCRYPTION_KEY: KEY.toString('base64'),
      CODEC_AUTH_TOKEN: TOKEN,
      CODEC_SERVER_BIND: `127.0.0.1:${codecPort}`,
      TEMPORAL_ADDRESS: `127.0.0.1:${(blackhole.address() as { port: number }).port}`,
      EMULATOR_PORT: String(await freePort()),
      AEP_PLATFORM_URL: '',
    });
    try {
      await proc.waitFor(/codec endpoint for the Web UI: http:\/\/127\.0\.0\.1:\d+/, 30_000);
      const url = `http://127.0.0.1:${codecPort}/decode`;
      assert.equal((await send(url, { body: BODY })).status, 401);
      const ok = await send(url, { body: BODY, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
    } finally {
      await proc.kill('SIGKILL');
      for (const s of sockets) s.destroy();
      blackhole.close();
    }
  });
});
