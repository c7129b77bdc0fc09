import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHATLIO_CONNECTION_SPEC_ID, EMULATOR_DEFAULTS } from '../../src/shared/aep-constants';
import type {
  FlowList,
  GatewayErrorBody,
  IdEtag,
  ImsErrorBody,
  ImsTokenBody,
  PlatformErrorBody,
  SourceConnectionBody,
} from '../support/aep-bodies';
import { request, startEmulator, type JsonResponse, type StartedEmulator } from '../support/emulator';

const SC = '/data/foundation/flowservice/sourceConnections';
const OTHER = {
  clientId: 'other-client',
  clientSecret: 'other-secret',
  orgId: 'OTHER0000000000000000@AdobeOrg',
};
const sourceBody = {
  name: 'sc',
  providerId: '521eee4d-8cbe-4906-bb48-fb6bd4450033',
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  data: { format: 'json' },
};

void describe('gateway', () => {
  let emu: StartedEmulator;
  let token: string;
  before(async () => {
    emu = await startEmulator({ extraClients: [OTHER] });
    token = await emu.token();
  });
  after(() => emu.close());

  const without = (h: Record<string, string>, name: string): Record<string, string> => {
    const copy = { ...h };
    delete copy[name];
    return copy;
  };

  const rows: Array<[string, (h: Record<string, string>) => Record<string, string>, number, unknown]> = [
    [
      'no Authorization',
      (h) => without(h, 'authorization'),
      403,
      { error_code: '403010', message: 'Oauth token is missing.' },
    ],
    [
      'unknown token',
      (h) => ({ ...h, authorization: 'Bearer eyJnot-a-token' }),
      401,
      { error_code: '401013', message: 'Oauth token is not valid' },
    ],
    [
      'not a bearer header',
      (h) => ({ ...h, authorization: 'Basic abc' }),
      401,
      { error_code: '401013', message: 'Oauth token is not valid' },
    ],
    [
      'no x-api-key',
      (h) => without(h, 'x-api-key'),
      403,
      { error_code: '403000', message: 'Api Key is required' },
    ],
    [
      'bad x-api-key',
      (h) => ({ ...h, 'x-api-key': 'someone-else' }),
      403,
      { error_code: '403003', message: 'Api Key is invalid' },
    ],
    [
      'no org header',
      (h) => without(h, 'x-gw-ims-org-id'),
      400,
      { error_code: '400003', message: 'Missing header' },
    ],
    [
      'malformed org',
      (h) => ({ ...h, 'x-gw-ims-org-id': 'not-an-org' }),
      403,
      { error_code: '403027', message: 'User region is missing' },
    ],
    [
      'token not entitled to the org',
      (h) => ({ ...h, 'x-gw-ims-org-id': OTHER.orgId }),
      403,
      { error_code: '403025', message: 'Profile is not valid' },
    ],
    [
      'missing Content-Type on a body',
      (h) => without(h, 'content-type'),
      400,
      {
        type: '/placeholder/type/uri',
        status: 400,
        title: 'BadRequestError',
        detail: 'A valid content-type must be specified',
      },
    ],
    [
      'non-JSON Content-Type',
      (h) => ({ ...h, 'content-type': 'text/plain' }),
      400,
      {
        type: '/placeholder/type/uri',
        status: 400,
        title: 'BadRequestError',
        detail: 'A valid content-type must be specified',
      },
    ],
  ];
  for (const [name, alter, status, body] of rows) {
    void it(`refuses: ${name}`, async () => {
      const res = await request(emu.url + SC, {
        method: 'POST',
        headers: alter(emu.headers(token)),
        body: sourceBody,
      });
      assert.equal(res.status, status);
      assert.deepEqual(res.body, body);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    });
  }

  void it('accepts +json content types and reaches the service', async () => {
    const res = await request(emu.url + SC, {
      method: 'POST',
      headers: { ...emu.headers(token), 'content-type': 'application/vnd.adobe.xed+json; charset=utf-8' },
      body: sourceBody,
    });
    assert.equal(res.status, 201);
  });

  void it('refuses a missing or unknown sandbox in the service shape', async () => {
    const missing = await request<PlatformErrorBody>(emu.url + SC, {
      headers: without(emu.headers(token), 'x-sandbox-name'),
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.type, 'https://ns.adobe.com/aep/errors/FLOW-2105-400');
    assert.equal(missing.body.errorMessage, 'x-sandbox-name is missing');
    assert.equal(missing.body.report['request-id'], missing.headers.get('x-request-id'));
    const unknown = await request<PlatformErrorBody>(emu.url + SC, {
      headers: emu.headers(token, { sandbox: 'nope' }),
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.type, 'https://ns.adobe.com/aep/errors/FLOW-2101-404');
    assert.match(unknown.body.errorMessage, /nope/);
  });

  void it('gives every response its own x-request-id', async () => {
    const a = await request(emu.url + SC, { headers: emu.headers(token) });
    const b = await request(emu.url + '/no/such/route');
    assert.equal(a.status, 200);
    assert.equal(b.status, 404);
    assert.ok(a.headers.get('x-request-id'));
    assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
  });
});

void describe('IMS', () => {
  let emu: StartedEmulator;
  before(async () => {
    emu = await startEmulator({ tokenTtlSeconds: 120 });
  });
  after(() => emu.close());
  const ims = <T = unknown>(body: string, query = ''): Promise<JsonResponse<T>> =>
    request<T>(`${emu.url}/ims/token/v3${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  const form = (o: Record<string, string>): string => new URLSearchParams(o).toString();
  const good = {
    grant_type: 'client_credentials',
    client_id: EMULATOR_DEFAULTS.clientId,
    client_secret: EMULATOR_DEFAULTS.clientSecret,
    scope: 'openid,AdobeID',
  };

  void it('issues bearer tokens with the configured expires_in', async () => {
    const res = await ims<ImsTokenBody>(form(good));
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 120);
    assert.match(res.body.access_token, /^eyJ[\w-]+$/);
    const list = await request(emu.url + SC, { headers: emu.headers(res.body.access_token) });
    assert.equal(list.status, 200);
  });

  void it('accepts the parameters in the query string', async () => {
    const res = await ims('', `?${form(good)}`);
    assert.equal(res.status, 200);
  });

  void it('refuses a bad secret or client id without echoing the secret', async () => {
    const badSecret = await ims(form({ ...good, client_secret: 'wrong-secret-value' }));
    assert.equal(badSecret.status, 400);
    assert.deepEqual(badSecret.body, {
      error: 'invalid_client',
      error_description: 'invalid client_secret parameter',
    });
    const badId = await ims(form({ ...good, client_id: 'who' }));
    assert.equal(badId.status, 400);
    assert.deepEqual(badId.body, {
      error: 'invalid_client',
      error_description: 'invalid client_id parameter',
    });
    const badGrant = await ims<ImsErrorBody>(form({ ...good, grant_type: 'password' }));
    assert.equal(badGrant.status, 400);
    assert.equal(badGrant.body.error, 'unsupported_grant_type');
    for (const r of [badSecret, badId, badGrant]) assert.ok(!r.text.includes(EMULATOR_DEFAULTS.clientSecret));
  });
});

void describe('token expiry', () => {
  let clock = 1_700_000_000_000;
  let emu: StartedEmulator;
  before(async () => {
    emu = await startEmulator({ tokenTtlSeconds: 60, now: () => clock });
  });
  after(() => emu.close());

  void it('refuses a token once its TTL has passed', async () => {
    const token = await emu.token();
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 200);
    clock += 59_000;
    assert.equal((await request(emu.url + SC, { headers: emu.headers(token) })).status, 200);
    clock += 1_000;
    const expired = await request(emu.url + SC, { headers: emu.headers(token) });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { error_code: '401013', message: 'Oauth token is not valid' });
    const fresh = await emu.token();
    assert.equal((await request(emu.url + SC, { headers: emu.headers(fresh) })).status, 200);
  });

  void it('expires every issued token on /__emulator/tokens/expire', async () => {
    const a = await emu.token();
    const b = await emu.token();
    await emu.control.expireTokens();
    for (const t of [a, b])
      assert.equal((await request(emu.url + SC, { headers: emu.headers(t) })).status, 401);
    assert.equal((await request(emu.url + SC, { headers: emu.headers(await emu.token()) })).status, 200);
  });
});

void describe('isolation', () => {
  let emu: StartedEmulator;
  let tokenA: string;
  let tokenB: string;
  before(async () => {
    emu = await startEmulator({ extraClients: [OTHER] });
    tokenA = await emu.token();
    tokenB = await emu.token(OTHER);
  });
  after(() => emu.close());
  const headersB = (sandbox = 'prod'): Record<string, string> =>
    emu.headers(tokenB, { orgId: OTHER.orgId, apiKey: OTHER.clientId, sandbox });

  void it("refuses another org's token and keeps each org's resources apart", async () => {
    const created = await request<IdEtag>(emu.url + SC, {
      method: 'POST',
      headers: emu.headers(tokenA),
      body: sourceBody,
    });
    assert.equal(created.status, 201);
    const id: string = created.body.id;

    const crossed = await request<GatewayErrorBody>(emu.url + SC, {
      headers: emu.headers(tokenB, { apiKey: OTHER.clientId }),
    });
    assert.equal(crossed.status, 403);
    assert.equal(crossed.body.error_code, '403025');

    const listB = await request<FlowList<SourceConnectionBody>>(emu.url + SC, { headers: headersB() });
    assert.equal(listB.status, 200);
    assert.deepEqual(listB.body.items, []);
    assert.equal((await request(`${emu.url}${SC}/${id}`, { headers: headersB() })).status, 404);
    const delB = await request(`${emu.url}${SC}/${id}`, { method: 'DELETE', headers: headersB() });
    assert.equal(delB.status, 404);
    const stillA = await request<FlowList<SourceConnectionBody>>(`${emu.url}${SC}/${id}`, {
      headers: emu.headers(tokenA),
    });
    assert.equal(stillA.status, 200);
    assert.equal(stillA.body.items[0]!.imsOrgId, EMULATOR_DEFAULTS.orgId);
  });

  void it('keeps sandboxes apart within an org', async () => {
    const created = await request<IdEtag>(emu.url + SC, {
      method: 'POST',
      headers: emu.headers(tokenA, { sandbox: 'dev' }),
      body: { ...sourceBody, name: 'dev only' },
    });
    assert.equal(created.status, 201);
    const id: string = created.body.id;
    const prod = await request<FlowList<SourceConnectionBody>>(`${emu.url}${SC}?property=name==dev%20only`, {
      headers: emu.headers(tokenA),
    });
    assert.deepEqual(prod.body.items, []);
    const del = await request<PlatformErrorBody>(`${emu.url}${SC}/${id}`, {
      method: 'DELETE',
      headers: emu.headers(tokenA),
    });
    assert.equal(del.status, 404);
    assert.equal(del.body.report.type, 'sourceConnections');
    const dev = await request<FlowList<SourceConnectionBody>>(`${emu.url}${SC}/${id}`, {
      headers: emu.headers(tokenA, { sandbox: 'dev' }),
    });
    assert.equal(dev.status, 200);
    assert.equal(dev.body.items[0]!.sandboxName, 'dev');
    const state = await emu.control.state();
    const devTenant = state.tenants.find((t) => t.org === EMULATOR_DEFAULTS.orgId && t.sandbox === 'dev');
    assert.deepEqual(
      devTenant?.collections['sourceConnections']?.map((e) => e.id),
      [id],
    );
  });
});
