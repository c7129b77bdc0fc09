// The contract recorder (issue #12): with AEP_CONTRACT_LOG=<dir>, every AEP exchange of this process is appended as
// one JSON line to <dir>/exchanges-<pid>-<random>.jsonl, for scripts/contract-report.ts to check against Adobe's
// specs. The exchanges are the transport's redacted ones (no authorization header, no secret), so a log recorded
// against the real AEP is safe to keep. Appends are synchronous: a line is whole even if the process is killed.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Exchange } from './http';

export const CONTRACT_LOG_ENV = 'AEP_CONTRACT_LOG';

/** One line of the log: the exchange and when it ended. */
export interface RecordedExchange extends Exchange {
  at: string;
}

let fileForProcess: string | undefined;

/** The recorder for AEP_CONTRACT_LOG, or undefined when it is not set. One file per process. */
export function exchangeRecorderFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ((exchange: Exchange) => void) | undefined {
  const dir = env[CONTRACT_LOG_ENV];
  if (!dir) return undefined;
  return (exchange) => {
    if (fileForProcess === undefined || path.dirname(fileForProcess) !== path.resolve(dir)) {
      mkdirSync(dir, { recursive: true });
      fileForProcess = path.resolve(dir, `exchanges-${process.pid}-${randomBytes(4).toString('hex')}.jsonl`);
    }
    const line: RecordedExchange = { at: new Date().toISOString(), ...exchange };
    appendFileSync(fileForProcess, `${JSON.stringify(line)}\n`);
  };
}

/** Both hooks, in order; either may be absent. */
export function bothExchangeHooks(
  a: ((exchange: Exchange) => void) | undefined,
  b: ((exchange: Exchange) => void) | undefined,
): ((exchange: Exchange) => void) | undefined {
  if (!a || !b) return a ?? b;
  return (exchange) => {
    a(exchange);
    b(exchange);
  };
}
