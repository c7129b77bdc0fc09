import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import {
  AepAuthenticationError,
  AepConflictError,
  AepError,
  AepNotFoundError,
  AepPayloadTooLargeError,
  AepPermissionError,
  AepPreconditionFailedError,
  AepRateLimitError,
  AepResponseFormatError,
  AepServerError,
  AepTransport,
  AepValidationError,
  ImsError,
  aepErrorFromResponse,
  isAccessRefusal,
  networkError,
  parseRetryAfter,
  redact,
} from '../../src/aep';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import { rejection } from '../support/failures';

const agent = mockAgent();
mockIms(agent, ['tok-a', 'tok-b', 'tok-c']);
const platform = agent.get(PLATFORM);
const transport = new AepTransport(testConfig(), { dispatcher: agent });
after(async () => {
  await transport.close();
  await agent.close();
});

const failure = (p: Promise<unknown>): Promise<AepError> => rejection(p, AepError);

function replyOnce(
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = JSON_HEADERS,
) {
  platform
    .intercept({ path: `/data/foundation/flowservice${path}`, method: 'GET' })
    .reply(status, body as object, { headers });
}

void describe('status -> error class', () => {
  const table: [number, new (...a: never[]) => AepError, string, boolean][] = [
    [400, AepValidationError, 'validation', false],
    [403, AepPermissionError, 'permission', false],
    [404, AepNotFoundError, 'not_found', false],
    [405, AepError, 'http', false],
    [409, AepConflictError, 'conflict', false],
    [412, AepPreconditionFailedError, 'precondition_failed', false],
    [413, AepPayloadTooLargeError, 'payload_too_large', false],
    [422, AepValidationError, 'validation', false],
    [429, AepRateLimitError, 'rate_limit', true],
    [500, AepServerError, 'server', true],
    [502, AepServerError, 'server', true],
    [503, AepServerError, 'server', true],
    [504, AepServerError, 'server', true],
  ];
  for (const [status, Cls, kind, retryable] of table) {
    void it(`${status} -> ${Cls.name} (${kind}, retryable=${retryable})`, async () => {
      replyOnce(`/status-${status}`, status, { title: 'x', status });
      const err = await failure(
        transport.request({ method: 'GET', service: 'flowservice', path: `/status-${status}` }),
      );
      assert.equal(err.constructor, Cls);
      assert.equal(err.name, Cls.name);
      assert.equal(err.kind, kind);
      assert.equal(err.status, status);
      assert.equal(err.retryable, retryable);
      assert.equal(err.method, 'GET');
      assert.equal(err.path, `/data/foundation/flowservice/status-${status}`);
    });
  }

  void it('401 twice (after renewal) -> AepAuthenticationError, not retryable', async () => {
    platform
      .intercept({ path: '/data/foundation/flowservice/auth', method: 'GET' })
      .reply(401, { error_code: '401013', message: 'Oauth token is not valid' }, { headers: JSON_HEADERS })
      .times(2);
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/auth' }));
    assert.ok(err instanceof AepAuthenticationError);
    assert.equal(err.retryable, false);
    assert.equal(err.code, '401013');
  });
});

void describe('error bodies', () => {
  void it('gateway {error_code, message}', async () => {
    replyOnce('/gw', 403, { error_code: '403010', message: 'Oauth token is missing.' });
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/gw' }));
    assert.ok(err instanceof AepPermissionError);
    assert.equal(err.code, '403010');
    assert.match(err.message, /Oauth token is missing\./);
    assert.deepEqual(err.problem, { error_code: '403010', message: 'Oauth token is missing.' });
  });

  void it('service problem: code from type, request id from report, detailed message', async () => {
    const body = {
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404',
      title: 'Resource not found',
      status: 404,
      report: {
        'detailed-message': 'The requested flows resource abc is not found.',
        id: 'abc',
        'request-id': 'req-from-report',
        type: 'flows',
      },
      errorMessage: 'The requested flows resource abc is not found.',
    };
    replyOnce('/flows/abc', 404, body);
    const err = await failure(
      transport.request({ method: 'GET', service: 'flowservice', path: '/flows/abc' }),
    );
    assert.ok(err instanceof AepNotFoundError);
    assert.equal(err.code, 'FLOW-1439-404');
    assert.equal(err.requestId, 'req-from-report');
    assert.match(err.message, /Resource not found: The requested flows resource abc is not found\./);
    assert.deepEqual(err.problem, body);
  });

  void it('x-request-id header wins over the body', async () => {
    replyOnce(
      '/hdr',
      404,
      { type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404', report: { 'request-id': 'body' } },
      {
        ...JSON_HEADERS,
        'x-request-id': 'header-id',
      },
    );
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/hdr' }));
    assert.equal(err.requestId, 'header-id');
  });

  void it('Schema Registry variant: XDM code, registryRequestId, detail', () => {
    const err = aepErrorFromResponse({
      method: 'POST',
      path: '/data/foundation/schemaregistry/tenant/schemas',
      status: 400,
      headers: {},
      secrets: [],
      bodyText: JSON.stringify({
        type: 'http://ns.adobe.com/aep/errors/XDM-1521-400',
        title: 'Title not unique',
        status: 400,
        report: {
          registryRequestId: 'sr-req-1',
          timestamp: '06-01-2021 04:11:06',
          'detailed-message': 'Object titles must be unique.',
          'sub-errors': [],
        },
        detail: 'Object titles must be unique.',
      }),
    });
    assert.ok(err instanceof AepValidationError);
    assert.equal(err.code, 'XDM-1521-400');
    assert.equal(err.requestId, 'sr-req-1');
    assert.match(err.message, /Title not unique: Object titles must be unique\./);
  });

  void it('412 body with errorMessage only', () => {
    const err = aepErrorFromResponse({
      method: 'PATCH',
      path: '/p',
      status: 412,
      headers: {},
      secrets: [],
      bodyText: JSON.stringify({ errorMessage: 'Supplied version=["1"] does not match the current version' }),
    });
    assert.ok(err instanceof AepPreconditionFailedError);
    assert.match(err.message, /does not match the current version/);
  });

  void it('IMS {error, error_description}: invalid_client is final, 5xx retryable', () => {
    const bad = aepErrorFromResponse({
      method: 'POST',
      path: '/ims/token/v3',
      status: 400,
      headers: {},
      secrets: [],
      ims: true,
      bodyText: JSON.stringify({
        error: 'invalid_client',
        error_description: 'invalid client_secret parameter',
      }),
    });
    assert.ok(bad instanceof ImsError);
    assert.equal(bad.kind, 'ims');
    assert.equal(bad.code, 'invalid_client');
    assert.equal(bad.retryable, false);
    assert.match(bad.message, /invalid client_secret parameter/);
    const down = aepErrorFromResponse({
      method: 'POST',
      path: '/ims/token/v3',
      status: 503,
      headers: {},
      secrets: [],
      ims: true,
      bodyText: '',
    });
    assert.ok(down instanceof ImsError);
    assert.equal(down.retryable, true);
  });

  void it('a refused credential is an access refusal; a busy or unreachable IMS is not (it is retried)', () => {
    const ims = (status: number, bodyText = '') =>
      aepErrorFromResponse({
        method: 'POST',
        path: '/ims/token/v3',
        status,
        headers: {},
        secrets: [],
        ims: true,
        bodyText,
      });
    assert.equal(isAccessRefusal(ims(400, JSON.stringify({ error: 'invalid_client' }))), true);
    assert.equal(isAccessRefusal(ims(401)), true);
    assert.equal(isAccessRefusal(ims(429)), false);
    assert.equal(isAccessRefusal(ims(503)), false);
    const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const lost = networkError({ method: 'POST', path: '/ims/token/v3', cause, secrets: [], ims: true });
    assert.ok(lost instanceof ImsError);
    assert.equal(isAccessRefusal(lost), false);
  });

  void it('inlet problems (status as a string, report.message)', () => {
    const unauth = aepErrorFromResponse({
      method: 'POST',
      path: '/collection/abc',
      status: 401,
      headers: {},
      secrets: [],
      bodyText: JSON.stringify({
        type: 'https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization',
        status: '401',
        title: 'Authorization',
        report: { message: '[id] Ims service token is empty' },
      }),
    });
    assert.ok(unauth instanceof AepAuthenticationError);
    assert.equal(unauth.code, 'data-collection-service-authorization');
    assert.match(unauth.message, /Authorization: \[id\] Ims service token is empty/);
    const invalid = aepErrorFromResponse({
      method: 'POST',
      path: '/collection/abc',
      status: 400,
      headers: {},
      secrets: [],
      bodyText: JSON.stringify({
        type: 'http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet',
        status: 400,
        title: 'Invalid XDM Message Format',
        report: { message: 'inletId: [abc] bad record' },
      }),
    });
    assert.ok(invalid instanceof AepValidationError);
    assert.equal(invalid.code, 'data-collection-service/inlet');
    assert.match(invalid.message, /Invalid XDM Message Format: inletId: \[abc\] bad record/);
  });

  void it('non-JSON 5xx HTML page -> AepServerError with a readable message', async () => {
    replyOnce(
      '/html',
      502,
      '<html><head><title>502 Bad Gateway</title></head><body>upstream down</body></html>',
      {
        'content-type': 'text/html',
      },
    );
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/html' }));
    assert.ok(err instanceof AepServerError);
    assert.equal(err.retryable, true);
    assert.match(err.message, /HTTP 502: 502 Bad Gateway upstream down/);
    assert.equal(typeof err.problem, 'string');
  });

  void it('2xx body that is not JSON -> AepResponseFormatError', async () => {
    replyOnce('/notjson', 200, 'OK then', { 'content-type': 'text/plain' });
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/notjson' }));
    assert.ok(err instanceof AepResponseFormatError);
    assert.equal(err.status, 200);
    assert.equal(err.retryable, false);
    assert.match(err.message, /not JSON \(text\/plain\)/);
  });

  void it('2xx JSON failing the schema -> AepResponseFormatError naming the field', async () => {
    replyOnce('/badshape', 200, { items: [{ name: 'no id' }] });
    const schema = z.looseObject({ items: z.array(z.looseObject({ id: z.string() })) });
    const err = await failure(
      transport.request({ method: 'GET', service: 'flowservice', path: '/badshape', schema }),
    );
    assert.ok(err instanceof AepResponseFormatError);
    assert.match(err.message, /items\.0\.id/);
  });

  void it('extra fields pass the loose schemas', async () => {
    replyOnce('/extra', 200, { id: 'x', etag: '"e"', surprise: { deep: true } });
    const res = await transport.request({
      method: 'GET',
      service: 'flowservice',
      path: '/extra',
      schema: z.looseObject({ id: z.string() }),
    });
    assert.deepEqual(res.data, { id: 'x', etag: '"e"', surprise: { deep: true } });
  });

  void it('a success status outside `expect` -> AepResponseFormatError', async () => {
    replyOnce('/expect', 200, {});
    const err = await failure(
      transport.request({ method: 'GET', service: 'flowservice', path: '/expect', expect: [201] }),
    );
    assert.ok(err instanceof AepResponseFormatError);
  });
});

void describe('Retry-After', () => {
  void it('seconds on a 429', async () => {
    replyOnce(
      '/limited',
      429,
      { error_code: '429001', message: 'Too many requests' },
      { ...JSON_HEADERS, 'retry-after': '7' },
    );
    const err = await failure(transport.request({ method: 'GET', service: 'flowservice', path: '/limited' }));
    assert.ok(err instanceof AepRateLimitError);
    assert.equal(err.retryAfterMs, 7000);
    assert.equal(err.retryable, true);
  });

  void it('HTTP-date on a 503', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    replyOnce('/unavailable', 503, '', { 'retry-after': at });
    const err = await failure(
      transport.request({ method: 'GET', service: 'flowservice', path: '/unavailable' }),
    );
    assert.ok(err instanceof AepServerError);
    assert.ok(
      err.retryAfterMs !== undefined && err.retryAfterMs > 25_000 && err.retryAfterMs <= 30_000,
      `${err.retryAfterMs}`,
    );
  });

  void it('parser edge cases', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 1500);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a past date means now');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});

void describe('redact()', () => {
  void it('removes every secret and its URL-encoded form, longest first', () => {
    const out = redact('a=s3cr+t/x b=s3cr%2Bt%2Fx c=tok-123 d=tok-1234', [
      's3cr+t/x',
      'tok-123',
      'tok-1234',
      '',
    ]);
    assert.equal(out, 'a=[REDACTED] b=[REDACTED] c=[REDACTED] d=[REDACTED]');
  });

  void it('toJSON has the logging fields only', () => {
    const err = new AepServerError({ message: 'm', method: 'GET', path: '/p', status: 500, code: 'C' });
    assert.deepEqual(JSON.parse(JSON.stringify(err)), {
      name: 'AepServerError',
      kind: 'server',
      message: 'm',
      status: 500,
      method: 'GET',
      path: '/p',
      code: 'C',
      retryable: true,
    });
  });
});
