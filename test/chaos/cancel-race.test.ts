// A sibling branch still creating when another fails: the saga must not undo it before that create has landed, or
// the undo finds nothing and the create lands afterwards, an orphan (seen in `npm run chaos`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { onboardingFailureDetails } from '../../src/client/onboarding';
import { useHarness, resourcesIn } from '../support/onboarding';

const API = '/data/foundation';

describe('failure while a sibling create is in flight', { timeout: 120_000 }, () => {
  const h = useHarness();

  it('the source connection that lands after the dataset failed is deleted too', async () => {
    await h.emu.control.reset();
    // The source connection branch runs beside the schema chain: its create takes 5 s, the dataset fails well
    // before, so the source connection is still being created when the saga cancels it and compensates.
    await h.emu.control.fault({
      method: 'POST',
      path: `^${API}/catalog/dataSets$`,
      kind: 'status',
      status: 400,
      count: -1,
    });
    await h.emu.control.fault({
      method: 'POST',
      path: `^${API}/flowservice/sourceConnections$`,
      kind: 'latency',
      latencyMs: 5000,
    });
    await h.withWorker(async (taskQueue) => {
      const { handle } = await h.start(taskQueue, { source: 'chatlio', name: 'Sibling in flight' });
      const err = await handle.result().then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      const details = onboardingFailureDetails(err);
      assert.equal(details?.failedStep, 'dataset');
      assert.deepEqual(details?.left, []);
    });
    // Whatever was in flight has landed by now.
    await new Promise((r) => setTimeout(r, 5500));
    assert.deepEqual(await resourcesIn(h.emu), {});
  });
});
