/**
 * Dynamic config every local dev server of this project starts with (`npm start`, the tests, the benchmark).
 *
 * The history service reads its transfer queue (where "a workflow task is ready" and "an activity is ready" wait
 * to be handed to matching) at most `history.transferProcessorMaxPollRPS` times a second per shard, 20 by default.
 * The dev server has a single shard, so once the reader's burst is spent every dispatch waits up to 50 ms for its
 * turn: measured here, a workflow of 8 sequential no-op activities took 450 ms instead of 145 ms, and an onboarding
 * paid it on each of its ~9 workflow tasks. A production cluster spreads workflows over hundreds of shards, which
 * is why the default is safe there; deploy/temporal/dynamicconfig/production-sql.yaml raises it too, with the
 * trade-off explained.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'history.transferProcessorMaxPollRPS': 1000,
};

/** `--dynamic-config-value key=value` arguments for `temporal server start-dev`, with `extra` taking precedence. */
export function devServerDynamicConfigArgs(
  extra: Readonly<Record<string, string | number | boolean>> = {},
): string[] {
  return Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...extra }).flatMap(([k, v]) => [
    '--dynamic-config-value',
    `${k}=${JSON.stringify(v)}`,
  ]);
}
