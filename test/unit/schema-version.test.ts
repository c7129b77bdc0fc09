// A reused schema's real version reaches the references to it: resolveReused returns Schema Registry's `version`,
// and the target connection's `data.schema.version` and the mapping set's `schemaRef.contentType` name its major.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Activities } from '../../src/activities';
import { dataLakeTargetBody, mappingSetBody } from '../../src/aep/bodies';
import { runMarker } from '../../src/shared/naming';
import { fakeActivities, type FakeAep } from '../support/fake-aep';

const XED_FULL = 'application/vnd.adobe.xed-full+json';
const marker = runMarker({ workflowId: 'onboard-schema-version', runId: 'run-1' });

const setup = () => fakeActivities();

function run<K extends keyof Activities>(
  activities: Activities,
  name: K,
  input: Parameters<Activities[K]>[0],
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as (i: typeof input) => Promise<Awaited<ReturnType<Activities[K]>>>;
  return new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(fn, input);
}

/** The body of the one recorded call of `method`. */
function bodyOf(fake: FakeAep, method: string): Record<string, unknown> {
  const calls = fake.calls.filter((c) => c.method === method);
  assert.equal(calls.length, 1, `one ${method}`);
  return calls[0]!.args.at(-1) as Record<string, unknown>;
}

describe('the reused schema’s version in the references to it', () => {
  it('resolveReused returns Schema Registry’s version of the schema', async () => {
    const { fake, activities } = setup();
    fake.seed('schemas', { title: 'Chat', version: '2.1' });
    const schema = fake.all('schemas')[0]!;
    const datasetId = fake.seed('datasets', { name: 'Chat events', schemaRef: { id: schema['$id'] } });
    const out = await run(activities, 'resolveReused', { sandbox: 'prod', datasetId });
    assert.equal(out.schemaVersion, '2.1');
    assert.equal(out.schemaId, schema['$id']);
  });

  it('the bodies name the major version: "1.2" → version=1, "2.0" → version=2, none → version=1', () => {
    const target = (schemaVersion?: string) =>
      dataLakeTargetBody({
        name: 't',
        schemaId: 'https://ns.adobe.com/t/schemas/s',
        schemaVersion,
        datasetId: 'd',
      }).data.schema.version;
    assert.equal(target('1.2'), `${XED_FULL};version=1`);
    assert.equal(target('2.0'), `${XED_FULL};version=2`);
    assert.equal(target(undefined), `${XED_FULL};version=1`);
    const set = mappingSetBody({
      name: 'm',
      schemaId: 'https://ns.adobe.com/t/schemas/s',
      schemaVersion: '3.4',
      mappings: [],
    });
    assert.equal(set.outputSchema.schemaRef.contentType, `${XED_FULL};version=3`);
    // A content type the set already refers to the schema with is kept as is.
    const kept = mappingSetBody({
      name: 'm',
      schemaId: 'https://ns.adobe.com/t/schemas/s',
      contentType: `${XED_FULL};version=1`,
      schemaVersion: '3.4',
      mappings: [],
    });
    assert.equal(kept.outputSchema.schemaRef.contentType, `${XED_FULL};version=1`);
  });

  it('ensureTargetConnection and ensureMappingSet send the version they are given', async () => {
    const { fake, activities } = setup();
    const schemaId = 'https://ns.adobe.com/faketenant/schemas/abc';
    await run(activities, 'ensureTargetConnection', {
      sandbox: 'prod',
      marker,
      name: `Target [${marker}]`,
      description: `d [${marker}]`,
      datasetId: 'ds1',
      schemaId,
      schemaVersion: '2.3',
    });
    const target = bodyOf(fake, 'flowService.create') as {
      data: { schema: { id: string; version: string } };
    };
    assert.deepEqual(target.data.schema, { id: schemaId, version: `${XED_FULL};version=2` });
    await run(activities, 'ensureMappingSet', {
      sandbox: 'prod',
      marker,
      name: `Support_chat_${marker.replace(/-/g, '_')}`,
      schemaId,
      schemaVersion: '2.3',
      mappings: [],
    });
    const set = bodyOf(fake, 'dataPrep.createMappingSet') as {
      outputSchema: { schemaRef: { id: string; contentType: string } };
    };
    assert.deepEqual(set.outputSchema.schemaRef, { id: schemaId, contentType: `${XED_FULL};version=2` });
  });
});
