import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CHATLIO_CONNECTION_SPEC_ID } from '../../src/shared/aep-constants';
import type { FlowList, IdEtag, ImsTokenBody, SourceConnectionBody } from '../support/aep-bodies';
import { fetchToken, request, spawnEmulator, type SpawnedEmulator } from '../support/emulator';

const SC = '/data/foundation/flowservice/sourceConnections';
const CREDS = {
  clientId: 'cli-client',
  clientSecret: 'cli-secret-do-not-print',
  orgId: 'CLITEST00000000000000@AdobeOrg',
};
const ENV = { AEP_CLIENT_ID: CREDS.clientId, AEP_CLIENT_SECRET: CREDS.clientSecret, AEP_ORG_ID: CREDS.orgId };

function headers(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'x-api-key': CREDS.clientId,
    'x-gw-ims-org-id': CREDS.orgId,
    'x-sandbox-name': 'qa',
    'content-type': 'application/json',
  };
}

void describe('CLI and persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aep-emulator-'));
  const dataFile = join(dir, 'state.json');
  const running: SpawnedEmulator[] = [];
  const spawn = async (args: string[]): Promise<SpawnedEmulator> => {
    const p = await spawnEmulator(args, ENV);
    running.push(p);
    return p;
  };
  after(async () => {
    for (const p of running) await p.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  void it('prints one ready line, never the secret, and exits 0 on SIGINT', async () => {
    const p = await spawn(['--port', '0', '--sandboxes', 'qa', '--token-ttl', '600']);
    assert.match(p.stdout(), /^AEP emulator listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    assert.notEqual(p.port, 0);
    const token = await fetchToken(p.url, CREDS);
    const res = await request(p.url + SC, { headers: headers(token) });
    assert.equal(res.status, 200);
    const ims = await request<ImsTokenBody>(`${p.url}/ims/token/v3`, {
      method: 'POST',
      body: `grant_type=client_credentials&client_id=${CREDS.clientId}&client_secret=${CREDS.clientSecret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(ims.body.expires_in, 600);
    assert.equal(await p.stop('SIGINT'), 0);
    assert.ok(!p.stdout().includes(CREDS.clientSecret));
    assert.ok(!p.stderr().includes(CREDS.clientSecret));
  });

  void it('refuses unknown flags', async () => {
    await assert.rejects(spawnEmulator(['--bogus'], ENV), /exited \(1\)/);
  });

  void it('keeps resources and tokens across restarts, even after a kill', async () => {
    const first = await spawn(['--port', '0', '--sandboxes', 'qa', '--data-file', dataFile]);
    const token = await fetchToken(first.url, CREDS);
    const created = await request<IdEtag>(first.url + SC, {
      method: 'POST',
      headers: headers(token),
      body: {
        name: 'kept',
        connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
        data: { format: 'json' },
      },
    });
    assert.equal(created.status, 201);
    // SIGKILL: nothing can be flushed at exit, so the write must have happened with the request.
    await first.stop('SIGKILL');
    assert.equal(statSync(dataFile).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(dataFile, 'utf8')) as {
      tenants: Array<{ org: string; sandbox: string }>;
    };
    assert.deepEqual(
      saved.tenants.map((t) => [t.org, t.sandbox]),
      [[CREDS.orgId, 'qa']],
    );

    const second = await spawn(['--port', '0', '--sandboxes', 'qa', '--data-file', dataFile]);
    const got = await request<FlowList<SourceConnectionBody>>(`${second.url}${SC}/${created.body.id}`, {
      headers: headers(token),
    });
    assert.equal(got.status, 200, 'the old token is still valid and the resource is still there');
    assert.equal(got.body.items[0]!.name, 'kept');
    assert.equal(got.body.items[0]!.etag, created.body.etag);

    const del = await request(`${second.url}${SC}/${created.body.id}`, {
      method: 'DELETE',
      headers: headers(token),
    });
    assert.equal(del.status, 204);
    assert.equal(await second.stop('SIGTERM'), 0);
    const third = await spawn(['--port', '0', '--sandboxes', 'qa', '--data-file', dataFile]);
    const gone = await request(`${third.url}${SC}/${created.body.id}`, { headers: headers(token) });
    assert.equal(gone.status, 404);
    await third.stop();
  });
});
