// `aep-onboard preset new --from-sample` on real parts: Data Prep (the emulator over HTTP) checks the proposed
// mappings before the file is written; the written preset, found through AEP_PRESET_DIRS, onboards on a real worker
// and `verify` lands every sample mapped. Data Prep refusing a mapping writes nothing; an existing file needs --force.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT } from '../../src/cli/main';
import type { MappingVerdict, PresetNewDoc } from '../../src/cli/preset-command';
import type { SourceListing } from '../../src/cli/sources-command';
import { getPath } from '../../src/emulator/logic/mapping';
import { PresetRegistry } from '../../src/presets/registry';
import {
  HTTP_API_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
} from '../../src/shared/aep-constants';
import { pendoSamples } from '../../src/shared/presets/pendo-samples';
import { cli, useCliEnv, type CliErrorDoc, type ResultDoc, type VerifyDoc } from '../support/cli';
import { useHarness } from '../support/onboarding';

describe('preset new --from-sample', { timeout: 240_000 }, () => {
  const h = useHarness();
  let dir: string;
  let undoEnv: () => void;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'preset-new-'));
    // The CLI's own AEP credentials: Data Prep is asked from the CLI, before any worker sees the preset.
    undoEnv = useCliEnv(h, {
      AEP_PLATFORM_URL: h.emu.url,
      AEP_IMS_URL: h.emu.url,
      AEP_CLIENT_ID: h.emu.options.clientId,
      AEP_CLIENT_SECRET: h.emu.options.clientSecret,
    });
  });
  after(() => {
    undoEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  const sampleFile = (name: string, body: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(body));
    return file;
  };

  it("from Pendo's samples: Data Prep accepts it, `sources` lists it, it onboards and verify lands every sample", async (t) => {
    await h.emu.control.reset();
    const out = path.join(dir, 'presets');
    const file = sampleFile('pendo-events.json', Object.values(pendoSamples));
    const made = await cli(
      'preset',
      'new',
      '--from-sample',
      file,
      '--name',
      'Pendo inferred',
      '--out',
      out,
      '--json',
    );
    assert.equal(made.code, EXIT.ok, made.out + made.err);
    const doc = made.json<PresetNewDoc>();
    assert.equal(doc.validation, 'data-prep');
    assert.equal(doc.file, path.join(out, 'pendo-inferred.preset.json'));
    assert.equal(doc.preset.connectionSpec.id, HTTP_API_CONNECTION_SPEC_ID, 'the HTTP API source by default');
    assert.deepEqual(
      [doc.inferred.eventId, doc.inferred.timestamp],
      ['uniqueId', 'now()'],
      "Pendo's event id; its time is epoch seconds, not a date-time",
    );
    assert.deepEqual(doc.inferred.identity, {
      path: '_{TENANT}.pendoInferred.visitorId',
      namespace: 'PendoInferredVisitorId',
    });
    assert.deepEqual(JSON.parse(readFileSync(doc.file, 'utf8')), doc.preset);

    const savedDirs = process.env.AEP_PRESET_DIRS;
    // Files that share this process run after it (scripts/run-tests.mjs): put the variable back.
    t.after(() => {
      if (savedDirs === undefined) delete process.env.AEP_PRESET_DIRS;
      else process.env.AEP_PRESET_DIRS = savedDirs;
    });
    process.env.AEP_PRESET_DIRS = out;
    const listed = await cli('sources', '--json');
    assert.equal(listed.code, EXIT.ok, listed.err);
    const mine = listed.json<SourceListing[]>().find((s) => s.id === 'pendo-inferred');
    assert.deepEqual(mine?.eventTypes, ['track', 'guideDisplayed', 'pollSubmitted', 'npsSubmitted']);
    assert.equal(mine.origin.kind, 'user');

    const workerPresets = PresetRegistry.fromEnv({ AEP_PRESET_DIRS: out });
    await h.withWorker(async (tq) => {
      const start = await cli(
        'start',
        'Inferred Pendo',
        '--source',
        'pendo-inferred',
        '--task-queue',
        tq,
        '--json',
      );
      assert.equal(start.code, EXIT.ok, start.out);
      const { result } = start.json<ResultDoc>();
      const v = await cli(
        'verify',
        'Inferred Pendo',
        '--source',
        'pendo-inferred',
        '--task-queue',
        tq,
        '--json',
      );
      assert.equal(v.code, EXIT.ok, v.out);
      assert.deepEqual(v.json<VerifyDoc>().verify.landed, Object.keys(doc.preset.samples));
      // The records verify landed carry the samples' values where the inference put them.
      const state = await h.emu.control.state();
      const tenant = state.tenants.find((t) => t.org === h.emu.options.orgId && t.sandbox === 'prod')!;
      const rows = (tenant.records[result.ids.datasetId] ?? []) as Array<Record<string, unknown>>;
      const ns = `_${h.emu.options.tenantId}.pendoInferred`;
      const ids = new Set(rows.map((r) => r._id));
      for (const sample of Object.values(pendoSamples)) {
        assert.ok(ids.has(sample.uniqueId), `${sample.uniqueId} landed with its own _id`);
        const row = rows.find((r) => r._id === sample.uniqueId)!;
        assert.equal(getPath(row, `${ns}.visitorId`), sample.visitorId);
        assert.equal(getPath(row, `${ns}.app.name`), sample.app.name);
      }
    }, workerPresets);
  });

  it('an existing file is kept without --force', async () => {
    const out = path.join(dir, 'again');
    const file = sampleFile('order.json', { orderId: 'A-1', total: 3.5, buyer: { email: 'a@example.com' } });
    const args = ['preset', 'new', '--from-sample', file, '--name', 'Shop', '--out', out, '--offline'];
    assert.equal((await cli(...args)).code, EXIT.ok);
    writeFileSync(path.join(out, 'shop.preset.json'), '{"kept": true}');
    const refused = await cli(...args);
    assert.equal(refused.code, EXIT.usage);
    assert.match(refused.err, /exists: pass --force/);
    assert.equal(readFileSync(path.join(out, 'shop.preset.json'), 'utf8'), '{"kept": true}');
    // Several files merge their event types; --connection-spec names the Streaming SDK source.
    const refund = sampleFile('refund.json', { orderId: 'A-1', refunded: 3.5, reason: 'late' });
    const forced = await cli(
      ...args,
      '--from-sample',
      refund,
      '--connection-spec',
      SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
      '--force',
      '--json',
    );
    assert.equal(forced.code, EXIT.ok, forced.err);
    assert.match(forced.err, /--offline/, 'warns that Data Prep was not asked');
    const written = JSON.parse(
      readFileSync(path.join(out, 'shop.preset.json'), 'utf8'),
    ) as PresetNewDoc['preset'];
    assert.deepEqual(Object.keys(written.samples), ['order', 'refund']);
    assert.equal(written.connectionSpec.id, SHOPIFY_STREAMING_CONNECTION_SPEC_ID);
    assert.deepEqual(Object.keys(written.fieldGroup.fields), [
      'orderId',
      'total',
      'buyer',
      'refunded',
      'reason',
    ]);
    assert.equal(forced.json<PresetNewDoc>().validation, 'skipped');
  });

  it('Data Prep refusing a mapping stops before anything is written', async () => {
    const out = path.join(dir, 'refused');
    // A key with a period: Data Prep reads `user.name` as a path, which the sample does not have.
    const file = sampleFile('dotted.json', { 'user.name': 'Ann', email: 'ann@example.com' });
    const r = await cli('preset', 'new', '--from-sample', file, '--name', 'Dotted', '--out', out, '--json');
    assert.equal(r.code, EXIT.usage, r.out);
    const err = r.json<CliErrorDoc<{ refused: MappingVerdict[] }>>();
    assert.deepEqual(
      err.details.refused.map((v) => [v.source, v.destination]),
      [['user.name', '_{TENANT}.dotted.user_name']],
    );
    assert.match(err.error, /Data Prep refused 1 of 4 mapping\(s\); nothing written/);
    assert.match(err.details.refused[0]!.errors.join(), /Source path user\.name not found/);
    assert.equal(existsSync(path.join(out, 'dotted.preset.json')), false);
  });
});
