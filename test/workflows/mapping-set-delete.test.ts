// End to end: a compensation whose mapping-set DELETE AEP refuses (405, a method Data Prep's spec does not publish)
// or answers 404 for a set that is still there reports the set as left, with the reason, never as undone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { onboardingFailureDetails } from '../../src/client/onboarding';
import { resourcesIn, useHarness } from '../support/onboarding';
import { rejection } from '../support/failures';

const POST_FLOW = '^/data/foundation/flowservice/flows$';
const MAPPING_SET = '^/data/foundation/conversion/mappingSets/[^/]+$';

describe(
  'compensation: a mapping-set delete AEP does not do is reported as left',
  { timeout: 300_000 },
  () => {
    const h = useHarness();

    async function failAtFlow(name: string, deleteStatus: number) {
      await h.emu.control.reset();
      await h.emu.control.fault({ method: 'POST', path: POST_FLOW, kind: 'status', status: 400, count: -1 });
      await h.emu.control.fault({
        method: 'DELETE',
        path: MAPPING_SET,
        kind: 'status',
        status: deleteStatus,
        count: -1,
      });
      const err = await h.withWorker(async (tq) => {
        const { handle } = await h.start(tq, { source: 'chatlio', name });
        return rejection(handle.result(), WorkflowFailedError);
      });
      const details = onboardingFailureDetails(err)!;
      assert.equal(details.failedStep, 'flow');
      const res = await resourcesIn(h.emu);
      assert.equal(res.mappingSets?.length, 1, 'the mapping set is still in AEP');
      const id = (res.mappingSets?.[0] as { id: string } | undefined)?.id;
      assert.ok(!details.undone.some((u) => u.step === 'mappingSet'), 'never reported as undone');
      const left = details.left.find((l) => l.step === 'mappingSet');
      assert.ok(left, `the mapping set is reported as left: ${JSON.stringify(details.left)}`);
      assert.equal(left.id, id);
      // The rest was undone all the same.
      assert.deepEqual(Object.keys(res).sort(), ['mappingSets']);
      return left;
    }

    it('DELETE answered 405: left, "AEP offers no mapping-set delete; it stays, unused"', async () => {
      const left = await failAtFlow('MS delete 405', 405);
      assert.match(left.error ?? '', /AEP offers no mapping-set delete .*stays, unused/);
    });

    it('DELETE answered 404 while GET still finds it: left, not "already gone"', async () => {
      const left = await failAtFlow('MS delete 404', 404);
      assert.match(left.error ?? '', /answered HTTP 404, but a GET still finds it/);
    });
  },
);
