import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import {
  AepAuthenticationError,
  AepError,
  AepNetworkError,
  AepTransport,
  createAepClient,
  encodeQuery,
  type ResponseInfo,
} from '../../src/aep';
import { CapturingLogger, JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import { rejection } from '../support/failures';

type Headers = Record<string, string>;

const failure = (p: Promise<unknown>): Promise<AepError> => rejection(p, AepError);

void describe('requests (MockAgent)', () => {
  const agent = mockAgent();
  const imsForms = mockIms(agent, ['tok-1', 'tok-2', 'tok-3']);
  const platform = agent.get(PLATFORM);
  const seen: ResponseInfo[] = [];
  const transport = new AepTransport(testConfig(), { dispatcher: agent, onResponse: (i) => seen.push(i) });
  after(async () => {
    await transport.close();
    await agent.close();
  });

  void it('sends the platform headers, JSON body and If-Match', async () => {
    let headers: Headers = {};
    let body = '';
    platform.intercept({ path: '/data/foundation/flowservice/flows/f1', method: 'PATCH' }).reply((opts) => {
      headers = opts.headers as Headers;
      body = typeof opts.body === 'string' ? opts.body : '';
      return { statusCode: 200, data: { id: 'f1', etag: '"2"' }, responseOptions: { headers: JSON_HEADERS } };
    });
    const res = await transport.request({
      method: 'PATCH',
      service: 'flowservice',
      path: '/flows/f1',
      body: [{ op: 'replace', path: '/name', value: 'n' }],
      ifMatch: '"1"',
    });
    assert.deepEqual(res.data, { id: 'f1', etag: '"2"' });
    assert.equal(headers.authorization, 'Bearer tok-1');
    assert.equal(headers['x-api-key'], 'unit-client');
    assert.equal(headers['x-gw-ims-org-id'], 'UNIT0000@AdobeOrg');
    assert.equal(headers['x-sandbox-name'], 'dev');
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers.accept, 'application/json');
    assert.equal(headers['if-match'], '"1"');
    assert.deepEqual(JSON.parse(body), [{ op: 'replace', path: '/name', value: 'n' }]);
    // The IMS form carried the client credentials grant.
    const form = new URLSearchParams(imsForms[0]);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('client_id'), 'unit-client');
    assert.equal(form.get('scope'), 'openid,AdobeID');
  });

  void it('no Content-Type without a body; custom Accept; repeated and encoded query keys', async () => {
    let headers: Headers = {};
    let path = '';
    platform
      .intercept({
        path: (p) => p.startsWith('/data/foundation/schemaregistry/tenant/schemas?'),
        method: 'GET',
      })
      .reply((opts) => {
        headers = opts.headers as Headers;
        path = opts.path;
        return { statusCode: 200, data: { results: [] }, responseOptions: { headers: JSON_HEADERS } };
      });
    await transport.request({
      method: 'GET',
      service: 'schemaregistry',
      path: '/tenant/schemas',
      query: { property: ['title==Chatlio events', 'version>1'], limit: 10, start: undefined },
      accept: 'application/vnd.adobe.xed-id+json',
    });
    assert.equal(headers['content-type'], undefined);
    assert.equal(headers.accept, 'application/vnd.adobe.xed-id+json');
    assert.equal(
      path,
      '/data/foundation/schemaregistry/tenant/schemas?property=title%3D%3DChatlio%20events&property=version%3E1&limit=10',
    );
    const decoded = new URL(`http://x${path}`).searchParams;
    assert.deepEqual(decoded.getAll('property'), ['title==Chatlio events', 'version>1']);
  });

  void it('absolute URLs get neither token nor platform headers', async () => {
    let headers: Headers = {};
    agent
      .get('https://dcs.test')
      .intercept({ path: '/collection/inlet1?x=1', method: 'POST' })
      .reply((opts) => {
        headers = opts.headers as Headers;
        return { statusCode: 200, data: { ok: true }, responseOptions: { headers: JSON_HEADERS } };
      });
    const before = imsForms.length;
    await transport.request({
      method: 'POST',
      service: 'absolute',
      path: 'https://dcs.test/collection/inlet1',
      query: { x: 1 },
      body: { a: 1 },
    });
    assert.equal(headers.authorization, undefined);
    assert.equal(headers['x-api-key'], undefined);
    assert.equal(headers['x-sandbox-name'], undefined);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(imsForms.length, before, 'no token requested');
  });

  void it('204 gives undefined data', async () => {
    platform.intercept({ path: '/data/foundation/catalog/dataSets/d1', method: 'DELETE' }).reply(204, '');
    const res = await transport.request({ method: 'DELETE', service: 'catalog', path: '/dataSets/d1' });
    assert.equal(res.status, 204);
    assert.equal(res.data, undefined);
  });

  void it('401: invalidates the token, renews and replays once with the new one', async () => {
    const auths: string[] = [];
    platform
      .intercept({ path: '/data/foundation/schemaregistry/stats', method: 'GET' })
      .reply<object>((opts) => {
        auths.push((opts.headers as Headers).authorization ?? '');
        return auths.length === 1
          ? { statusCode: 401, data: { error_code: '401013', message: 'Oauth token is not valid' } }
          : { statusCode: 200, data: { tenantId: 't' }, responseOptions: { headers: JSON_HEADERS } };
      })
      .times(2);
    const imsBefore = imsForms.length;
    const res = await transport.request({ method: 'GET', service: 'schemaregistry', path: '/stats' });
    assert.deepEqual(res.data, { tenantId: 't' });
    assert.deepEqual(auths, ['Bearer tok-1', 'Bearer tok-2']);
    assert.equal(imsForms.length, imsBefore + 1);
    // The renewed token is cached: the next call asks IMS for nothing.
    platform
      .intercept({ path: '/data/foundation/schemaregistry/stats', method: 'GET' })
      .reply(200, { tenantId: 't' });
    await transport.request({ method: 'GET', service: 'schemaregistry', path: '/stats' });
    assert.equal(imsForms.length, imsBefore + 1);
  });

  void it('a second 401 is final: AepAuthenticationError after exactly one replay', async () => {
    let calls = 0;
    platform
      .intercept({ path: '/data/foundation/flowservice/flows', method: 'POST' })
      .reply(() => {
        calls++;
        return { statusCode: 401, data: { error_code: '401013', message: 'Oauth token is not valid' } };
      })
      .persist();
    const imsBefore = imsForms.length;
    const err = await failure(
      transport.request({ method: 'POST', service: 'flowservice', path: '/flows', body: {} }),
    );
    assert.ok(err instanceof AepAuthenticationError);
    assert.equal(err.retryable, false);
    assert.equal(calls, 2);
    assert.equal(imsForms.length, imsBefore + 1);
  });

  void it('reports every exchange to onResponse, IMS included', () => {
    assert.ok(seen.some((i) => i.service === 'ims' && i.status === 200 && i.path === '/ims/token/v3'));
    assert.ok(seen.some((i) => i.service === 'flowservice' && i.method === 'PATCH' && i.status === 200));
    assert.ok(seen.every((i) => typeof i.durationMs === 'number' && i.durationMs >= 0));
  });
});

void describe('client views per sandbox', () => {
  void it('withSandbox changes x-sandbox-name and shares the token', async () => {
    const agent = mockAgent();
    const forms = mockIms(agent, ['tok-shared']);
    const sandboxes: string[] = [];
    agent
      .get(PLATFORM)
      .intercept({ path: '/data/foundation/schemaregistry/stats', method: 'GET' })
      .reply((opts) => {
        sandboxes.push((opts.headers as Headers)['x-sandbox-name'] ?? '');
        return { statusCode: 200, data: { tenantId: 't' }, responseOptions: { headers: JSON_HEADERS } };
      })
      .times(2);
    const client = createAepClient(testConfig(), { dispatcher: agent });
    try {
      await client.schemaRegistry.getStats();
      const prod = client.withSandbox('prod');
      assert.equal(prod.config.sandbox, 'prod');
      assert.equal(client.withSandbox('prod'), prod, 'views are cached');
      await prod.schemaRegistry.getStats();
      await prod.close(); // a view's close leaves the shared pool alone
      assert.deepEqual(sandboxes, ['dev', 'prod']);
      assert.equal(forms.length, 1);
      assert.equal(client.config.clientSecret, '[REDACTED]');
    } finally {
      await client.close();
      await agent.close();
    }
  });
});

void describe('encodeQuery', () => {
  void it('drops undefined, repeats arrays, percent-encodes', () => {
    assert.equal(encodeQuery({ a: undefined, b: ['x y', 'z&'], c: 0 }), '?b=x%20y&b=z%26&c=0');
    assert.equal(encodeQuery({}), '');
  });
});

void describe('real loopback server: timeouts, failures, drained bodies', () => {
  let server: http.Server;
  let base = '';
  const connections: number[] = [];
  let platformRequests = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ims/token/v3') {
        req.resume();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'loop-token', expires_in: 86399 }));
        return;
      }
      platformRequests++;
      const path = req.url?.replace('/data/foundation/flowservice', '') ?? '';
      if (path === '/hang') return; // never answers
      if (path === '/reset') {
        req.socket.destroy();
        return;
      }
      if (path === '/slow-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items":');
        return; // the rest never comes
      }
      const status = Number(path.slice(1)) || 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      // A large body: if the client did not drain it, the connection could not be reused.
      res.end(JSON.stringify({ title: 'x', padding: 'p'.repeat(256 * 1024) }));
    });
    server.on('connection', () => connections.push(Date.now()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const transportFor = (timeoutMs: number) =>
    new AepTransport(testConfig({ platformUrl: base, imsUrl: base, requestTimeoutMs: timeoutMs }));

  void it('headers timeout -> AepNetworkError (retryable)', async () => {
    const t = transportFor(300);
    try {
      const err = await failure(t.request({ method: 'GET', service: 'flowservice', path: '/hang' }));
      assert.ok(err instanceof AepNetworkError);
      assert.equal(err.code, 'UND_ERR_HEADERS_TIMEOUT');
      assert.equal(err.retryable, true);
      assert.equal(err.status, undefined);
    } finally {
      await t.close();
    }
  });

  void it('body timeout -> AepNetworkError', async () => {
    const t = transportFor(300);
    try {
      const err = await failure(t.request({ method: 'GET', service: 'flowservice', path: '/slow-body' }));
      assert.ok(err instanceof AepNetworkError);
      assert.equal(err.code, 'UND_ERR_BODY_TIMEOUT');
    } finally {
      await t.close();
    }
  });

  void it('connection reset -> AepNetworkError', async () => {
    const t = transportFor(2000);
    try {
      const err = await failure(t.request({ method: 'GET', service: 'flowservice', path: '/reset' }));
      assert.ok(err instanceof AepNetworkError);
      assert.ok(err.retryable);
    } finally {
      await t.close();
    }
  });

  void it('connection refused -> AepNetworkError (via IMS: ImsError, retryable)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const deadUrl = `http://127.0.0.1:${port}`;
    const platformDown = new AepTransport(testConfig({ platformUrl: deadUrl, imsUrl: base }));
    const imsDown = new AepTransport(testConfig({ platformUrl: base, imsUrl: deadUrl }));
    try {
      const err = await failure(
        platformDown.request({ method: 'GET', service: 'flowservice', path: '/200' }),
      );
      assert.ok(err instanceof AepNetworkError);
      assert.equal(err.code, 'ECONNREFUSED');
      const imsErr = await failure(imsDown.request({ method: 'GET', service: 'flowservice', path: '/200' }));
      assert.equal(imsErr.kind, 'ims');
      assert.equal(imsErr.code, 'ECONNREFUSED');
      assert.equal(imsErr.retryable, true);
    } finally {
      await platformDown.close();
      await imsDown.close();
    }
  });

  void it(
    'error bodies are drained: one pooled connection serves 404, 500, 409, 200 and 404 in turn',
    { timeout: 5000 },
    async () => {
      // With a single connection per origin, an undrained body would leave the next request waiting for a timeout.
      const dispatcher = new Agent({ connections: 1 });
      const t = new AepTransport(testConfig({ platformUrl: base, imsUrl: base, requestTimeoutMs: 1000 }), {
        dispatcher,
      });
      try {
        const connectionsBefore = connections.length;
        const requestsBefore = platformRequests;
        for (const status of [404, 500, 409, 200, 404]) {
          const p = t.request({ method: 'GET', service: 'flowservice', path: `/${status}` });
          if (status === 200) await p;
          else assert.equal((await failure(p)).status, status);
        }
        assert.equal(platformRequests - requestsBefore, 5);
        assert.equal(
          connections.length - connectionsBefore,
          1,
          'IMS and all five calls shared one connection',
        );
      } finally {
        await t.close();
        await dispatcher.close();
      }
    },
  );

  void it('logger lines for requests and responses', async () => {
    const logger = new CapturingLogger();
    const t = new AepTransport(testConfig({ platformUrl: base, imsUrl: base }), { logger });
    try {
      await t.request({ method: 'GET', service: 'flowservice', path: '/200' });
      assert.ok(logger.lines.some((l) => l.startsWith(`aep -> GET ${base}/data/foundation/flowservice/200`)));
      assert.ok(
        logger.lines.some((l) => /^aep <- 200 GET \/data\/foundation\/flowservice\/200 \d+ms/.test(l)),
      );
      assert.ok(logger.lines.some((l) => l.startsWith('aep <- 200 POST /ims/token/v3')));
    } finally {
      await t.close();
    }
  });
});
