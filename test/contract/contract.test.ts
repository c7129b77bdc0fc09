// Contract tests (issue #12): a whole onboarding and its teardown, then the error answers the client meets (400,
// 404, 412, 401), recorded through the transport's onExchange hook and checked against the derived Adobe specs
// (test/support/contract.ts): every exchange must conform, allowlisted spec bugs aside. And the checker itself must be
// able to fail: deliberately wrong answers are reported.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Worker } from '@temporalio/worker';
import { AepError, type AepClient, type Exchange, type RecordedExchange } from '../../src/aep';
import { teardownOnboarding } from '../../src/client/lifecycle';
import type { OnboardingResult } from '../../src/shared/onboarding';
import {
  EXPERIENCE_EVENT_CLASS,
  HTTP_API_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
  XED_FULL_CONTENT_TYPE,
} from '../../src/shared/aep-constants';
import { createOnboardingWorker } from '../../src/temporal/worker-factory';
import { ContractChecker, checkExchanges, formatReport, type Report } from '../support/contract';
import { rejection } from '../support/failures';
import { aepClientFor, useHarness, workflowBundle } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

const recorded: RecordedExchange[] = [];
const record = (e: Exchange) => recorded.push({ at: new Date().toISOString(), ...e });
const failure = (p: Promise<unknown>): Promise<AepError> => rejection(p, AepError);

function assertConforms(report: Report): void {
  assert.equal(report.failures.length, 0, formatReport(report));
}

void describe('the emulator answers as Adobe specifies, and the client asks as Adobe specifies', () => {
  const h = useHarness();
  let aep: AepClient;
  let result: OnboardingResult;
  before(() => {
    aep = aepClientFor(h.emu, { onExchange: record });
  });

  void it('an onboarding, its webhook event and its teardown: every exchange conforms', async () => {
    const taskQueue = uniqueName('tq');
    const worker: Worker = await createOnboardingWorker({
      connection: h.env.nativeConnection,
      namespace: h.env.namespace ?? 'default',
      taskQueue,
      aep,
      presets: h.presets,
      tuning: { workflowBundle: await workflowBundle() },
    });
    await worker.runUntil(async () => {
      const { handle } = await h.start(taskQueue, { source: 'chatlio', name: 'Contract onboarding' });
      result = await handle.result();
      const flow = await aep.flowService.get('flows', result.ids.flowId);
      await aep.inlet.postToWebhook(result.webhookUrl, { message: 'hello', visitor: { UUID: 'v-1' } });
      await aep.flowService.listRuns(flow.id);
      const torn = await teardownOnboarding(h.env.client, { workflowId: result.workflowId }, { taskQueue });
      assert.equal(torn.status, 'torn-down');
    });
    const report = checkExchanges(recorded);
    assertConforms(report);
    const seen = new Set(recorded.map((e) => `${e.method} ${e.status}`));
    for (const want of ['GET 200', 'POST 200', 'POST 201', 'DELETE 204'])
      assert.ok(seen.has(want), `${want} among ${[...seen].join(', ')}`);
    assert.ok(report.conforming >= 20, `${report.conforming} exchanges`);
  });

  void it('the error answers conform too: 400, 404, 412 and 401', async () => {
    const from = recorded.length;
    // 400: a dataset on a schema that does not exist; a duplicate schema title; a mapping set to nowhere.
    await failure(
      aep.catalog.createDataset({
        name: 'Contract orphan',
        schemaRef: { id: 'https://ns.adobe.com/nobody/schemas/00', contentType: XED_FULL_CONTENT_TYPE },
      }),
    );
    const schema = {
      type: 'object' as const,
      title: 'Contract duplicate',
      description: 'two of these',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
    };
    const first = await aep.schemaRegistry.createSchema(schema);
    assert.equal((await failure(aep.schemaRegistry.createSchema(schema))).status, 400);
    // 404: gone resources, each service.
    assert.equal((await failure(aep.flowService.get('flows', result.ids.flowId))).status, 404);
    assert.equal((await failure(aep.dataPrep.getMappingSet(result.ids.mappingSetId))).status, 404);
    assert.equal((await failure(aep.catalog.getDataset('000000000000000000000000'))).status, 404);
    // 412: a stale etag.
    const sc = await aep.flowService.create('sourceConnections', {
      name: 'Contract stale',
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    await aep.flowService.patch(
      'sourceConnections',
      sc.id,
      [{ op: 'replace', path: '/name', value: 'x' }],
      sc.etag,
    );
    const stale = await failure(
      aep.flowService.patch(
        'sourceConnections',
        sc.id,
        [{ op: 'replace', path: '/name', value: 'y' }],
        sc.etag,
      ),
    );
    assert.equal(stale.status, 412);
    // 401: every token expires; the client renews and replays once.
    await h.emu.control.expireTokens();
    await aep.schemaRegistry.getStats();
    await aep.flowService.delete('sourceConnections', sc.id);
    await aep.schemaRegistry.deleteSchema(first.$id);

    const mine = recorded.slice(from);
    const statuses = new Set(mine.map((e) => e.status));
    for (const s of [400, 401, 404, 412])
      assert.ok(statuses.has(s), `${s} among ${[...statuses].join(', ')}`);
    assertConforms(checkExchanges(mine));
  });

  void it('the checker reports what does not conform: a wrong type, an undeclared status, a missing header', () => {
    const checker = ContractChecker.fromRepo();
    const flowGet = recorded.find(
      (e) => e.method === 'GET' && /\/flows\/[^/]+$/.test(new URL(e.url).pathname),
    );
    assert.ok(flowGet && flowGet.status === 200, 'a recorded GET /flows/{id}');
    assert.deepEqual(checker.check(flowGet).issues, []);

    const body = JSON.parse(flowGet.responseBody) as { items: Array<Record<string, unknown>> };
    body.items[0]!.sourceConnectionIds = 'not-an-array';
    const wrongType = checker.check({ ...flowGet, responseBody: JSON.stringify(body) });
    assert.deepEqual(
      wrongType.issues.map((i) => i.rule),
      ['response-body'],
    );
    assert.match(wrongType.issues[0]!.message, /sourceConnectionIds must be array/);

    const teapot = checker.check({ ...flowGet, status: 418 });
    assert.deepEqual(
      teapot.issues.map((i) => i.rule),
      ['undocumented-status'],
    );

    const { 'x-api-key': _key, ...headers } = flowGet.requestHeaders;
    const noKey = checker.check({ ...flowGet, requestHeaders: headers });
    assert.match(noKey.issues.map((i) => i.message).join('\n'), /required header x-api-key missing/);

    const nowhere = checker.check({ ...flowGet, url: flowGet.url.replace('/flows/', '/flowz/') });
    assert.deepEqual(
      nowhere.issues.map((i) => i.rule),
      ['no-operation'],
    );
    const report = checkExchanges([flowGet, { ...flowGet, status: 418 }]);
    assert.match(formatReport(report), /^1 exchanges conform, 1 do not/);
  });
});
