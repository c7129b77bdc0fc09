// Onboardings as desired state on real parts (dev server, emulator over HTTP, real worker): a fresh onboarding reads
// back as exactly what its input asks (no perpetual diff); then plan -f / apply from a file through the CLI: three
// onboardings approved at the terminal, the second apply a no-op; a plan approved after the live state changed is
// refused as stale; --prune deletes (teardown) an onboarding removed from the file, and nothing without it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLiveOwnedState } from '../../src/activities/owned-state';
import { approveApply, StalePlanError, waitForPlan } from '../../src/client/apply';
import { readOnboardingRecord } from '../../src/client/lifecycle';
import { EXIT } from '../../src/cli/main';
import type { ApplyResult, DesiredPlan } from '../../src/shared/contracts/desired';
import { runMarker } from '../../src/shared/naming';
import type { applyDesiredState } from '../../src/workflows';
import { compareOwnedState, desiredFromInput } from '../../src/shared/owned-state';
import { cli, cliAnswering } from '../support/cli';
import { useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

interface ApplyDoc {
  status: string;
  plan?: DesiredPlan;
  result?: ApplyResult;
}
interface PlanFileDoc {
  status: string;
  plan: DesiredPlan;
}

describe('desired state on the dev server', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: {} });
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'aep-desired-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A name the onboarding alphabet takes, unique to this run. */
  const named = (prefix: string) => uniqueName(prefix).replace(/[^A-Za-z0-9 ]/g, ' ');
  function file(name: string, body: unknown): string {
    const p = path.join(dir, name);
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  }

  it('a fresh onboarding of every preset reads back as its input asks: no changes, nothing missing', async () => {
    await h.withWorker(async (tq) => {
      const results = await Promise.all(
        h.presets.ids().map(async (source) => {
          const input = { source, name: named(`Fresh ${source}`) };
          const { handle, workflowId } = await h.start(tq, input);
          const result = await handle.result();
          return { input, workflowId, runId: handle.firstExecutionRunId, result };
        }),
      );
      for (const { input, workflowId, runId, result } of results) {
        const preset = h.presets.get(input.source)!;
        const desired = desiredFromInput(input, preset, result.ids.tenantId, {
          workflowId,
          marker: runMarker({ workflowId, runId }),
          ids: result.ids,
        });
        const live = await readLiveOwnedState({ aep: h.aep }, 'prod', result.ids);
        assert.deepEqual(compareOwnedState(desired, live), { missing: [], changed: [] }, input.source);
        // Every owned field was read, so "no changes" is not "nothing compared".
        assert.equal(live.flow?.name, desired.flow?.name);
        assert.equal(live.mappingSet?.mappings?.length, desired.mappingSet?.mappings?.length);
      }
    });
  });

  it('apply three onboardings approved at the terminal; the second apply changes nothing; a stale plan is refused', async () => {
    await h.withWorker(async (tq) => {
      const names = [named('Desired chat'), named('Desired usage'), named('Desired mail')];
      const entries = [
        { source: 'chatlio', name: names[0] },
        { source: 'pendo', name: names[1], enabled: false },
        { source: 'customerio', name: names[2] },
      ];
      const yaml = ['version: 1', 'onboardings:', ...entries.map((e) => `  - ${JSON.stringify(e)}`)].join(
        '\n',
      );
      const f = file('three.yaml', yaml);

      const planned = await cli('plan', '-f', f, '--task-queue', tq, '--json');
      assert.equal(planned.code, EXIT.changes, planned.err);
      assert.deepEqual(
        planned
          .json<PlanFileDoc>()
          .plan.entries.filter((e) => e.index !== undefined)
          .map((e) => e.action),
        ['create', 'create', 'create'],
      );

      const asked: string[] = [];
      const applied = await cliAnswering({ yes: true, asked }, 'apply', '-f', f, '--task-queue', tq);
      assert.equal(applied.code, EXIT.ok, applied.err + applied.out);
      assert.equal(asked.length, 1);
      assert.match(applied.out, /^3 to create, 0 to change, 0 to delete/m);
      assert.match(applied.out, /webhook URL: http/);
      assert.equal((applied.out.match(/^created: /gm) ?? []).length, 3);
      const pendo = await readOnboardingRecord(
        h.env.client,
        applied.out.match(/created: pendo .*workflow (\S+)\)/)![1]!,
      );
      const pendoFlow = await h.aep.flowService.get('flows', pendo!.result!.ids.flowId);
      assert.equal(pendoFlow.state, 'disabled');

      const again = await cliAnswering({ yes: true, asked }, 'apply', '-f', f, '--task-queue', tq, '--json');
      assert.equal(again.code, EXIT.ok, again.err);
      const doc = again.json<ApplyDoc>();
      assert.equal(doc.result?.status, 'nothing-to-do');
      assert.deepEqual(
        [doc.result?.summary.create, doc.result?.summary.change, doc.result?.summary.delete],
        [0, 0, 0],
      );
      assert.equal(asked.length, 1, 'nothing to approve the second time');
      assert.equal((await cli('plan', '-f', f, '--task-queue', tq)).code, EXIT.ok);

      // A mapping change in the file, awaiting approval; then the flow is renamed behind the tool's back.
      const override = { source: 'data.subject_line', destination: '_{TENANT}.customerio.delivery.subject' };
      const changed = file('changed.yaml', {
        version: 1,
        onboardings: entries.map((e) =>
          e.source === 'customerio' ? { ...e, mappingOverrides: [override] } : e,
        ),
      });
      const waiting = await cli('apply', '-f', changed, '--task-queue', tq, '--json');
      assert.equal(waiting.code, EXIT.changes, waiting.err);
      const shown = waiting.json<{ workflowId: string; plan: DesiredPlan }>();
      const mail = shown.plan.entries.find((e) => e.name === names[2])!;
      assert.equal(mail.action, 'change');
      assert.deepEqual(
        mail.update?.mappingOverrides?.map((m) => m.source),
        ['data.subject_line'],
      );
      const handle = h.env.client.workflow.getHandle<typeof applyDesiredState>(shown.workflowId);
      const fs = h.aep.flowService;
      const flow = await fs.get('flows', mail.ids!.flowId);
      await fs.patch(
        'flows',
        flow.id,
        [{ op: 'replace', path: '/name', value: 'Renamed in the UI' }],
        flow.etag,
      );
      await assert.rejects(approveApply(handle, shown.plan.hash), StalePlanError);
      // The refusal showed the fresh plan: the rename is in it, and approving its hash applies both.
      const fresh = (await waitForPlan(handle))!.plan!;
      assert.notEqual(fresh.hash, shown.plan.hash);
      // The old hash again: now refused by the Update's validator, before any handler runs.
      await assert.rejects(approveApply(handle, shown.plan.hash), StalePlanError);
      const fields = fresh.entries
        .find((e) => e.name === names[2])!
        .changes!.map((c) => `${c.resource}.${c.field}`);
      assert.deepEqual(fields.sort(), ['flow.name', 'mappingSet.mappings']);
      await approveApply(handle, fresh.hash);
      const result = await handle.result();
      assert.equal(result.status, 'applied');
      assert.deepEqual(
        result.reports.filter((r) => r.outcome === 'updated').map((r) => r.name),
        [names[2]],
      );
      assert.notEqual((await fs.get('flows', flow.id)).name, 'Renamed in the UI');
      const after = await cli('plan', '-f', changed, '--task-queue', tq);
      assert.equal(after.code, EXIT.ok, after.out);
      assert.match(after.out, /^0 to create, 0 to change, 0 to delete/m);
    });
  });

  it('--prune tears down an onboarding removed from the file; without --prune nothing is deleted', async () => {
    await h.withWorker(async (tq) => {
      const [kept, removed] = [named('Prune keep'), named('Prune gone')];
      const both = file('both.yaml', {
        version: 1,
        sandbox: 'dev',
        onboardings: [
          { source: 'chatlio', name: kept },
          { source: 'chatlio', name: removed },
        ],
      });
      assert.equal((await cli('apply', '-f', both, '--auto-approve', '--task-queue', tq)).code, EXIT.ok);
      const one = file('one.json', {
        version: 1,
        sandbox: 'dev',
        onboardings: [{ source: 'chatlio', name: kept }],
      });

      const noPrune = await cli('apply', '-f', one, '--auto-approve', '--task-queue', tq, '--json');
      assert.equal(noPrune.code, EXIT.ok, noPrune.err);
      const extra = noPrune.json<ApplyDoc>().plan!.entries.find((e) => e.name === removed)!;
      assert.equal(extra.action, 'keep');
      assert.equal((await readOnboardingRecord(h.env.client, extra.workflowId))?.lifecycle, 'completed');

      const plan = await cli('plan', '-f', one, '--prune', '--task-queue', tq);
      assert.equal(plan.code, EXIT.changes);
      assert.match(plan.out, /^0 to create, 0 to change, 1 to delete/m);
      const pruned = await cli('apply', '-f', one, '--prune', '--auto-approve', '--task-queue', tq, '--json');
      assert.equal(pruned.code, EXIT.ok, pruned.err);
      const reports = pruned.json<ApplyDoc>().result!.reports;
      assert.deepEqual(
        reports.filter((r) => r.outcome === 'deleted').map((r) => r.name),
        [removed],
      );
      assert.equal((await readOnboardingRecord(h.env.client, extra.workflowId))?.lifecycle, 'torn-down');
      assert.equal(
        (await readOnboardingRecord(h.env.client, reports.find((r) => r.name === kept)!.workflowId))
          ?.lifecycle,
        'completed',
      );
    });
  });

  it('an invalid file is refused before anything runs, every problem by path', async () => {
    const bad = file(
      'bad.yaml',
      'version: 1\nonboardings:\n  - { source: chatlio, name: "" }\n  - { source: chatlio, name: X, flow: { partialIngestionPercent: 101 } }\n',
    );
    const res = await cli('apply', '-f', bad, '--auto-approve', '--json');
    assert.equal(res.code, EXIT.usage);
    assert.match(res.err + res.out, /onboardings\[0\]\.name: must not be empty/);
    assert.match(res.err + res.out, /onboardings\[1\]\.flow\.partialIngestionPercent: /);
  });
});
