// An onboarding started with the stock Temporal CLI (`temporal workflow start` / `temporal workflow result`), as an
// operator would without our own CLI: the workflow validates its input itself, since nothing else did.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FAILURE_TYPES, type OnboardingResult } from '../../src/shared/onboarding';
import { useHarness, resourcesIn } from '../support/onboarding';
import { uniqueName } from '../support/temporal';
import { onboardingStartArgs as startArgs, temporalCli, temporalCliPath } from '../support/temporal-cli';

describe('Temporal CLI: start an onboarding with `temporal workflow start`', { timeout: 120_000 }, () => {
  before(() => {
    assert.ok(temporalCliPath(), 'no Temporal CLI: run `npm run temporal:install`');
  });
  const h = useHarness();
  const temporal = (...args: string[]) => temporalCli(h, ...args);

  it('completes, and `temporal workflow result` prints the webhook URL', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const workflowId = uniqueName('onboard-cli');
      const start = await temporal(
        ...startArgs(taskQueue, workflowId, { source: 'chatlio', name: 'Support chat CLI' }),
      );
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stdout, new RegExp(`WorkflowId\\s+${workflowId}`));

      const res = await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
      assert.equal(res.code, 0, res.stderr);
      const out = JSON.parse(res.stdout) as { status: string; result: OnboardingResult };
      assert.equal(out.status, 'COMPLETED');
      assert.equal(out.result.workflowId, workflowId);
      assert.equal(out.result.name, 'Support chat CLI');
      assert.equal(out.result.webhookUrl, `${out.result.inletUrl}?x-adobe-flow-id=${out.result.ids.flowId}`);
      assert.ok(out.result.inletUrl.startsWith(`${h.emu.url}/collection/`), out.result.inletUrl);

      const flows = (await resourcesIn(h.emu)).flows as { id: string }[] | undefined;
      assert.deepEqual(
        flows?.map((f) => f.id),
        [out.result.ids.flowId],
      );

      // The human-readable form a person reads in a terminal carries the URL too.
      const text = await temporal('workflow', 'result', '--workflow-id', workflowId);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /Status\s+COMPLETED/);
      assert.ok(text.stdout.includes(out.result.webhookUrl));
    });
  });

  it('fails a bad input at once, listing every problem, and creates nothing', async () => {
    await h.emu.control.reset();
    await h.withWorker(async (taskQueue) => {
      const workflowId = uniqueName('onboard-cli-bad');
      const start = await temporal(...startArgs(taskQueue, workflowId, { source: 'Chatlio!', name: '' }));
      assert.equal(start.code, 0, 'the server accepts any input; the workflow is the one to refuse it');

      const res = await temporal('workflow', 'result', '--workflow-id', workflowId, '--output', 'json');
      assert.notEqual(res.code, 0, 'a failed run makes `temporal workflow result` exit non-zero');
      const out = JSON.parse(res.stdout) as { status: string; closeEvent: unknown };
      assert.equal(out.status, 'FAILED');
      const failure = JSON.stringify(out.closeEvent);
      assert.ok(failure.includes(FAILURE_TYPES.invalidInput), failure);
      assert.match(failure, /source: must be a preset id/);
      assert.match(failure, /name: must not be empty/);
      assert.deepEqual(await resourcesIn(h.emu), {});
    });
  });
});
