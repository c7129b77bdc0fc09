// The activities over a recording fake of the AEP client, in MockActivityEnvironment: no server, no emulator.
// What is asserted is which AEP calls were made (and which were not), and the failures the activities throw.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Info } from '@temporalio/activity';
import { createActivities, type Activities } from '../../src/activities';
import { PresetRegistry } from '../../src/presets/registry';
import { CHATLIO_CONNECTION_SPEC_ID } from '../../src/shared/aep-constants';
import { runMarker } from '../../src/shared/naming';
import { aepErrors, FakeAep } from '../support/fake-aep';
import { NO_RECORDS } from '../support/records';
import { rejection } from '../support/failures';

const marker = runMarker({ workflowId: 'onboard-unit', runId: 'run-1' });
const tag = `[${marker}]`;
const presets = PresetRegistry.fromEnv({});

function setup(opts: { createSettleMs?: number } = {}) {
  const fake = new FakeAep();
  const activities = createActivities({
    aep: fake.client,
    presets,
    records: NO_RECORDS,
    createSettleMs: opts.createSettleMs ?? 300,
  });
  return { fake, activities };
}

/** Runs one activity as attempt `info.attempt` (default 1) of an activity task. */
function run<K extends keyof Activities>(
  activities: Activities,
  name: K,
  input: Parameters<Activities[K]>[0],
  info: Partial<Info> = {},
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as (i: typeof input) => Promise<Awaited<ReturnType<Activities[K]>>>;
  // The activities' own warnings ("Activity failed") are what the tests provoke: not printed.
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') }).run(fn, input);
}

const failureOf = (p: Promise<unknown>): Promise<ApplicationFailure> => rejection(p, ApplicationFailure);

const sourceInput = (name = `Support chat · Chatlio source connection ${tag}`) => ({
  sandbox: 'prod',
  marker,
  name,
  description: 'Chat events',
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: 'provider',
  dataFormat: 'json',
});

const schemaInput = (title: string) => ({
  sandbox: 'prod',
  marker,
  title,
  description: `Chat events ${tag}`,
  schemaClass: 'https://ns.adobe.com/xdm/context/experienceevent',
  fieldGroupId: 'https://ns.adobe.com/faketenant/mixins/fg',
});

describe('creates: find first on a retry, never a look-up on attempt 1 for a marked name', () => {
  it('attempt 1 with a marker-bearing name creates without looking', async () => {
    const { fake, activities } = setup();
    const out = await run(activities, 'ensureSourceConnection', sourceInput());
    assert.deepEqual(fake.methods(), ['flowService.create']);
    assert.equal(out.created, true);
    assert.equal(fake.all('sourceConnections').length, 1);
  });

  it('attempt 2 adopts the resource the first attempt created (by name and marker), without a create', async () => {
    const { fake, activities } = setup();
    const id = fake.seed('sourceConnections', { name: sourceInput().name, etag: '"e1"' });
    const out = await run(activities, 'ensureSourceConnection', sourceInput(), { attempt: 2 });
    // The attempt tells the workflow that this step may have a twin for its sweep.
    assert.deepEqual(out, { id, etag: '"e1"', created: true, attempt: 2 });
    assert.deepEqual(fake.methods(), ['flowService.listAll']);
  });

  it('attempt 2 adopts nothing of another name or another run: it creates', async () => {
    const { fake, activities } = setup();
    fake.seed('sourceConnections', { name: `Another · Chatlio source connection ${tag}` });
    fake.seed('sourceConnections', { name: sourceInput().name.replace(marker, 'aepo-0000000000000000') });
    await run(activities, 'ensureSourceConnection', sourceInput(), { attempt: 2 });
    assert.deepEqual(fake.methods(), ['flowService.listAll', 'flowService.create']);
    assert.equal(fake.all('sourceConnections').length, 3);
  });

  it('attempt 2 of a schema finds it by title, the marker being in the description (read on the full resource)', async () => {
    const { fake, activities } = setup();
    const title = 'Chat events schema';
    fake.seed('schemas', { title, description: `Chat events ${tag}` });
    const out = await run(activities, 'ensureSchema', schemaInput(title), { attempt: 2 });
    assert.equal(out.created, true);
    assert.deepEqual(fake.methods(), ['schemaRegistry.findSchemasByTitle', 'schemaRegistry.getSchema']);
    assert.equal(fake.callsOf('schemaRegistry.createSchema').length, 0);
  });
});

describe('a name a person chose that exists without the marker: NameTaken, nothing created', () => {
  it('schemaTitle', async () => {
    const { fake, activities } = setup();
    const id = fake.seed('schemas', { title: 'Chat events', description: 'made by hand' });
    const f = await failureOf(run(activities, 'ensureSchema', schemaInput('Chat events')));
    assert.equal(f.type, 'NameTaken');
    assert.equal(f.nonRetryable, true);
    assert.match(f.message, new RegExp(id.replace(/\./g, '\\.')));
    assert.equal(fake.callsOf('schemaRegistry.createSchema').length, 0);
  });

  it('datasetName', async () => {
    const { fake, activities } = setup();
    fake.seed('datasets', { name: 'Chat events', description: 'made by hand', schemaRef: { id: 's' } });
    const f = await failureOf(
      run(activities, 'ensureDataset', {
        sandbox: 'prod',
        marker,
        name: 'Chat events',
        description: `Chat events ${tag}`,
        schemaId: 's',
      }),
    );
    assert.equal(f.type, 'NameTaken');
    assert.equal(f.nonRetryable, true);
    assert.deepEqual(fake.methods(), ['catalog.findDatasetsByName']);
  });
});

describe('removes', () => {
  it('by name when the id never came back: only the marker-bearing matches are deleted', async () => {
    const { fake, activities } = setup();
    const name = 'Support chat · Chatlio dataflow';
    const ours = fake.seed('flows', { name, description: `x ${tag}` });
    const theirs = fake.seed('flows', { name, description: 'someone else' });
    const otherRun = fake.seed('flows', { name, description: 'x [aepo-0000000000000000]' });
    const out = await run(activities, 'removeFlow', { sandbox: 'prod', name, marker });
    assert.deepEqual(out, { existed: true, id: ours });
    assert.deepEqual(
      fake.callsOf('flowService.delete').map((c) => c.args),
      [['flows', ours]],
    );
    assert.deepEqual(
      fake
        .all('flows')
        .map((f) => f.id)
        .sort(),
      [theirs, otherRun].sort(),
    );
  });

  it('by name with nothing of the run there: nothing deleted, existed false', async () => {
    const { fake, activities } = setup();
    fake.seed('datasets', { name: 'Chat events', description: 'made by hand' });
    const out = await run(activities, 'removeDataset', { sandbox: 'prod', name: 'Chat events', marker });
    assert.deepEqual(out, { existed: false, id: undefined });
    assert.equal(fake.callsOf('catalog.deleteDataset').length, 0);
  });

  it('a 404 on delete is done: existed false, no failure', async () => {
    const { fake, activities } = setup();
    const out = await run(activities, 'removeDataset', { sandbox: 'prod', id: 'gone' });
    assert.deepEqual(out, { existed: false, id: 'gone' });
    assert.equal(fake.callsOf('catalog.deleteDataset')[0]?.error?.name, 'AepNotFoundError');
  });

  it('the sweep deletes the run’s duplicates of a step and keeps the one the run kept', async () => {
    const { fake, activities } = setup();
    const name = `Support chat · Chatlio dataflow ${tag}`;
    const [a, b] = [fake.seed('flows', { name }), fake.seed('flows', { name })];
    const out = await run(activities, 'sweepRun', {
      sandbox: 'prod',
      marker,
      steps: [{ step: 'flow', name, keep: a }],
    });
    assert.deepEqual(out.removed, [{ step: 'flow', id: b }]);
    assert.deepEqual(
      fake.all('flows').map((f) => f.id),
      [a],
    );
  });
});

describe('failure mapping through the activity wrapper', () => {
  const cases: Array<{
    what: string;
    error: () => Error;
    type: string;
    nonRetryable: boolean;
    nextRetryDelay?: number;
  }> = [
    { what: '400 validation', error: aepErrors.validation, type: 'AepValidationError', nonRetryable: true },
    { what: '403 permission', error: aepErrors.permission, type: 'AepPermissionError', nonRetryable: true },
    {
      what: '404 not found',
      error: () => aepErrors.notFound(),
      type: 'AepNotFoundError',
      nonRetryable: true,
    },
    { what: 'IMS credentials', error: () => aepErrors.ims(400), type: 'ImsError', nonRetryable: true },
    {
      what: '401 after renewal',
      error: aepErrors.authentication,
      type: 'AepAuthenticationError',
      nonRetryable: false,
    },
    { what: '500', error: () => aepErrors.server(500), type: 'AepServerError', nonRetryable: false },
    { what: '503', error: () => aepErrors.server(503), type: 'AepServerError', nonRetryable: false },
    { what: 'network', error: () => aepErrors.network(), type: 'AepNetworkError', nonRetryable: false },
    {
      what: '429 with Retry-After: 7',
      error: () => aepErrors.rateLimited(7),
      type: 'AepRateLimitError',
      nonRetryable: false,
      nextRetryDelay: 7_000,
    },
    {
      what: 'an unexpected error',
      error: () => new TypeError('boom'),
      type: 'UnexpectedActivityError',
      nonRetryable: false,
    },
  ];
  for (const c of cases) {
    it(`${c.what} -> ${c.type}, ${c.nonRetryable ? 'non-retryable' : 'retryable'}`, async () => {
      const { fake, activities } = setup();
      fake.fail('schemaRegistry.getStats', c.error);
      const f = await failureOf(run(activities, 'getTenant', { sandbox: 'prod' }));
      assert.equal(f.type, c.type);
      assert.equal(f.nonRetryable, c.nonRetryable);
      assert.equal(f.nextRetryDelay, c.nextRetryDelay);
    });
  }

  it('a failed tenant read is not remembered: the next call reads again', async () => {
    const { fake, activities } = setup();
    fake.fail('schemaRegistry.getStats', () => aepErrors.server(503));
    await failureOf(run(activities, 'getTenant', { sandbox: 'prod' }));
    assert.deepEqual(await run(activities, 'getTenant', { sandbox: 'prod' }), { tenantId: fake.tenantId });
    await run(activities, 'getTenant', { sandbox: 'prod' });
    assert.equal(fake.callsOf('schemaRegistry.getStats').length, 2);
  });
});

describe('a retried create whose earlier attempt sent its create recently', () => {
  it('waits for the earlier create to land and adopts it instead of creating a second one', async () => {
    const { fake, activities } = setup({ createSettleMs: 300 });
    const input = sourceInput();
    // The earlier attempt's create lands just after this attempt's first (empty) look-up.
    let landed = false;
    fake.after('flowService.listAll', () => {
      if (landed) return;
      landed = true;
      fake.seed('sourceConnections', { name: input.name, etag: '"late"' });
    });
    const out = await run(activities, 'ensureSourceConnection', input, {
      attempt: 2,
      heartbeatDetails: { createSentAt: Date.now() },
    });
    assert.equal(out.etag, '"late"');
    assert.equal(fake.callsOf('flowService.create').length, 0);
    assert.equal(fake.all('sourceConnections').length, 1);
    assert.ok(fake.callsOf('flowService.listAll').length >= 2);
  });

  it('past the settle time an empty look-up is trusted: it creates at once', async () => {
    const { fake, activities } = setup({ createSettleMs: 300 });
    await run(activities, 'ensureSourceConnection', sourceInput(), {
      attempt: 2,
      heartbeatDetails: { createSentAt: Date.now() - 60_000 },
    });
    assert.deepEqual(fake.methods(), ['flowService.listAll', 'flowService.create']);
  });

  it('a create whose answer was lost is found by the next attempt', async () => {
    const { fake, activities } = setup();
    fake.fail('flowService.create', () => aepErrors.network(), { landFirst: true });
    const first = await failureOf(run(activities, 'ensureSourceConnection', sourceInput()));
    assert.equal(first.nonRetryable, false);
    const out = await run(activities, 'ensureSourceConnection', sourceInput(), { attempt: 2 });
    assert.equal(out.id, fake.all('sourceConnections')[0]?.id);
    assert.equal(fake.all('sourceConnections').length, 1);
    assert.equal(fake.callsOf('flowService.create').length, 1);
  });
});
