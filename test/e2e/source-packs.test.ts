// Each new source pack onboards on real parts (dev server, emulator over HTTP, real worker): started from our CLI
// (Pendo, Customer.io) or from the stock Temporal CLI (Shopify), every sample event type posted to the webhook URL
// lands mapped in the dataset (_id, timestamp, the identity field, the source's fields), and `verify` passes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AepError } from '../../src/aep';
import { EXIT } from '../../src/cli/main';
import type { SourceListing } from '../../src/cli/sources-command';
import { getPath } from '../../src/emulator/logic/mapping';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  CUSTOMERIO_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  HTTP_API_CONNECTION_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { customerioSamples } from '../../src/shared/presets/customerio-samples';
import { pendoSamples } from '../../src/shared/presets/pendo-samples';
import { shopifySamples } from '../../src/shared/presets/shopify-samples';
import { cli, type ResultDoc, type VerifyDoc } from '../support/cli';
import { useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';
import { onboardingStartArgs, temporalCli, temporalCliPath } from '../support/temporal-cli';

const FIXTURE_PRESETS = path.join(__dirname, '..', 'fixtures', 'presets');

describe('source packs: Pendo, Customer.io, Shopify Streaming', { timeout: 240_000 }, () => {
  const h = useHarness({ cliEnv: {} });
  before(() => {
    assert.ok(temporalCliPath(), 'no Temporal CLI: run `npm run temporal:install`');
  });

  /** Posts every sample to the webhook and returns the dataset's records, mapped, one per sample. */
  async function postAll(
    result: OnboardingResult,
    samples: Record<string, object>,
  ): Promise<Map<string, Record<string, unknown>>> {
    for (const [kind, body] of Object.entries(samples)) {
      const r = await fetch(result.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 200, `${kind}: ${await r.text()}`);
    }
    const state = await h.emu.control.state();
    const tenant = state.tenants.find((t) => t.org === h.emu.options.orgId && t.sandbox === 'prod')!;
    const rows = (tenant.records[result.ids.datasetId] ?? []) as Array<Record<string, unknown>>;
    const kinds = Object.keys(samples);
    assert.equal(rows.length, kinds.length, 'one record per sample type');
    for (const row of rows) {
      assert.equal(typeof row._id, 'string', JSON.stringify(row));
      assert.ok(!Number.isNaN(Date.parse(row.timestamp as string)), `timestamp: ${JSON.stringify(row)}`);
    }
    // The inlet keeps arrival order: record i is sample i.
    return new Map(kinds.map((k, i) => [k, rows[i]!]));
  }

  const field = (row: Record<string, unknown> | undefined, p: string): unknown =>
    getPath(row, `_${h.emu.options.tenantId}.${p}`);

  async function verifies(ref: string, source: string, tq: string, samples: object): Promise<void> {
    const v = await cli('verify', ref, '--source', source, '--task-queue', tq, '--json');
    assert.equal(v.code, EXIT.ok, v.out);
    assert.deepEqual(v.json<VerifyDoc>().verify.landed, Object.keys(samples));
  }

  it('Pendo from `aep-onboard start --source pendo`: track, guide, poll and NPS events land mapped', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const start = await cli('start', 'Pendo events', '--source', 'pendo', '--task-queue', tq, '--json');
      assert.equal(start.code, EXIT.ok, start.out);
      const { result } = start.json<ResultDoc>();
      const rows = await postAll(result, pendoSamples);
      for (const [kind, sample] of Object.entries(pendoSamples)) {
        const row = rows.get(kind);
        assert.equal(row?._id, sample.uniqueId, `${kind}: _id is Pendo's event id`);
        assert.equal(field(row, 'pendo.visitorId'), sample.visitorId, `${kind}: identity`);
        assert.equal(field(row, 'pendo.event'), sample.event);
        assert.equal(field(row, 'pendo.eventTime'), sample.timestamp);
        assert.equal(field(row, 'pendo.app.id'), sample.app.id);
      }
      assert.equal(
        field(rows.get('trackEvent'), 'pendo.track.name'),
        pendoSamples.trackEvent.properties.trackEventName,
      );
      assert.equal(
        field(rows.get('guideDisplayed'), 'pendo.guide.name'),
        pendoSamples.guideDisplayed.properties.guideProperties.name,
      );
      assert.equal(field(rows.get('npsSubmitted'), 'pendo.poll.response'), '9', 'a numeric answer as text');
      await verifies('Pendo events', 'pendo', tq, pendoSamples);
    });
  });

  it('Customer.io from `aep-onboard start --source customerio`: customer, email, push and SMS activity', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const start = await cli(
        'start',
        'Cio activity',
        '--source',
        'customerio',
        '--task-queue',
        tq,
        '--json',
      );
      assert.equal(start.code, EXIT.ok, start.out);
      const { result } = start.json<ResultDoc>();
      const rows = await postAll(result, customerioSamples);
      for (const [kind, sample] of Object.entries(customerioSamples)) {
        const row = rows.get(kind);
        assert.equal(row?._id, sample.event_id, `${kind}: _id is the event_id`);
        assert.equal(
          field(row, 'customerio.customer.email'),
          sample.data.identifiers.email,
          `${kind}: identity`,
        );
        assert.deepEqual(
          [field(row, 'customerio.objectType'), field(row, 'customerio.metric')],
          [sample.object_type, sample.metric],
        );
        assert.equal(field(row, 'customerio.customer.cioId'), sample.data.identifiers.cio_id);
      }
      assert.equal(
        field(rows.get('emailClicked'), 'customerio.delivery.href'),
        customerioSamples.emailClicked.data.href,
      );
      assert.equal(
        field(rows.get('smsSent'), 'customerio.delivery.recipient'),
        customerioSamples.smsSent.data.recipient,
      );
      await verifies('Cio activity', 'customerio', tq, customerioSamples);
    });
  });

  it('Shopify from `temporal workflow start`: order, checkout and customer topics land mapped', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (tq) => {
      const workflowId = uniqueName('onboard-shopify');
      const input = { source: 'shopify', name: 'Shop orders' };
      const start = await temporalCli(h, ...onboardingStartArgs(tq, workflowId, input));
      assert.equal(start.code, 0, start.stderr);
      const res = await temporalCli(h, 'workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
      assert.equal(res.code, 0, res.stderr);
      const { status, result } = JSON.parse(res.stdout) as { status: string; result: OnboardingResult };
      assert.equal(status, 'COMPLETED');
      const rows = await postAll(result, shopifySamples);
      for (const [kind, sample] of Object.entries(shopifySamples)) {
        const row = rows.get(kind);
        assert.equal(field(row, 'shopify.email'), sample.email, `${kind}: identity`);
        assert.equal(field(row, 'shopify.id'), String(sample.id), `${kind}: the numeric id as text`);
        assert.equal(
          Date.parse(row!.timestamp as string),
          Date.parse(sample.updated_at),
          `${kind}: timestamp`,
        );
      }
      const order = rows.get('orderCreated');
      assert.equal(field(order, 'shopify.totalPrice'), 47200, 'a money string as a number');
      assert.equal(field(order, 'shopify.customer.id'), String(shopifySamples.orderCreated.customer.id));
      assert.equal(
        field(rows.get('checkoutCreated'), 'shopify.checkout.token'),
        shopifySamples.checkoutCreated.token,
      );
      assert.equal(field(rows.get('customerCreated'), 'shopify.account.ordersCount'), 0);
      await verifies(workflowId, 'shopify', tq, shopifySamples);
    });
  });

  // Each pack the other way too: Pendo and Customer.io from `temporal workflow start`, Shopify from the CLI. Every
  // sample type lands with its identity; the field-by-field checks are above.
  const otherWay = [
    { source: 'pendo', samples: pendoSamples, via: 'temporal', identity: 'pendo.visitorId' },
    {
      source: 'customerio',
      samples: customerioSamples,
      via: 'temporal',
      identity: 'customerio.customer.email',
    },
    { source: 'shopify', samples: shopifySamples, via: 'cli', identity: 'shopify.email' },
  ] as const;
  for (const pack of otherWay) {
    it(`${pack.source} from ${pack.via === 'cli' ? '`aep-onboard start`' : '`temporal workflow start`'}: every sample type lands with its identity`, async () => {
      await h.emu.control.reset();
      await h.withWorker(async (tq) => {
        const name = `${pack.source} the other way`;
        let result: OnboardingResult;
        if (pack.via === 'cli') {
          const start = await cli('start', name, '--source', pack.source, '--task-queue', tq, '--json');
          assert.equal(start.code, EXIT.ok, start.out);
          result = start.json<ResultDoc>().result;
        } else {
          const workflowId = uniqueName(`onboard-${pack.source}`);
          const start = await temporalCli(
            h,
            ...onboardingStartArgs(tq, workflowId, { source: pack.source, name }),
          );
          assert.equal(start.code, 0, start.stderr);
          const res = await temporalCli(
            h,
            'workflow',
            'result',
            '--workflow-id',
            workflowId,
            '--output',
            'json',
          );
          assert.equal(res.code, 0, res.stderr);
          const done = JSON.parse(res.stdout) as { status: string; result: OnboardingResult };
          assert.equal(done.status, 'COMPLETED');
          result = done.result;
        }
        const rows = await postAll(result, pack.samples);
        for (const kind of Object.keys(pack.samples))
          assert.ok(
            field(rows.get(kind), pack.identity),
            `${pack.source} ${kind}: identity ${pack.identity}`,
          );
      });
    });
  }

  describe('aep-onboard sources', () => {
    let saved: string | undefined;
    before(() => {
      saved = process.env.AEP_PRESET_DIRS;
      process.env.AEP_PRESET_DIRS = FIXTURE_PRESETS;
    });
    after(() => {
      if (saved === undefined) delete process.env.AEP_PRESET_DIRS;
      else process.env.AEP_PRESET_DIRS = saved;
    });

    it('lists the four packs and a user preset file, each with its origin, event types and identity', async () => {
      const r = await cli('sources', '--json');
      assert.equal(r.code, EXIT.ok, r.err);
      const list = r.json<SourceListing[]>();
      assert.deepEqual(
        list.map((s) => [s.id, s.origin.kind, s.connectionSpecId]),
        [
          ['chatlio', 'built-in', CHATLIO_CONNECTION_SPEC_ID],
          ['customerio', 'built-in', CUSTOMERIO_CONNECTION_SPEC_ID],
          ['http-api', 'built-in', HTTP_API_CONNECTION_SPEC_ID],
          ['pendo', 'built-in', PENDO_CONNECTION_SPEC_ID],
          ['shopify', 'built-in', SHOPIFY_STREAMING_CONNECTION_SPEC_ID],
          ['acme-webhook', 'user', HTTP_API_CONNECTION_SPEC_ID],
        ],
      );
      const acme = list.find((s) => s.id === 'acme-webhook')!;
      assert.equal(acme.origin.path, path.join(FIXTURE_PRESETS, 'acme-webhook.preset.json'));
      assert.deepEqual([acme.eventTypes, acme.identity], [['orderPlaced'], null]);
      const pendo = list.find((s) => s.id === 'pendo')!;
      assert.deepEqual(pendo.eventTypes, Object.keys(pendoSamples));
      assert.deepEqual(pendo.identity, { path: '_{TENANT}.pendo.visitorId', namespace: 'PendoVisitorId' });
      assert.match(pendo.origin.path, /src[/\\]presets[/\\]pendo\.preset\.ts$/);

      const human = await cli('sources');
      assert.match(human.out, /^shopify {2}Shopify Streaming {2}\(built-in pack\)$/m);
      assert.ok(human.out.includes(`user preset ${acme.origin.path}`), human.out);
      assert.match(human.out, /identity {9}_\{TENANT\}\.customerio\.customer\.email \(Email\)/);
    });
  });

  it('the emulator takes the four webhook connection specs, and refuses an unknown one as AEP does', async () => {
    await h.emu.control.reset();
    const flowSpec = await h.aep.flowService.getFlowSpec(GENERIC_STREAMING_FLOW_SPEC_ID);
    const specs = [
      CHATLIO_CONNECTION_SPEC_ID,
      PENDO_CONNECTION_SPEC_ID,
      CUSTOMERIO_CONNECTION_SPEC_ID,
      SHOPIFY_STREAMING_CONNECTION_SPEC_ID,
    ];
    const listed = flowSpec.sourceConnectionSpecIds as string[] | undefined;
    for (const id of specs) {
      assert.ok(listed?.includes(id), `GenericStreamingAEP lists ${id}`);
      assert.equal((await h.aep.flowService.getConnectionSpec(id)).id, id);
    }
    const create = (id: string) =>
      h.aep.flowService.create('sourceConnections', {
        name: `spec ${id}`,
        providerId: STREAMING_PROVIDER_ID,
        connectionSpec: { id, version: '1.0' },
        data: { format: 'json' },
      });
    for (const id of specs) assert.ok((await create(id)).id);
    // A well-formed id of no spec (a Pendo id with one digit changed).
    await assert.rejects(create('6ff5654f-19d5-427d-bd3e-c0ebc802389b'), (e: unknown) => {
      assert.ok(e instanceof AepError, String(e));
      assert.deepEqual([e.status, e.code], [400, 'FLOW-1413-400']);
      return true;
    });
  });
});
