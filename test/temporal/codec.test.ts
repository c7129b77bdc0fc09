// Payload protection end to end: with encryption on, an onboarding's history holds no clear text (inputs, results,
// activity payloads), the client still reads its result, and the codec endpoint decodes for the Web UI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startOnboarding } from '../../src/client/onboarding';
import { AesGcmCodec, codecFromEnv } from '../../src/temporal/codec';
import { createCodecServer } from '../../src/temporal/codec-server';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { startEmulator, type StartedEmulator } from '../support/emulator';
import { aepClientFor, workflowBundle } from '../support/onboarding';
import { createDevServerEnv, uniqueName } from '../support/temporal';

const KEY = randomBytes(32);
const SECRET_TEXT = 'jane.doe@example.com';

describe('AES-GCM payload codec', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment;
  let emu: StartedEmulator;
  before(async () => {
    [env, emu] = await Promise.all([createDevServerEnv(ONBOARDING_SEARCH_ATTRIBUTES), startEmulator()]);
  });
  after(async () => {
    await emu?.close();
    await env?.teardown();
  });

  it('round-trips payloads, refuses tampering and unknown keys, and supports rotation', async () => {
    const codec = new AesGcmCodec({ id: 'k1', key: KEY });
    const payload = {
      metadata: { encoding: new TextEncoder().encode('json/plain') },
      data: new TextEncoder().encode(`"${SECRET_TEXT}"`),
    };
    const [enc] = await codec.encode([payload]);
    assert.ok(!Buffer.from(enc!.data!).toString('latin1').includes(SECRET_TEXT));
    const [dec] = await codec.decode([enc!]);
    assert.equal(new TextDecoder().decode(dec!.data), `"${SECRET_TEXT}"`);
    const tampered = { ...enc!, data: Buffer.from(enc!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await assert.rejects(codec.decode([tampered]));
    await assert.rejects(
      new AesGcmCodec({ id: 'k2', key: randomBytes(32) }).decode([enc!]),
      /No payload encryption key with id "k1"/,
    );
    const rotated = new AesGcmCodec({ id: 'k2', key: randomBytes(32) }, [{ id: 'k1', key: KEY }]);
    assert.equal(new TextDecoder().decode((await rotated.decode([enc!]))[0]!.data), `"${SECRET_TEXT}"`);
    assert.equal(codecFromEnv({}), undefined, 'off by default');
    assert.throws(() => codecFromEnv({ PAYLOAD_ENCRYPTION_KEY: 'c2hvcnQ=' }), /32 bytes/);
  });

  it('an encrypted onboarding keeps its history unreadable, and the codec endpoint decodes it', async () => {
    const codec = new AesGcmCodec({ id: 'test', key: KEY });
    const dataConverter = { payloadCodecs: [codec] };
    const aep = aepClientFor(emu);
    const taskQueue = uniqueName('codec');
    const worker: Worker = await createOnboardingWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      aep,
      dataConverter,
      tuning: { workflowBundle: await workflowBundle() },
    });
    const client = new Client({
      connection: env.connection,
      namespace: env.namespace ?? 'default',
      dataConverter,
    });
    const workflowId = uniqueName('onboard-codec');
    const result = await worker.runUntil(async () => {
      const { handle } = await startOnboarding(
        client,
        { source: 'chatlio', name: 'Encrypted', description: `Owner ${SECRET_TEXT}` },
        { orgId: emu.options.orgId, defaultSandbox: 'prod', taskQueue, workflowId },
      );
      return handle.result();
    });
    await aep.close();
    assert.ok(result.webhookUrl.includes(result.ids.flowId), 'the client decodes the result');

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = JSON.stringify(history);
    for (const clear of [
      SECRET_TEXT,
      result.ids.flowId,
      result.inletUrl,
      Buffer.from(SECRET_TEXT).toString('base64'),
    ]) {
      assert.ok(!raw.includes(clear), `"${clear}" is not readable in the history`);
    }

    // The Web UI posts the raw payloads to the codec endpoint and shows what comes back.
    const server = createCodecServer({ codec, corsOrigins: ['http://127.0.0.1:8233'] });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      const body = {
        payloads: input.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data!).toString('base64'),
        })),
      };
      const pre = await fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:8233' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
      const res = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      const decoded = (await res.json()) as { payloads: Array<{ data: string }> };
      const text = Buffer.from(decoded.payloads[0]!.data, 'base64').toString();
      assert.ok(text.includes(SECRET_TEXT), `decoded input: ${text}`);
    } finally {
      server.close();
    }
  });
});
