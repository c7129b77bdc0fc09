// One Temporal dev server for a whole test run (started by scripts/run-tests.mjs): it prints its address on one
// line, then serves until its standard input closes or it is sent SIGTERM or SIGINT. The suites each register a
// namespace of their own on it (test/support/temporal.ts, createOnboardingServerEnv).
import { startDevServer } from '../test/support/infra';

async function main(): Promise<void> {
  const env = await startDevServer();
  process.stdout.write(`${env.address}\n`);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= env.teardown().finally(() => process.exit(0));
    return stopping;
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // The runner that started it may die without a signal: its end closes this pipe.
  process.stdin.once('end', () => void stop());
  process.stdin.once('close', () => void stop());
  process.stdin.resume();
}

main().catch((err: unknown) => {
  console.error('shared dev server:', err instanceof Error ? err.message : err);
  process.exit(1);
});
