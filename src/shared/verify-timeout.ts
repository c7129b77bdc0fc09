// How long a verification waits for AEP to count its samples: one rule for the inputs, the CLI and the workflows.
// Workflow-safe (no imports).

/**
 * How long verify waits, in all, for AEP to count the samples, when the caller names no timeout: streamed records
 * land in the data lake within minutes (Adobe: p95 under 15 minutes), and the run metrics are aggregated after that.
 */
export const DEFAULT_VERIFY_TIMEOUT_MS = 15 * 60_000;
/** The bounds of a verify timeout the caller names (the onboarding's input, the verify workflow's, the CLI's). */
export const MIN_VERIFY_TIMEOUT_MS = 1_000;
export const MAX_VERIFY_TIMEOUT_MS = 24 * 3_600_000;
/** The workflow's checks back off from the first wait to the cap, doubling: cheap on AEP over 15 minutes. */
export const VERIFY_POLL = { firstMs: 5_000, maxMs: 60_000 } as const;

/** Why a verify timeout is refused (undefined: accepted). One rule for every caller. */
export function verifyTimeoutProblem(ms: unknown): string | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isInteger(ms)) return 'must be a whole number of milliseconds';
  if (ms < MIN_VERIFY_TIMEOUT_MS || ms > MAX_VERIFY_TIMEOUT_MS)
    return `must be between ${MIN_VERIFY_TIMEOUT_MS} ms (1 s) and ${MAX_VERIFY_TIMEOUT_MS} ms (24 h)`;
  return undefined;
}
