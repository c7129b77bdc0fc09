// The onboarding workflow on the time-skipping test server, with a recording activity layer typed `Activities`:
// every activity is the real one over the in-memory AEP fake unless a test scripts it (fail, block, gate).
// Hours of retry backoff cost no wall time; assertions are on calls and results, never on wall time.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities';
import { PresetRegistry } from '../../src/presets/registry';
import type { OnboardingProgress } from '../../src/shared/onboarding';
import { getProgressQuery, onboardStreamingSource } from '../../src/workflows/onboarding';
import { FakeAep } from '../support/fake-aep';
import { assertNewestFirst, workflowBundle, installQuietRuntime } from '../support/onboarding';
import { createTimeSkippingEnv, uniqueName } from '../support/temporal';
import { NO_RECORDS } from '../support/records';
import { rejection } from '../support/failures';
import { CHATLIO_CONNECTION_SPEC_ID, GENERIC_STREAMING_FLOW_SPEC_ID } from '../../src/shared/aep-constants';

/** The type of the innermost ApplicationFailure of a workflow failure (the activity's own). */
function innerType(err: unknown): string | undefined {
  let type: string | undefined;
  for (let e: unknown = err, i = 0; e instanceof Error && i < 6; e = e.cause, i++)
    if (e instanceof ApplicationFailure && e.type) type = e.type;
  return type;
}

type Name = keyof Activities;
type Script = (input: unknown, attempt: number, real: () => Promise<unknown>) => Promise<unknown>;

/** One test's activities: the real ones over a FakeAep, recorded, some replaced by scripts. */
class FakeActivities {
  readonly aep = new FakeAep();
  readonly calls: Array<{ name: Name; attempt: number; input: unknown }> = [];
  readonly scripts: Partial<Record<Name, Script>> = {};
  /** Resolves once a script made by scriptAfterOthers starts doing what it was scripted to. */
  readonly reached: Promise<void>;
  reachedScript!: () => void;
  /** The run these fakes serve, once started. */
  handle!: Promise<WorkflowHandleWithFirstExecutionRunId<typeof onboardStreamingSource>>;
  private readonly real = createActivities({
    aep: this.aep.client,
    presets: PresetRegistry.fromEnv({}),
    records: NO_RECORDS,
    // Nothing the fake does lands late, so an undo never needs to wait for a create it cancelled.
    createSettleMs: 0,
  });
  private readonly waiters = new Map<Name, Array<() => void>>();

  constructor() {
    this.reached = new Promise((resolve) => (this.reachedScript = resolve));
  }

  /** Resolves once `name` has completed (successfully) once. */
  completed(name: Name): Promise<void> {
    if (this.calls.some((c) => c.name === name && (c as { done?: boolean }).done)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(name, [...(this.waiters.get(name) ?? []), resolve]));
  }

  /** Resolves once `name` has been entered. */
  entered(name: Name): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.calls.some((c) => c.name === name) ? resolve() : setTimeout(check, 10));
      check();
    });
  }

  undos(): Name[] {
    return this.calls.map((c) => c.name).filter((n) => n.startsWith('remove'));
  }

  attempts(name: Name): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  readonly activities: Activities = Object.fromEntries(
    (Object.keys(this.real) as Name[]).map((name) => [
      name,
      async (input: unknown) => {
        const call = { name, attempt: Context.current().info.attempt, input, done: false };
        this.calls.push(call);
        const realFn = (this.real as Record<Name, (i: unknown) => Promise<unknown>>)[name];
        const real = () => realFn(input);
        const script = this.scripts[name];
        const out = script ? await script(input, call.attempt, real) : await real();
        call.done = true;
        for (const w of this.waiters.get(name) ?? []) w();
        this.waiters.delete(name);
        return out;
      },
    ]),
  ) as Activities;
}

/** Blocks until the activity is cancelled (heartbeats so that the cancellation reaches it). */
async function untilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(20);
  }
}

const boom = () => ApplicationFailure.nonRetryable('scripted failure', 'Boom');

const CREATE: Record<string, Name> = {
  tenant: 'getTenant',
  fieldGroup: 'ensureFieldGroup',
  schema: 'ensureSchema',
  dataset: 'ensureDataset',
  mappingSet: 'ensureMappingSet',
  sourceConnection: 'ensureSourceConnection',
  targetConnection: 'ensureTargetConnection',
  flow: 'ensureFlow',
  inletUrl: 'getInletUrl',
};
/** Undos are registered before each create (sourceConnection runs beside the chain, first). */
const REGISTERED: Array<[string, Name]> = [
  ['sourceConnection', 'removeSourceConnection'],
  ['fieldGroup', 'removeFieldGroup'],
  ['schema', 'removeSchema'],
  ['dataset', 'removeDataset'],
  ['mappingSet', 'removeMappingSet'],
  ['targetConnection', 'removeTargetConnection'],
  ['flow', 'removeFlow'],
];
/** The step each undo activity belongs to. */
const stepOf = new Map<string, string>([
  ...REGISTERED.map(([s, undo]) => [undo, s] as const),
  ['removeBaseConnection', 'baseConnection'],
]);
/** The undos a run that stops at `step` calls, newest first (test/support/onboarding.ts assertNewestFirst). */
function assertUndos(actual: Name[], step: string): void {
  const upTo: Record<string, number> = {
    tenant: 0, // read with the spec check, before the first create
    fieldGroup: 2,
    schema: 3,
    dataset: 5, // the mapping set runs beside the dataset: registered too
    mappingSet: 6, // the target connection follows the dataset without waiting for the mapping set
    sourceConnection: 6, // the scripts hold it until the chain reached the target connection
    targetConnection: 6,
    flow: 7,
    inletUrl: 7,
  };
  assertNewestFirst(
    actual.map((undo) => stepOf.get(undo) ?? undo),
    REGISTERED.slice(0, upTo[step]).map(([s]) => s),
  );
}

/** Steps run as local activities: they hold the workflow task open while they run. */
const LOCAL = new Set(['tenant', 'inletUrl']);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueName('unit-wf');
let current: FakeActivities;

/**
 * A fresh time-skipping server and worker per suite: after some runs (queries sent while activities run, a long
 * retry) this server stops skipping time for the next run, so each test that needs minutes of workflow time gets
 * a server of its own.
 */
function useTimeSkippingWorker(): void {
  before(async () => {
    installQuietRuntime();
    env = await createTimeSkippingEnv();
    // Every activity call goes to the current test's fakes.
    const route = Object.fromEntries(
      (Object.keys(new FakeActivities().activities) as Name[]).map((name) => [
        name,
        (input: unknown) => (current.activities[name] as (i: unknown) => Promise<unknown>)(input),
      ]),
    ) as Activities;
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: route,
      // Cancellation reaches an activity through its heartbeat response: do not throttle them for seconds.
      maxHeartbeatThrottleInterval: '50ms',
      defaultHeartbeatThrottleInterval: '50ms',
    });
    running = worker.run();
  });

  after(async () => {
    worker.shutdown();
    await running;
    await env.teardown();
  });
}

function start(fakes: FakeActivities, source = 'chatlio') {
  current = fakes;
  const handle = env.client.workflow.start(onboardStreamingSource, {
    taskQueue,
    workflowId: uniqueName('onboard-unit'),
    args: [{ source, name: uniqueName('Unit'), verify: false }],
  });
  fakes.handle = handle;
  return handle;
}

const failureOf = (p: Promise<unknown>): Promise<WorkflowFailedError> => rejection(p, WorkflowFailedError);

/**
 * Scripts `step` to do `then`, once the workflow has taken in every other step's end: the progress query shows
 * none of them running (the source connection, beside the chain, also waits for the chain to reach the target
 * connection). The order is then fixed, and the cancel a failure sends to its siblings never meets an activity
 * that has completed without the server knowing yet: the time-skipping server refuses that cancel
 * (ACTIVITY_UNKNOWN) and the workflow task never completes.
 */
function scriptAfterOthers(fakes: FakeActivities, step: string, then: Script): void {
  const others = async (): Promise<boolean> => {
    const progress = await (await fakes.handle).query(getProgressQuery);
    const states = Object.entries(progress.steps).filter(([s]) => s !== step);
    if (
      (step === 'sourceConnection' || step === 'baseConnection') &&
      progress.steps.targetConnection?.state !== 'done'
    )
      return false;
    return states.every(([, p]) => p?.state !== 'running');
  };
  fakes.scripts[(CREATE[step] ?? (step === 'baseConnection' ? 'ensureBaseConnection' : undefined))!] = async (
    input,
    attempt,
    real,
  ) => {
    // A local activity holds the workflow task open, so the query would wait for it: the tenant is read before
    // anything else runs, and the inlet URL after everything else.
    if (!LOCAL.has(step)) while (!(await others())) await new Promise((r) => setTimeout(r, 20));
    fakes.reachedScript();
    return then(input, attempt, real);
  };
}

describe('onboarding workflow (time-skipping, fake activities)', { timeout: 60_000 }, () => {
  useTimeSkippingWorker();

  it('completes: every create once, no undo, and no sweep (no create was retried); the progress query says completed', async () => {
    const fakes = new FakeActivities();
    const handle = await start(fakes);
    const result = await handle.result();
    assert.match(result.webhookUrl, /x-adobe-flow-id=/);
    assert.deepEqual(fakes.undos(), []);
    for (const name of Object.values(CREATE)) assert.equal(fakes.attempts(name), 1, name);
    assert.equal(fakes.attempts('sweepRun'), 0, 'a create answered on its first attempt cannot have a twin');
    assert.equal(fakes.attempts('nameLockId'), 0, 'the lock id comes with the checked input');
    const progress = await handle.query(getProgressQuery);
    assert.equal(progress.phase, 'completed');
  });

  it('a create that returned on its second attempt is swept for, and only its step', async () => {
    const fakes = new FakeActivities();
    fakes.scripts.ensureDataset = (_input, attempt, real) =>
      attempt === 1 ? Promise.reject(ApplicationFailure.retryable('timed out', 'AepNetworkError')) : real();
    const result = await (await start(fakes)).result();
    assert.equal(fakes.attempts('ensureDataset'), 2);
    assert.equal(fakes.attempts('sweepRun'), 1);
    const sweep = fakes.calls.find((c) => c.name === 'sweepRun')!.input as {
      steps: Array<{ step: string; keep?: string }>;
    };
    assert.deepEqual(
      sweep.steps.map((s) => [s.step, s.keep]),
      [['dataset', result.ids.datasetId]],
    );
  });

  for (const step of Object.keys(CREATE)) {
    it(`a failure at ${step} undoes what was registered, newest first, then sweeps`, async () => {
      const fakes = new FakeActivities();
      scriptAfterOthers(fakes, step, () => Promise.reject(boom()));
      const err = await failureOf((await start(fakes)).result());
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'OnboardingFailed');
      assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, step);
      assertUndos(fakes.undos(), step);
      // No sweep when no create was started (the tenant is read before the first): nothing can carry the marker.
      assert.equal(fakes.attempts('sweepRun'), step === 'tenant' ? 0 : 1);
    });
  }

  // A local activity step (tenant, inlet URL) holds the workflow task open; the time-skipping server does not take a
  // cancel request meanwhile. Those two are covered by the failure cases above and the end-to-end cancel tests.
  for (const step of Object.keys(CREATE).filter((s) => !LOCAL.has(s))) {
    it(`a cancel during ${step} undoes what was registered, newest first, and ends cancelled`, async () => {
      const fakes = new FakeActivities();
      scriptAfterOthers(fakes, step, untilCancelled);
      const handle = await start(fakes);
      await fakes.reached;
      await handle.cancel();
      const err = await failureOf(handle.result());
      assert.ok(err.cause instanceof CancelledFailure, String(err.cause));
      assertUndos(fakes.undos(), step);
      const progress = await handle.query(getProgressQuery);
      assert.equal(progress.phase, 'cancelled');
    });
  }

  it('a connection spec the org does not have fails the run before any create: nothing to undo', async () => {
    const fakes = new FakeActivities();
    fakes.aep.connectionSpecs.delete(CHATLIO_CONNECTION_SPEC_ID);
    const err = await failureOf((await start(fakes)).result());
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, 'specs');
    assert.equal(innerType(err), 'SourceNotProvisioned');
    assert.match(err.cause.message, /connectionSpec\.id: connection spec 073127a3-\S+ is not provisioned/);
    assert.deepEqual(
      fakes.calls.filter((c) => /^(ensure|remove|sweep)/.test(c.name)),
      [],
    );
    assert.equal(fakes.attempts('checkSourceSpecs'), 1, 'non-retryable');
  });

  it('a flow spec that does not list the connection spec fails the run before any create', async () => {
    const fakes = new FakeActivities();
    fakes.aep.flowSpecs[GENERIC_STREAMING_FLOW_SPEC_ID]!.sourceConnectionSpecIds = ['some-other-spec'];
    const err = await failureOf((await start(fakes)).result());
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.match(err.cause.message, /flowSpec\.id: flow spec \S+ does not list connection spec 073127a3-/);
    assert.deepEqual(
      fakes.calls.filter((c) => /^(ensure|remove|sweep)/.test(c.name)),
      [],
    );
  });

  it('a mapping Data Prep refuses fails the run after the schema, before the mapping set is written', async () => {
    const fakes = new FakeActivities();
    fakes.aep.mappingVerdict = (m) =>
      m.source === 'visitor.email' ? `Destination path ${m.destination} not found` : undefined;
    // The validation runs beside the dataset and its target connection: it answers once the workflow has taken in
    // their end, so that its failure meets no sibling the time-skipping server has forgotten (see scriptAfterOthers).
    fakes.scripts.validateMappings = async (_input, _attempt, real) => {
      const settled = async () =>
        (await (await fakes.handle).query(getProgressQuery)).steps.targetConnection?.state === 'done';
      while (!(await settled())) await new Promise((r) => setTimeout(r, 20));
      return real();
    };
    const err = await failureOf((await start(fakes)).result());
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, 'mappings');
    assert.equal(innerType(err), 'InvalidMappings');
    assert.match(
      err.cause.message,
      /mappings\[\d+\] \(ATTRIBUTE "visitor\.email" → "_faketenant\S*\.visitor\.email"\): destination "\S+": Destination path/,
    );
    assert.equal(fakes.attempts('ensureMappingSet'), 0);
    assert.equal(fakes.aep.all('mappingSets').length, 0);
    // What was created before is undone: the schema chain, the source connection, and what ran beside.
    const undos = fakes.undos();
    for (const u of [
      'removeTargetConnection',
      'removeDataset',
      'removeSchema',
      'removeFieldGroup',
      'removeSourceConnection',
    ] as const)
      assert.ok(undos.includes(u), `${u} in ${undos.join(', ')}`);
    assert.ok(!undos.includes('removeMappingSet'));
    assert.equal(fakes.aep.all('schemas').length, 0);
    assert.equal(fakes.aep.all('sourceConnections').length, 0);
  });

  it('the progress query: ids and states of the steps so far while the flow is being created', async () => {
    const fakes = new FakeActivities();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fakes.scripts.ensureFlow = async (_input, _attempt, real) => {
      await gate;
      return real();
    };
    const handle = await start(fakes);
    await fakes.entered('ensureFlow');
    const progress: OnboardingProgress = await handle.query(getProgressQuery);
    assert.equal(progress.phase, 'provisioning');
    assert.equal(progress.steps.flow?.state, 'running');
    for (const s of [
      'tenant',
      'fieldGroup',
      'schema',
      'dataset',
      'mappingSet',
      'sourceConnection',
      'targetConnection',
    ])
      assert.equal(progress.steps[s as keyof typeof progress.steps]?.state, 'done', s);
    assert.equal(progress.ids.datasetId, fakes.aep.all('datasets')[0]?.id);
    assert.equal(progress.ids.tenantId, fakes.aep.tenantId);
    assert.deepEqual(progress.compensation, []);
    release();
    await handle.result();
    assert.equal((await handle.query(getProgressQuery)).phase, 'completed');
  });
});

describe(
  'onboarding workflow: HTTP API, a base connection before the source connection',
  { timeout: 60_000 },
  () => {
    useTimeSkippingWorker();

    it('completes: the base connection once, the source connection on it, the inlet read from it', async () => {
      const fakes = new FakeActivities();
      const result = await (await start(fakes, 'http-api')).result();
      assert.equal(fakes.attempts('ensureBaseConnection'), 1);
      assert.deepEqual(fakes.undos(), []);
      const source = fakes.calls.find((c) => c.name === 'ensureSourceConnection')!.input as {
        baseConnectionId?: string;
      };
      assert.ok(result.ids.baseConnectionId);
      assert.equal(source.baseConnectionId, result.ids.baseConnectionId);
      const inlet = fakes.calls.find((c) => c.name === 'getInletUrl')!.input as { baseConnectionId?: string };
      assert.equal(inlet.baseConnectionId, result.ids.baseConnectionId);
      assert.equal(
        result.inletUrl,
        'https://fake/collection/base',
        "the base connection's inlet, not the flow's",
      );
      assert.equal(fakes.attempts('sweepRun'), 0, 'nothing was retried');
    });

    it('a failure at baseConnection undoes what was registered, newest first, the base connection last', async () => {
      const fakes = new FakeActivities();
      scriptAfterOthers(fakes, 'baseConnection', () => Promise.reject(boom()));
      const err = await failureOf((await start(fakes, 'http-api')).result());
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, 'baseConnection');
      assert.equal(fakes.attempts('ensureSourceConnection'), 0, 'no source connection without its base');
      // The mapping set and the target connection register in the order their branches reach them: each is undone
      // before what it refers to, and the base connection (registered first) last.
      const undos = fakes.undos();
      assert.equal(undos.at(-1), 'removeBaseConnection');
      assertNewestFirst(
        undos.map((undo) => stepOf.get(undo) ?? undo),
        ['targetConnection', 'mappingSet', 'dataset', 'schema', 'fieldGroup', 'baseConnection'],
      );
    });

    it('a failure at a later step (flow) undoes the source connection, then the base connection, last', async () => {
      const fakes = new FakeActivities();
      scriptAfterOthers(fakes, 'flow', () => Promise.reject(boom()));
      const err = await failureOf((await start(fakes, 'http-api')).result());
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, 'flow');
      const undos = fakes.undos();
      // The source connection's undo is registered once its base exists, beside the chain: its place among the
      // chain's undos varies; the flow is first and the base connection last.
      assert.equal(undos[0], 'removeFlow');
      assert.equal(undos.at(-1), 'removeBaseConnection');
      assert.deepEqual([...undos].sort(), [
        'removeBaseConnection',
        'removeDataset',
        'removeFieldGroup',
        'removeFlow',
        'removeMappingSet',
        'removeSchema',
        'removeSourceConnection',
        'removeTargetConnection',
      ]);
      assert.ok(undos.indexOf('removeSourceConnection') < undos.indexOf('removeBaseConnection'));
      const base = fakes.calls.find((c) => c.name === 'removeBaseConnection')!.input as { id?: string };
      assert.ok(base.id, 'deleted by the id its create returned');
    });
  },
);

describe('onboarding workflow: retries in skipped workflow time', { timeout: 60_000 }, () => {
  useTimeSkippingWorker();

  it('a create failing retryably for minutes of workflow time, then succeeding, completes without an undo', async () => {
    const fakes = new FakeActivities();
    fakes.scripts.ensureFlow = (_input, attempt, real) =>
      attempt <= 13
        ? Promise.reject(ApplicationFailure.retryable('503 for a while', 'AepServerError'))
        : real();
    const before = await env.currentTimeMs();
    const handle = await start(fakes);
    await handle.result();
    assert.equal(fakes.attempts('ensureFlow'), 14);
    assert.deepEqual(fakes.undos(), []);
    // 1+2+4+8+16 s, then 30 s between each further attempt: about four minutes of skipped workflow time.
    assert.ok((await env.currentTimeMs()) - before >= 240_000);
  });
});

describe('onboarding workflow: a step budget in skipped workflow time', { timeout: 60_000 }, () => {
  useTimeSkippingWorker();

  it('the schedule-to-close budget ends a step that keeps failing, then compensation runs', async () => {
    const fakes = new FakeActivities();
    fakes.scripts.ensureSchema = () =>
      Promise.reject(ApplicationFailure.retryable('always 503', 'AepServerError'));
    const before = await env.currentTimeMs();
    const err = await failureOf((await start(fakes)).result());
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal((err.cause.details?.[0] as { failedStep?: string }).failedStep, 'schema');
    // Ended by the 10 minute budget, before the 30 attempts of the retry policy.
    assert.ok(fakes.attempts('ensureSchema') < 30, String(fakes.attempts('ensureSchema')));
    assert.ok((await env.currentTimeMs()) - before >= 9 * 60_000);
    assertUndos(fakes.undos(), 'schema');
  });
});
