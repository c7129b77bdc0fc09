// Secrets with characters that each encoding writes differently (space, ! & = + / quotes, unicode), sent by the real
// IMS client to a real IMS stand-in over loopback that echoes what it received in every form the client produces:
// the raw form body (`+` for space, `%21`), the URL component, the JSON string. Neither the error nor a log line of
// the worker may show any of them. The forbidden forms are computed here, not by the code under test.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { AepError, createAepClient, redact } from '../../src/aep';
import { formatLogEntry } from '../../src/temporal/observability';
import { CapturingLogger, testConfig } from '../support/aep-mock';

const SECRETS = [
  'pass word with spaces',
  'a!b&c=d+e/f?g#h',
  `quote"double'single\\back`,
  'ünïcødé-秘密-🔑-key',
  "tilde~star*(paren)!'",
];

const nonAscii = (json: string, upper: boolean) =>
  json.replace(/[\u0080-\uffff]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });

/** Every form a leak could take, each written independently of src/aep/errors.ts. */
function forbidden(secret: string): string[] {
  const form = new URLSearchParams({ x: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  return [
    secret,
    form,
    form.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    encodeURIComponent(secret),
    json,
    JSON.stringify(json).slice(1, -1),
    nonAscii(json, false),
    nonAscii(json, true),
  ];
}

let server: Server;
let imsUrl: string;
before(async () => {
  // A careless IMS: quotes the form body it received, as text and inside JSON, and the secret ASCII-escaped.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const secret = new URLSearchParams(body).get('client_secret') ?? '';
      const json = JSON.stringify(secret).slice(1, -1);
      const description =
        `received ${body} | lower ${body.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())} | ` +
        `uri ${encodeURIComponent(secret)}`;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        `{"error":"invalid_client","error_description":${JSON.stringify(description)},` +
          `"ascii":"${nonAscii(json, false)}","ASCII":"${nonAscii(json, true)}","raw":${JSON.stringify(secret)}}`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  imsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

void describe('redaction covers every encoding the client produces', () => {
  for (const secret of SECRETS) {
    void it(`hides ${JSON.stringify(secret)} in an IMS error echoing it`, async () => {
      const logger = new CapturingLogger();
      const client = createAepClient(testConfig({ imsUrl, clientSecret: secret }), { logger });
      try {
        const err = await client.ims.getToken().then(
          () => assert.fail('IMS refuses'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof AepError, String(err));
        assert.match(err.message, /\[REDACTED\]/, 'the echo was there and was redacted');
        const outputs = [err.message, err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 20 })];
        outputs.push(...logger.lines);
        for (const text of outputs) {
          for (const f of forbidden(secret))
            assert.ok(!text.includes(f), `leaks ${f} in: ${text.slice(0, 300)}`);
        }
      } finally {
        await client.close();
      }
    });
  }

  void it('hides them in worker log lines (JSON and text), where JSON escaping writes them', () => {
    for (const secret of SECRETS) {
      for (const format of ['json', 'text'] as const) {
        const line = formatLogEntry(
          {
            level: 'INFO',
            message: `form ${new URLSearchParams({ client_secret: secret }).toString()}`,
            timestampNanos: 0n,
            meta: { secret, nested: JSON.stringify({ secret }), uri: encodeURIComponent(secret) },
          },
          () => [secret],
          format,
        );
        for (const f of forbidden(secret)) assert.ok(!line.includes(f), `${format} line leaks ${f}: ${line}`);
      }
    }
  });

  void it('hides the user:password of a URL', () => {
    const line = redact('aep -> GET https://jane:s3cr%21t@platform.example/data?x=1 and http://u@h/', []);
    assert.equal(line, 'aep -> GET https://***@platform.example/data?x=1 and http://***@h/');
  });
});
