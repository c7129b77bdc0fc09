// Parallel branches of a saga: none may still be creating when the undos start.
import { type CancellationScope, isCancellation } from '@temporalio/workflow';

/**
 * Awaits every branch; the first failure cancels the siblings (through the shared scope) and is rethrown once all
 * have settled, so that nothing is still in flight when compensation starts.
 */
export async function settleAll<T extends Record<string, Promise<unknown>>>(
  scope: CancellationScope,
  branches: T,
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  let first: unknown;
  let failed = false;
  const entries = Object.entries(branches).map(([key, p]) =>
    p.then(
      (value) => [key, value] as const,
      (err: unknown) => {
        if (!failed || (isCancellation(first) && !isCancellation(err))) first = err;
        if (!failed) {
          failed = true;
          scope.cancel();
        }
        return [key, undefined] as const;
      },
    ),
  );
  const settled = await Promise.all(entries);
  if (failed) throw first;
  return Object.fromEntries(settled) as { [K in keyof T]: Awaited<T[K]> };
}
