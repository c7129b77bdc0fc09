// `aep-onboard doctor` against the emulator and a real dev server: every check passes, and each fault gets its own
// diagnosis (the first ✗ names it, the checks that depend on it are skipped); --deep onboards, reads back, tears
// down and records shapes; emulator:compare round-trips the recording.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DoctorReport } from '../../src/cli/doctor-report';
import { PresetRegistry } from '../../src/presets/registry';
import { CHATLIO_CONNECTION_SPEC_ID } from '../../src/shared/aep-constants';
import type { OnboardingResult } from '../../src/shared/onboarding';
import type { ShapeRecording } from '../../src/shared/shapes';
import { main as compareMain } from '../../scripts/emulator-compare';
import { cli, useCliEnv } from '../support/cli';
import { request } from '../support/emulator';
import { resourcesIn, useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

const byId = (doc: DoctorReport) => Object.fromEntries(doc.checks.map((c) => [c.id, c]));
const failing = (doc: DoctorReport) => doc.checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('aep-onboard doctor', { timeout: 600_000 }, () => {
  const h = useHarness();
  let restore: (() => void) | undefined;
  let dir = '';

  before(() => {
    restore = useCliEnv(h, {
      AEP_PLATFORM_URL: h.emu.url,
      AEP_IMS_URL: h.emu.url,
      AEP_CLIENT_ID: h.emu.options.clientId,
      AEP_CLIENT_SECRET: h.emu.options.clientSecret,
    });
    dir = mkdtempSync(path.join(tmpdir(), 'aep-doctor-'));
  });
  after(() => {
    restore?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the emulator's Sandbox API: org-wide (no x-sandbox-name needed), 404 for an unknown name, gateway first", async () => {
    const token = await h.emu.token();
    const url = (name: string) => `${h.emu.url}/data/foundation/sandbox-management/sandboxes/${name}`;
    const { 'x-sandbox-name': _sandbox, ...orgHeaders } = h.emu.headers(token);
    const dev = await request<{ name: string; type: string; state: string }>(url('dev'), {
      headers: orgHeaders,
    });
    assert.equal(dev.status, 200);
    assert.deepEqual([dev.body.name, dev.body.type, dev.body.state], ['dev', 'development', 'active']);
    const prod = await request<{ type: string; isDefault: boolean }>(url('prod'), { headers: orgHeaders });
    assert.deepEqual([prod.body.type, prod.body.isDefault], ['production', true]);
    const unknown = await request<{ type: string }>(url('nosuch'), {
      headers: h.emu.headers(token, { sandbox: 'nosuch' }),
    });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.type, /SANDBOX-1404-404$/);
    const otherOrg = await request<{ error_code: string }>(url('dev'), {
      headers: h.emu.headers(token, { orgId: 'OTHER0000@AdobeOrg' }),
    });
    assert.deepEqual([otherOrg.status, otherOrg.body.error_code], [403, '403025']);
  });

  it('passes every check against the emulator with a worker polling, in text and as JSON', async () => {
    await h.withWorker(async (tq) => {
      const json = await cli('doctor', '--task-queue', tq, '--json');
      assert.equal(json.code, 0, json.out + json.err);
      const doc = json.json<DoctorReport>();
      assert.equal(doc.status, 'ok');
      assert.deepEqual(
        doc.checks.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.detail}`),
        [],
      );
      assert.deepEqual(
        doc.checks.map((c) => c.id),
        [
          'ims-token',
          'org',
          'sandbox',
          'tenant',
          ...PresetRegistry.fromEnv({})
            .ids()
            .flatMap((id) => [`preset:${id}:connection-spec`, `preset:${id}:flow-spec`]),
          'clock',
          'temporal-namespace',
          'temporal-search-attributes',
          'temporal-worker',
        ],
      );
      const checks = byId(doc);
      assert.match(checks['tenant']!.detail, /^emulatortenant /);
      assert.match(checks['sandbox']!.detail, /"prod" exists \(production, active\)/);
      assert.match(checks['preset:chatlio:flow-spec']!.detail, /lists the connection spec/);

      const text = await cli('doctor', '--task-queue', tq);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /^✓ IMS token/m);
      assert.match(text.out, /^✓ Worker\s+1 poller\(s\) on task queue/m);
      assert.match(text.out, /All checks passed\.$/);
      assert.doesNotMatch(text.out, new RegExp(h.emu.options.clientSecret));
    });
  });

  it('a wrong client secret: the IMS token fails with the fix, the AEP checks after it are skipped', async () => {
    await h.withWorker(async (tq) => {
      process.env.AEP_CLIENT_SECRET = 'not-the-secret';
      try {
        const r = await cli('doctor', '--task-queue', tq, '--json');
        assert.equal(r.code, 1, r.out);
        const doc = r.json<DoctorReport>();
        assert.deepEqual(failing(doc), ['ims-token']);
        const token = byId(doc)['ims-token']!;
        assert.match(token.detail, /invalid_client.*invalid client_secret parameter/);
        assert.match(token.fix!, /AEP_CLIENT_SECRET is not this credential's secret/);
        for (const id of ['org', 'sandbox', 'tenant', 'preset:chatlio:connection-spec'])
          assert.equal(byId(doc)[id]!.status, 'skip', id);
        assert.equal(byId(doc)['temporal-worker']!.status, 'ok');
        assert.doesNotMatch(r.out, /not-the-secret/);
        const text = await cli('doctor', '--task-queue', tq);
        assert.match(text.out, /^✗ IMS token/m);
        assert.match(text.out, /fix: AEP_CLIENT_SECRET is not this credential's secret/);
      } finally {
        process.env.AEP_CLIENT_SECRET = h.emu.options.clientSecret;
      }
    });
  });

  it('an unknown sandbox: the sandbox fails (the org is accepted), tenant and specs are skipped', async () => {
    await h.withWorker(async (tq) => {
      const r = await cli('doctor', '--sandbox', 'nosuch', '--task-queue', tq, '--json');
      assert.equal(r.code, 1, r.out);
      const doc = r.json<DoctorReport>();
      assert.deepEqual(failing(doc), ['sandbox']);
      const checks = byId(doc);
      assert.equal(checks['org']!.status, 'ok');
      assert.match(checks['sandbox']!.detail, /has no sandbox "nosuch"/);
      assert.match(checks['sandbox']!.fix!, /Check the name \(AEP_SANDBOX \/ --sandbox/);
      assert.equal(checks['tenant']!.status, 'skip');
    });
  });

  it("a connection spec missing from the org: that preset check fails, the flow spec's still passes", async () => {
    await h.withWorker(async (tq) => {
      // The org is not provisioned for the spec: Flow Service answers its GET with a 404, as the onboarding's own
      // pre-write check sees it.
      await h.emu.control.spec('connectionSpecs', CHATLIO_CONNECTION_SPEC_ID, { provisioned: false });
      try {
        const r = await cli('doctor', '--task-queue', tq, '--json');
        assert.equal(r.code, 1, r.out);
        const doc = r.json<DoctorReport>();
        assert.deepEqual(failing(doc), ['preset:chatlio:connection-spec']);
        const check = byId(doc)['preset:chatlio:connection-spec']!;
        assert.match(
          check.detail,
          new RegExp(`the org has no connection spec ${CHATLIO_CONNECTION_SPEC_ID}`),
        );
        assert.match(check.fix!, /Chatlio source is not available to this org or sandbox/);
        assert.equal(byId(doc)['preset:chatlio:flow-spec']!.status, 'ok');
      } finally {
        await h.emu.control.reset();
      }
    });
  });

  it('no worker polling the task queue: the worker check fails and says how to start one', async () => {
    const tq = uniqueName('nobody-polls');
    const r = await cli('doctor', '--task-queue', tq, '--json');
    assert.equal(r.code, 1, r.out);
    const doc = r.json<DoctorReport>();
    assert.deepEqual(failing(doc), ['temporal-worker']);
    const check = byId(doc)['temporal-worker']!;
    assert.match(check.detail, new RegExp(`no worker polls task queue "${tq}"`));
    assert.match(check.fix!, new RegExp(`'npm run worker' with TEMPORAL_TASK_QUEUE=${tq}`));
  });

  it('a missing AEP setting is a configuration error (exit 2); --deep needs a named, non-production sandbox', async () => {
    const secret = process.env.AEP_CLIENT_SECRET;
    delete process.env.AEP_CLIENT_SECRET;
    try {
      const r = await cli('doctor');
      assert.equal(r.code, 2);
      assert.match(r.err, /missing AEP_CLIENT_SECRET/);
    } finally {
      process.env.AEP_CLIENT_SECRET = secret;
    }
    const unnamed = await cli('doctor', '--deep');
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.err, /name the sandbox it may use with --sandbox/);
    const unwritable = await cli('doctor', '--record', path.join(dir, 'no', 'such', 'dir', 'x.json'));
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.err, /--record: cannot write/);
    const prod = await cli('doctor', '--deep', '--sandbox', 'prod');
    assert.equal(prod.code, 2);
    assert.match(prod.err, /refuses the production sandbox "prod".*--allow-prod/);
    assert.deepEqual(await resourcesIn(h.emu, 'prod'), {}, 'nothing created');
  });

  it('--deep onboards in the sandbox, reads everything back, tears it down, and records shapes without ids', async () => {
    const file = path.join(dir, 'shapes.json');
    await h.withWorker(async (tq) => {
      const r = await cli(
        'doctor',
        '--deep',
        '--sandbox',
        'dev',
        '--task-queue',
        tq,
        '--record',
        file,
        '--json',
      );
      assert.equal(r.code, 0, r.out + r.err);
      const doc = r.json<DoctorReport>();
      assert.equal(doc.deep?.status, 'completed', JSON.stringify(doc.deep));
      assert.match(doc.deep.teardown ?? '', /^torn down/);
      assert.deepEqual(
        doc.deep.readBack.map((x) => `${x.resource} ${x.status}`),
        [
          'sourceConnection 200',
          'targetConnection 200',
          'flow 200',
          'dataset 200',
          'schema 200',
          'fieldGroup 200',
          'mappingSet 200',
          'runs 200',
          'run 200',
        ],
      );
      assert.deepEqual(await resourcesIn(h.emu, 'dev'), {}, 'the teardown left nothing');

      const result = (await h.env.client.workflow
        .getHandle(doc.deep.workflowId!)
        .result()) as OnboardingResult;
      const text = readFileSync(file, 'utf8');
      const recording = JSON.parse(text) as ShapeRecording;
      assert.equal(doc.record?.operations, recording.operations.length);
      const ops = recording.operations.map((o) => `${o.operation} ${o.status}`);
      for (const op of [
        'GET /data/foundation/sandbox-management/sandboxes/{sandbox} 200',
        'GET /data/foundation/schemaregistry/stats 200',
        'GET /data/foundation/flowservice/flows/{flowId} 200',
        'GET /data/foundation/catalog/dataSets/{datasetId} 200',
        'GET /data/foundation/schemaregistry/tenant/schemas/{schemaAltId} 200',
        'GET /data/foundation/conversion/mappingSets/{mappingSetId} 200',
        'GET /data/foundation/flowservice/runs/{runId} 200',
      ])
        assert.ok(ops.includes(op), `${op} in ${ops.join('\n')}`);
      for (const [name, value] of Object.entries({ ...result.ids }))
        assert.ok(!text.includes(value), `the file holds the ${name} ${value}`);
      assert.ok(!text.includes(h.emu.options.orgId), 'no org id');
      assert.doesNotMatch(text, /Doctor check|Chatlio chat events/, 'no names');

      // The emulator's own recording compares clean.
      const out: string[] = [];
      assert.equal(await compareMain([file], (t) => out.push(t)), 0, out.join('\n'));
      assert.match(out.join('\n'), /All \d+ operation\(s\) match\./);

      // A doctored file: a key the emulator lacks, a type changed, a key removed.
      const flowOp = recording.operations.find((o) => o.operation.endsWith('/flows/{flowId}'))!;
      assert.ok(typeof flowOp.response === 'object' && 'object' in flowOp.response);
      const items = flowOp.response.object['items'];
      assert.ok(items && typeof items === 'object' && 'array' in items && items.array);
      const flow = items.array;
      assert.ok(typeof flow === 'object' && 'object' in flow);
      flow.object['realOnlyField'] = 'string';
      flow.object['name'] = 'number';
      delete flow.object['etag'];
      const doctored = path.join(dir, 'doctored.json');
      writeFileSync(doctored, JSON.stringify(recording));
      const diff: string[] = [];
      assert.equal(await compareMain([doctored], (t) => diff.push(t)), 1);
      const report = diff.join('\n');
      assert.match(
        report,
        /✗ GET \/data\/foundation\/flowservice\/flows\/\{flowId\} \(200\): 3 difference\(s\)/,
      );
      assert.match(
        report,
        /missing \$\.items\[\]\.realOnlyField \(string\): AEP sends it, the emulator does not/,
      );
      assert.match(report, /type {4}\$\.items\[\]\.name: AEP number, emulator string/);
      assert.match(report, /extra {3}\$\.items\[\]\.etag \(string\): the emulator sends it, AEP did not/);
      assert.match(report, /1 of \d+ operation\(s\) differ\./);
    });
  });
});
