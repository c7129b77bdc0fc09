// How the undo and the teardown of a mapping set read Data Prep's answer to DELETE, which its spec does not publish
// (data-prep.yaml): 405/501 is "no delete offered" (left, never undone), and a 404 is checked by a GET.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { FAILURE_TYPES } from '../../src/shared/failures';
import { aepErrors, fakeActivities } from '../support/fake-aep';
import { rejection } from '../support/failures';

function setup() {
  const { fake, activities } = fakeActivities();
  const id = fake.seed('mappingSets', { name: 'Support_chat_aepo_x', version: 0 });
  const remove = () =>
    new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(
      (input: { sandbox: string; id: string }) => activities.removeMappingSet(input),
      { sandbox: 'prod', id },
    );
  return { fake, id, remove };
}

const deleteAnswers = (status: number, id: string) =>
  aepErrors.http(status, { method: 'DELETE', path: `/data/foundation/conversion/mappingSets/${id}` });

describe('mapping-set delete: what AEP answered is confirmed, a refusal is left', () => {
  for (const status of [405, 501]) {
    it(`DELETE answered ${status}: non-retryable DeleteNotOffered, the set still there`, async () => {
      const { fake, id, remove } = setup();
      fake.fail('dataPrep.deleteMappingSet', () => deleteAnswers(status, id));
      const failure = await rejection(remove(), ApplicationFailure);
      assert.equal(failure.type, FAILURE_TYPES.deleteNotOffered);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /AEP offers no mapping-set delete/);
      assert.match(failure.message, /stays, unused/);
      assert.equal(fake.all('mappingSets').length, 1);
    });
  }

  it('DELETE answered 404 while a GET still finds the set: DeleteNotConfirmed, not "already gone"', async () => {
    const { fake, id, remove } = setup();
    fake.fail('dataPrep.deleteMappingSet', () => deleteAnswers(404, id));
    const failure = await rejection(remove(), ApplicationFailure);
    assert.equal(failure.type, FAILURE_TYPES.deleteNotConfirmed);
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(fake.methods(), ['dataPrep.deleteMappingSet', 'dataPrep.getMappingSet']);
  });

  it('DELETE answered 404 and the GET 404 too: already gone', async () => {
    const { fake, id, remove } = setup();
    fake.fail('dataPrep.deleteMappingSet', () => deleteAnswers(404, id), { landFirst: true });
    assert.deepEqual(await remove(), { existed: false, id });
    assert.deepEqual(fake.methods(), ['dataPrep.deleteMappingSet', 'dataPrep.getMappingSet']);
  });

  it('DELETE answered 204: deleted, no GET', async () => {
    const { fake, id, remove } = setup();
    assert.deepEqual(await remove(), { existed: true, id });
    assert.deepEqual(fake.methods(), ['dataPrep.deleteMappingSet']);
  });
});
