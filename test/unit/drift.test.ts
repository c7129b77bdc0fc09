// The drift check's pure parts: health from runs, which state changes call the hook, the desired state a record
// and its updates stand for, the reconcile fold, and the hook's configuration and POST (a loopback server).
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ofOrg } from '../../src/activities/drift/check';
import { desiredOfRecord, foldUpdates } from '../../src/activities/drift/desired';
import { judgeHealth } from '../../src/activities/drift/health';
import { createNotifyActivities } from '../../src/activities/drift/notify';
import { foldReconcile } from '../../src/records/history';
import type { NotifyEvent, OnboardingDrift, ReconcileResult } from '../../src/shared/contracts/drift';
import type { FlowRuns, RunSummary } from '../../src/shared/contracts/lifecycle';
import type { UpdateResult } from '../../src/shared/contracts/workflows';
import { carryForward, driftEvents, stateChange } from '../../src/shared/drift-events';
import { parseDuration } from '../../src/shared/duration';
import { onboardingWorkflowId, runMarker } from '../../src/shared/naming';
import { notifyUrlProblem } from '../../src/shared/notify-url';
import type { OnboardingResult } from '../../src/shared/onboarding';
import { loadDriftConfig } from '../../src/temporal/drift-config';

const HOUR = 3_600_000;
const run = (id: string, startedAt: number, failed = 0): RunSummary => ({
  id,
  status: failed ? 'failed' : 'success',
  failed: failed > 0,
  startedAt,
  completedAt: startedAt + 1000,
  inputRecords: failed + 1,
  outputRecords: 1,
  failedRecords: failed,
  errors: failed ? [{ code: 'MAPPER-1', message: 'bad' }] : [],
});
const runs = (...r: RunSummary[]): FlowRuns => ({
  flowId: 'f',
  runs: r,
  totals: { inputRecords: 0, outputRecords: 0, failedRecords: 0 },
  failedRuns: r.filter((x) => x.failed).length,
});

describe('health from flow runs', () => {
  const now = 100 * HOUR;
  it('the newest run failing is degraded, with its errors; a later good run is a recovery', () => {
    const bad = judgeHealth(runs(run('r2', now - HOUR, 2), run('r1', now - 2 * HOUR)), { now, silenceMs: 0 });
    assert.equal(bad.health, 'degraded');
    assert.deepEqual(bad.errors, [{ code: 'MAPPER-1', message: 'bad' }]);
    assert.match(bad.reasons[0]!, /r2 failed \(2 of 3 records failed\)/);
    const good = judgeHealth(runs(run('r3', now - 60_000), run('r2', now - HOUR, 2)), { now, silenceMs: 0 });
    assert.deepEqual([good.health, good.failedRuns], ['healthy', 1]);
  });

  it('silence: nothing for longer than the limit (since the onboarding when it never ran) is degraded', () => {
    const quiet = judgeHealth(runs(run('r1', now - 30 * HOUR)), { now, silenceMs: 24 * HOUR });
    assert.match(quiet.reasons[0]!, /nothing received for 29 h 59 min \(limit 24 h\)/);
    assert.equal(judgeHealth(runs(), { now, silenceMs: 24 * HOUR, since: now - HOUR }).health, 'healthy');
    assert.equal(
      judgeHealth(runs(), { now, silenceMs: 24 * HOUR, since: now - 25 * HOUR }).health,
      'degraded',
    );
    assert.equal(judgeHealth(runs(), { now, silenceMs: 0, since: 0 }).health, 'healthy', '0 turns it off');
  });
});

describe('hook events: state changes only', () => {
  const o = (drift: OnboardingDrift['drift'], health: OnboardingDrift['health']): OnboardingDrift => ({
    workflowId: 'w1',
    name: 'Chat',
    source: 'chatlio',
    sandbox: 'prod',
    drift,
    health,
    missing: drift === 'missing' ? ['flow'] : [],
    changed: [],
    reasons: [],
    errors: [],
    failedRuns: 0,
  });
  const result = (...onboardings: OnboardingDrift[]) => ({
    orgId: 'org',
    sandbox: 'prod',
    checkedAt: 1,
    drift: 'none' as const,
    health: 'healthy' as const,
    onboardings,
    notified: [],
  });

  it('degraded, drifted, healthy again; nothing while the state holds; first sight counts as healthy', () => {
    assert.equal(stateChange(undefined, o('none', 'healthy')), undefined);
    assert.equal(stateChange(undefined, o('none', 'degraded')), 'degraded');
    assert.equal(stateChange(o('none', 'healthy'), o('changed', 'healthy')), 'drifted');
    assert.equal(stateChange(o('missing', 'degraded'), o('missing', 'degraded')), undefined);
    assert.equal(stateChange(o('changed', 'healthy'), o('missing', 'healthy')), undefined);
    assert.equal(stateChange(o('missing', 'degraded'), o('none', 'healthy')), 'healthy');
    assert.equal(stateChange(o('none', 'degraded'), o('changed', 'healthy')), 'drifted');
  });

  it('one event per changed onboarding; an onboarding that could not be read keeps its last state', () => {
    const prev = result(o('none', 'degraded'));
    const events = driftEvents(undefined, [o('changed', 'healthy')], 5);
    assert.deepEqual(
      events.map((e: NotifyEvent) => [e.event, e.workflowId, e.checkedAt]),
      [['drifted', 'w1', 5]],
    );
    const kept = carryForward(prev, { workflowId: 'w1', sandbox: 'prod' }, 'AEP answered 503');
    assert.deepEqual([kept.health, kept.error, kept.name], ['degraded', 'AEP answered 503', 'Chat']);
    assert.deepEqual(driftEvents(prev, [kept], 6), [], 'no event for an unread onboarding');
    // The hook never heard of the degraded state (its POST failed): the change is sent again.
    const unheard = result({ ...o('none', 'degraded'), notifiedState: { drift: 'none', health: 'healthy' } });
    assert.deepEqual(
      driftEvents(unheard, [o('none', 'degraded')], 7).map((e) => e.event),
      ['degraded'],
    );
  });
});

const result: OnboardingResult = {
  workflowId: 'onboard-w',
  source: 'chatlio',
  name: 'Support chat',
  sandbox: 'prod',
  ids: {
    tenantId: 'acme',
    fieldGroupId: 'fg',
    schemaId: 'https://ns/s',
    schemaAltId: '_acme.s',
    datasetId: 'ds',
    sourceConnectionId: 'sc',
    targetConnectionId: 'tc',
    mappingSetId: 'ms',
    flowId: 'f1',
  },
  reused: { schema: false, dataset: false },
  etags: { sourceConnection: '', targetConnection: '', flow: '' },
  mappingVersion: 0,
  inletUrl: 'https://inlet/x',
  webhookUrl: 'https://inlet/x?x-adobe-flow-id=f1',
};
const update = (u: Partial<UpdateResult>): UpdateResult => ({
  workflowId: 'onboard-w',
  flowId: 'f1',
  sandbox: 'prod',
  changed: [],
  mappingVersion: 0,
  preconditionFailures: 0,
  ...u,
});

describe('desired state of a recorded onboarding', () => {
  it('folds the updates: mapping version never lowered, last state, name and description', () => {
    assert.deepEqual(
      foldUpdates(result, [
        update({ mappingVersion: 2, flowName: 'Renamed' }),
        update({ mappingVersion: 0, state: 'disabled' }),
        update({ mappingVersion: 2, description: 'Mine' }),
      ]),
      { mappingVersion: 2, state: 'disabled', flowName: 'Renamed', description: 'Mine' },
    );
  });

  it('names carry the run marker for an onboarding, none for an adopted flow; reused pieces are not judged', () => {
    const record = { workflowId: 'onboard-w', runId: 'run-1', kind: 'onboarding' as const, result };
    const d = desiredOfRecord({ record, updates: [], displayName: 'Chatlio' });
    const marker = runMarker({ workflowId: 'onboard-w', runId: 'run-1' });
    assert.equal(d.flow?.name, `Support chat · Chatlio dataflow [${marker}]`);
    assert.deepEqual([d.flow?.state, d.flow?.mappingVersion, d.mappingSet?.version], ['enabled', 0, 0]);
    assert.ok(d.dataset && d.schema && d.fieldGroup);
    const adopted = desiredOfRecord({
      record: { ...record, kind: 'adopted', result: { ...result, reused: { schema: true, dataset: true } } },
      updates: [],
      displayName: 'Chatlio',
    });
    assert.deepEqual(
      [adopted.flow?.name, adopted.mappingSet?.name, adopted.dataset, adopted.schema],
      [undefined, undefined, undefined, undefined],
    );
  });

  it("a reconcile's new ids, mapping version and webhook URL replace the record's", () => {
    const r: ReconcileResult = {
      workflowId: 'onboard-w',
      name: 'Support chat',
      sandbox: 'prod',
      actions: [],
      ids: { flowId: 'f2', targetConnectionId: 'tc', sourceConnectionId: 'sc', mappingSetId: 'ms' },
      mappingVersion: 3,
      webhookUrl: 'https://inlet/x?x-adobe-flow-id=f2',
      webhookUrlChanged: true,
      unresolved: [],
    };
    const folded = foldReconcile(result, r);
    assert.deepEqual([folded.ids.flowId, folded.ids.datasetId, folded.mappingVersion], ['f2', 'ds', 3]);
    assert.equal(folded.webhookUrl, r.webhookUrl);
  });
});

describe('drift targets', () => {
  it("a derived onboarding id of another org is not the check's; ids of the Web UI's choosing may be", () => {
    const id = onboardingWorkflowId({
      orgId: 'A@AdobeOrg',
      sandbox: 'prod',
      source: 'chatlio',
      name: 'Chat',
    });
    assert.equal(ofOrg(id, 'A@AdobeOrg'), true);
    assert.equal(ofOrg(id, 'B@AdobeOrg'), false);
    assert.equal(ofOrg('my-own-id', 'B@AdobeOrg'), true);
  });
});

describe('notification hook', () => {
  it('config: https anywhere, plain http only to loopback, no user info; the URL is never repeated', () => {
    assert.equal(notifyUrlProblem('https://hooks.example.com/T0/secret-path'), undefined);
    assert.equal(notifyUrlProblem('http://127.0.0.1:9/hook'), undefined);
    const refused = [
      'http://hooks.example.com/secret-path',
      'https://u:secret-path@h/x',
      'ftp://h/secret-path',
      'nope',
    ];
    for (const url of refused) {
      const p = notifyUrlProblem(url);
      assert.ok(p && !p.includes('secret-path'), `${url}: ${p}`);
    }
    assert.throws(() => loadDriftConfig({ AEP_NOTIFY_URL: 'http://example.com/secret-path' }), /loopback/);
    assert.throws(() => loadDriftConfig({ AEP_DRIFT_EVERY: '10 parsecs' }), /AEP_DRIFT_EVERY/);
    const cfg = loadDriftConfig({ AEP_DRIFT_SANDBOXES: 'prod, dev', AEP_DRIFT_EVERY: '10m' });
    assert.deepEqual([cfg.sandboxes, cfg.everyMs, cfg.notifyUrl], [['prod', 'dev'], 600_000, undefined]);
    assert.deepEqual(['90s', '1.5h', '250', '2d', 'x'].map(parseDuration), [
      90_000,
      5_400_000,
      250,
      172_800_000,
      undefined,
    ]);
  });

  it('POSTs the event as JSON; a non-2xx answer is a retryable failure that does not name the URL', async () => {
    const bodies: string[] = [];
    let status = 500;
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-path`;
    try {
      const hook = createNotifyActivities({ notifyUrl: url });
      const notifyHook = (e: NotifyEvent) => hook.notifyHook(e);
      const event: NotifyEvent = {
        event: 'degraded',
        workflowId: 'w1',
        name: 'Chat',
        source: 'chatlio',
        sandbox: 'prod',
        drift: 'none',
        health: 'degraded',
        missing: [],
        changed: [],
        reasons: ['the newest run failed'],
        checkedAt: 1,
      };
      const err = await notifyHook(event).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e as ApplicationFailure,
      );
      assert.ok(err instanceof ApplicationFailure && !err.nonRetryable, String(err));
      assert.ok(!err.message.includes('secret-path'), err.message);
      status = 204;
      assert.equal(await notifyHook(event), true);
      assert.deepEqual(JSON.parse(bodies[1]!), { type: 'aep-onboarding.health', ...event });
      assert.equal(
        await createNotifyActivities({}).notifyHook(event),
        false,
        'no hook configured: nothing sent',
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
