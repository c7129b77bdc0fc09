// Makes the client produce every error kind from responses that echo the credentials back, then searches every
// message, stack, serialisation and log line for the client secret and the access tokens.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, it } from 'node:test';
import { z } from 'zod';
import { AepError, createAepClient, ImsTokenProvider, type AepErrorKind } from '../../src/aep';
import { CapturingLogger, IMS, JSON_HEADERS, PLATFORM, mockAgent, testConfig } from './support';

const SECRET = 'p8e-Re+d/act=Me-0123456789';
const TOKENS = ['eyJ.unit-access-token-AAAA.sig1', 'eyJ.unit-access-token-BBBB.sig2'];
const FORBIDDEN = [SECRET, encodeURIComponent(SECRET), ...TOKENS];

const leak = (t: string) => `secret=${SECRET} enc=${encodeURIComponent(SECRET)} auth="Authorization: Bearer ${TOKENS.join(' ')}"`;

const agent = mockAgent();
const logger = new CapturingLogger();
let tokenCalls = 0;
agent
  .get(IMS)
  .intercept({ path: '/ims/token/v3', method: 'POST' })
  .reply(() => {
    const token = TOKENS[Math.min(tokenCalls++, TOKENS.length - 1)];
    return { statusCode: 200, data: { access_token: token, expires_in: 86399 }, responseOptions: { headers: JSON_HEADERS } };
  })
  .persist();
const client = createAepClient(testConfig({ clientSecret: SECRET }), { dispatcher: agent, logger });
after(async () => {
  await client.close();
  await agent.close();
});

const platform = agent.get(PLATFORM);
const errors = new Map<AepErrorKind, AepError>();

async function capture(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AepError, `not an AepError: ${String(err)}`);
    errors.set(err.kind, err);
    return;
  }
  assert.fail('expected a failure');
}

function reply(path: string, status: number, body: string, headers: Record<string, string> = JSON_HEADERS) {
  platform.intercept({ path: `/data/foundation/flowservice${path}`, method: 'GET' }).reply(status, body, { headers });
}

const get = (path: string, schema?: z.ZodType) =>
  client.transport.request({ method: 'GET', service: 'flowservice', path, schema });

it('produces every error kind from credential-echoing responses', async () => {
  for (const [status, path] of [
    [400, '/v'],
    [403, '/perm'],
    [404, '/nf'],
    [405, '/http'],
    [409, '/conflict'],
    [412, '/pre'],
    [413, '/big'],
    [429, '/rate'],
    [500, '/server'],
  ] as const) {
    reply(path, status, JSON.stringify({ title: leak('t'), report: { 'detailed-message': leak('d') }, errorMessage: leak('e') }));
    await capture(get(path));
  }
  // 401 twice: the first token is renewed, so both tokens have been used by now.
  platform
    .intercept({ path: '/data/foundation/flowservice/auth', method: 'GET' })
    .reply(401, JSON.stringify({ error_code: '401013', message: leak('a') }), { headers: JSON_HEADERS })
    .times(2);
  await capture(get('/auth'));
  assert.equal(tokenCalls, 2);
  // Non-JSON success body and a schema mismatch quoting the token.
  reply('/fmt', 200, `<html>${leak('f')}</html>`, { 'content-type': 'text/html' });
  await capture(get('/fmt'));
  reply('/shape', 200, JSON.stringify({ id: TOKENS[0] }));
  await capture(get('/shape', z.object({ id: z.enum(['x']) })));
  // No response at all, with a transport error quoting the credentials.
  platform.intercept({ path: '/data/foundation/flowservice/net', method: 'GET' }).replyWithError(new Error(leak('n')));
  await capture(get('/net'));
  // IMS failing with an echo of the submitted form, over a separate provider so the cached token is not in the way.
  agent
    .get('https://ims-fail.test')
    .intercept({ path: '/ims/token/v3', method: 'POST' })
    .reply(400, JSON.stringify({ error: 'invalid_client', error_description: leak('i') }), { headers: JSON_HEADERS });
  const failing = new ImsTokenProvider(testConfig({ clientSecret: SECRET, imsUrl: 'https://ims-fail.test' }), {
    dispatcher: agent,
    logger,
  });
  try {
    await failing.getToken();
    assert.fail('expected an IMS failure');
  } catch (err) {
    assert.ok(err instanceof AepError);
    errors.set(err.kind, err);
  }
  const kinds: AepErrorKind[] = [
    'validation',
    'authentication',
    'permission',
    'not_found',
    'conflict',
    'precondition_failed',
    'payload_too_large',
    'rate_limit',
    'server',
    'network',
    'response_format',
    'ims',
    'http',
  ];
  assert.deepEqual([...errors.keys()].sort(), [...kinds].sort());
});

it('no secret or token in any message, stack, serialisation or log line', () => {
  const outputs: [string, string][] = [];
  for (const [kind, err] of errors) {
    outputs.push([`${kind}.message`, err.message]);
    outputs.push([`${kind}.stack`, err.stack ?? '']);
    outputs.push([`${kind}.String`, String(err)]);
    outputs.push([`${kind}.toJSON`, JSON.stringify(err)]);
    outputs.push([`${kind}.inspect`, inspect(err, { depth: 20 })]);
    // The redaction really happened (the text was there to leak).
    assert.ok(`${JSON.stringify(err)}${err.message}`.includes('[REDACTED]'), `${kind} shows no redaction marker`);
  }
  assert.ok(logger.lines.length >= 20, `only ${logger.lines.length} log lines`);
  logger.lines.forEach((line, i) => outputs.push([`log[${i}]`, line]));
  for (const [where, text] of outputs) {
    for (const secret of FORBIDDEN) assert.ok(!text.includes(secret), `${where} leaks ${secret.slice(0, 8)}…`);
    assert.doesNotMatch(text, /Bearer eyJ/, `${where} shows an Authorization value`);
  }
  assert.equal(client.config.clientSecret, '[REDACTED]');
  assert.ok(!JSON.stringify(client.config).includes(SECRET));
});
