import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJsonPatch, JsonPatchError, parsePointer } from '../../src/emulator/logic/jsonpatch';

const doc = { name: 'n', params: { a: 1, 'x/y': 2 }, list: ['a', 'b'] };

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof JsonPatchError) return err.reason;
    throw err;
  }
  return 'none';
}

void describe('JSON patch', () => {
  void it('applies add, replace and remove without touching the input', () => {
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/name', value: 'm' },
      { op: 'add', path: '/description', value: 'd' },
      { op: 'remove', path: '/params/a' },
      { op: 'add', path: '/list/1', value: 'c' },
      { op: 'add', path: '/list/-', value: 'z' },
      { op: 'replace', path: '/params/x~1y', value: 3 },
    ]);
    assert.deepEqual(out, { name: 'm', description: 'd', params: { 'x/y': 3 }, list: ['a', 'c', 'b', 'z'] });
    assert.deepEqual(doc, { name: 'n', params: { a: 1, 'x/y': 2 }, list: ['a', 'b'] });
  });

  void it('decodes pointers', () => {
    assert.deepEqual(parsePointer('/a~1b/c~0d/0'), ['a/b', 'c~d', '0']);
    assert.deepEqual(parsePointer(''), []);
  });

  void it('refuses unsupported ops, unknown paths and malformed bodies', () => {
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'move', from: '/name', path: '/x' }])),
      'unsupported-op',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'test', path: '/name', value: 'n' }])),
      'unsupported-op',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])),
      'unknown-path',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'remove', path: '/params/b' }])),
      'unknown-path',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/b/c', value: 1 }])),
      'unknown-path',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'replace', path: '/list/5', value: 1 }])),
      'unknown-path',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'replace', path: '', value: 1 }])),
      'unknown-path',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, { op: 'add' })),
      'invalid',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'add', path: '/x' }])),
      'invalid',
    );
    assert.equal(
      reason(() => applyJsonPatch(doc, [{ op: 'add', path: 'x', value: 1 }])),
      'invalid',
    );
  });
});
