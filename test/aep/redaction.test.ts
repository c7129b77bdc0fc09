// Makes the client produce every error kind from responses that echo the credentials back, then searches every
// message, stack, serialisation and log line for the client secret and the access tokens.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, it } from 'node:test';
import { z } from 'zod';
import { AepError, createAepClient, type AepErrorKind } from '../../src/aep';
import { CapturingLogger, IMS, JSON_HEADERS, PLATFORM, mockAgent, testConfig } from '../support/aep-mock';

const SECRET = 'p8e-Re+d/act=Me-0123456789';
const TOKENS = ['eyJ.unit-access-token-AAAA.sig1', 'eyJ.unit-access-token-BBBB.sig2'];
const FORBIDDEN = [SECRET, encodeURIComponent(SECRET), ...TOKENS];

const agent = mockAgent();
const logger = new CapturingLogger();
let tokenCalls = 0;
let imsFails = false;
agent
  .get(IMS)
  .intercept({ path: '/ims/token/v3', method: 'POST' })
  .reply<object>(() => {
    if (imsFails) {
      const body = { error: 'invalid_client', error_description: leak('ims') };
      return { statusCode: 400, data: body, responseOptions: { headers: JSON_HEADERS } };
    }
    const token = TOKENS[Math.min(tokenCalls++, TOKENS.length - 1)];
    return {
      statusCode: 200,
      data: { access_token: token, expires_in: 86399 },
      responseOptions: { headers: JSON_HEADERS },
    };
  })
  .persist();
// What a careless server could echo: the credentials it received (only tokens issued so far can have been sent).
const leak = (where: string) =>
  `${where}: secret=${SECRET} enc=${encodeURIComponent(SECRET)} auth="Authorization: Bearer ${TOKENS.slice(0, Math.max(1, tokenCalls)).join(' ')}"`;

const client = createAepClient(testConfig({ clientSecret: SECRET }), { dispatcher: agent, logger });
after(async () => {
  await client.close();
  await agent.close();
});

const platform = agent.get(PLATFORM);
const errors: AepError[] = [];

async function capture(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AepError, `not an AepError: ${String(err)}`);
    errors.push(err);
    return;
  }
  assert.fail('expected a failure');
}

function reply(path: string, status: number, body: string, headers: Record<string, string> = JSON_HEADERS) {
  platform
    .intercept({ path: `/data/foundation/flowservice${path}`, method: 'GET' })
    .reply(status, body, { headers });
}

const get = (path: string, schema?: z.ZodType) =>
  client.transport.request({ method: 'GET', service: 'flowservice', path, schema });

void it('produces every error kind from credential-echoing responses', async () => {
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
    reply(
      path,
      status,
      JSON.stringify({
        title: leak('t'),
        report: { 'detailed-message': leak('d') },
        errorMessage: leak('e'),
      }),
    );
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
  platform
    .intercept({ path: '/data/foundation/flowservice/net', method: 'GET' })
    .replyWithError(new Error(leak('n')));
  await capture(get('/net'));
  // IMS refusing the credentials on the next renewal, echoing the form it received.
  imsFails = true;
  client.ims.invalidate();
  await capture(client.schemaRegistry.getStats());
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
  assert.deepEqual([...new Set(errors.map((e) => e.kind))].sort(), [...kinds].sort());
});

void it('no secret or token in any message, stack, serialisation or log line', () => {
  const outputs: [string, string][] = [];
  for (const err of errors) {
    const kind = err.kind;
    outputs.push([`${kind}.message`, err.message]);
    outputs.push([`${kind}.stack`, err.stack ?? '']);
    outputs.push([`${kind}.String`, String(err)]);
    outputs.push([`${kind}.toJSON`, JSON.stringify(err)]);
    outputs.push([`${kind}.inspect`, inspect(err, { depth: 20 })]);
    // Where the error quotes the response, the redaction really happened (the text was there to leak).
    if (kind !== 'response_format')
      assert.match(err.message, /\[REDACTED\]/, `${kind} shows no redaction marker`);
  }
  assert.ok(logger.lines.length >= 20, `only ${logger.lines.length} log lines`);
  logger.lines.forEach((line, i) => outputs.push([`log[${i}]`, line]));
  for (const [where, text] of outputs) {
    for (const secret of FORBIDDEN)
      assert.ok(!text.includes(secret), `${where} leaks ${secret.slice(0, 8)}…`);
    assert.doesNotMatch(text, /Bearer eyJ/, `${where} shows an Authorization value`);
  }
  assert.equal(client.config.clientSecret, '[REDACTED]');
  assert.ok(!JSON.stringify(client.config).includes(SECRET));
});
