// Onboardings as desired state on real parts (dev server, emulator over HTTP, real worker): what a fresh onboarding
// creates reads back as exactly what its input asks for (no perpetual diff), then plan -f / apply from a file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readLiveOwnedState } from '../../src/activities/owned-state';
import { runMarker } from '../../src/shared/naming';
import { compareOwnedState, desiredFromInput } from '../../src/shared/owned-state';
import { useHarness } from '../support/onboarding';
import { uniqueName } from '../support/temporal';

describe('desired state on the dev server', { timeout: 300_000 }, () => {
  const h = useHarness({ cliEnv: {} });

  it('a fresh onboarding of every preset reads back as its input asks: no changes, nothing missing', async () => {
    await h.withWorker(async (tq) => {
      const results = await Promise.all(
        h.presets.ids().map(async (source) => {
          const input = { source, name: uniqueName(`Fresh ${source}`).replace(/[^A-Za-z0-9 ]/g, ' ') };
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
});
