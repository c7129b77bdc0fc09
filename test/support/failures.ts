// What a promise was rejected with, checked to be of the expected class: the failure chain is then asserted on.
import assert from 'node:assert/strict';

type ErrorClass<T> = abstract new (...args: never[]) => T;

/** Awaits `p`, fails the test if it resolves, and returns its rejection narrowed to `type`. */
export async function rejection<T extends Error>(p: Promise<unknown>, type: ErrorClass<T>): Promise<T> {
  let resolved = false;
  const err = await p.then(
    () => {
      resolved = true;
      return undefined;
    },
    (e: unknown) => e,
  );
  if (resolved) assert.fail(`expected a ${type.name}, but the call succeeded`);
  assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
  return err;
}
