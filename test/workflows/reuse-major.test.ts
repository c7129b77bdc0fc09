// Reusing a schema whose Schema Registry major version is 2 or more. A lookup must name the resource's major in its
// Accept header (`xed-full+json; version={MAJOR}`, help/xdm/api/getting-started.md), and the emulator, as AEP,
// finds nothing under another major: the client reads the version from the id listing first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XED_ID_ACCEPT } from '../../src/aep';
import type { OnboardingResult } from '../../src/shared/onboarding';
import type { MappingSetBody, TargetConnectionBody } from '../support/aep-bodies';
import { request } from '../support/emulator';
import { resourcesIn, useHarness } from '../support/onboarding';

const SR = '/data/foundation/schemaregistry';

describe('reusing a schema of major version 2', { timeout: 300_000 }, () => {
  const h = useHarness();

  /** Schema Registry's stored schema of `$id`, its version set as a major change would leave it. */
  const setVersion = (schemaId: string, version: string) => {
    const tenant = h.emu.state.tenant(h.emu.options.orgId, 'prod');
    const schemas = tenant.collection<{ id: string; $id?: string; version?: string }>('schemas');
    const stored = [...schemas.values()].find((s) => s.$id === schemaId);
    assert.ok(stored, 'the schema is in the emulator');
    schemas.set(stored.id, { ...stored, version });
    tenant.mutated();
  };

  it('the emulator answers 404 to a lookup naming another major, 200 to its own', async () => {
    await h.emu.control.reset();
    const first: OnboardingResult = await h.withWorker(async (tq) =>
      (await h.start(tq, { source: 'chatlio', name: 'Major one' })).handle.result(),
    );
    setVersion(first.ids.schemaId, '2.1');
    const token = await h.emu.token();
    const lookup = (major: number) =>
      request(`${h.emu.url}${SR}/tenant/schemas/${encodeURIComponent(first.ids.schemaId)}`, {
        headers: { ...h.emu.headers(token), accept: `application/vnd.adobe.xed-full+json; version=${major}` },
      });
    assert.equal((await lookup(1)).status, 404);
    assert.equal((await lookup(2)).status, 200);
    const listed = await request<{ results: Array<{ version: string }> }>(
      `${h.emu.url}${SR}/tenant/schemas?property=${encodeURIComponent(`$id==${first.ids.schemaId}`)}`,
      { headers: { ...h.emu.headers(token), accept: XED_ID_ACCEPT } },
    );
    assert.deepEqual(
      listed.body.results.map((r) => r.version),
      ['2.1'],
    );
  });

  it('an onboarding reuses it, by $id or meta:altId, and names version=2 in its references', async () => {
    await h.emu.control.reset();
    const first: OnboardingResult = await h.withWorker(async (tq) =>
      (await h.start(tq, { source: 'chatlio', name: 'Schema owner' })).handle.result(),
    );
    setVersion(first.ids.schemaId, '2.0');
    for (const [name, schemaId] of [
      ['Reuse by id', first.ids.schemaId],
      ['Reuse by altId', first.ids.schemaAltId],
    ] as const) {
      const reused: OnboardingResult = await h.withWorker(async (tq) =>
        (await h.start(tq, { source: 'chatlio', name, schemaId })).handle.result(),
      );
      assert.equal(reused.ids.schemaId, first.ids.schemaId, name);
      assert.deepEqual(reused.reused, { schema: true, dataset: false });
      const res = await resourcesIn(h.emu);
      const tc = (res.targetConnections as TargetConnectionBody[]).find(
        (t) => t.id === reused.ids.targetConnectionId,
      );
      const ms = (res.mappingSets as MappingSetBody[]).find((m) => m.id === reused.ids.mappingSetId);
      assert.equal(tc?.data.schema.version, 'application/vnd.adobe.xed-full+json;version=2', name);
      assert.equal(
        ms?.outputSchema.schemaRef.contentType,
        'application/vnd.adobe.xed-full+json;version=2',
        name,
      );
    }
  });
});
