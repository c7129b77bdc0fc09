// The contract check around a test run (issue #12), kept out of run-tests.mjs: `startContractLog()` points
// AEP_CONTRACT_LOG at a fresh directory (every test process and the workers they spawn inherit it, and
// createAepClient records each AEP exchange there); `contractVerdict(dir)` then runs scripts/contract-report.ts on it
// and answers its exit code (non-zero when an exchange does not conform). A directory already set in
// AEP_CONTRACT_LOG is used as it is and kept; a fresh one is removed when everything conforms.
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

let fresh = false;

export function startContractLog() {
  if (!process.env.AEP_CONTRACT_LOG) {
    process.env.AEP_CONTRACT_LOG = mkdtempSync(path.join(tmpdir(), 'aep-contract-'));
    fresh = true;
  }
  return process.env.AEP_CONTRACT_LOG;
}

export function contractVerdict(dir) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/contract-report.ts', dir], {
    stdio: 'inherit',
  });
  const status = r.status ?? 1;
  if (status === 0 && fresh) rmSync(dir, { recursive: true, force: true });
  else if (status !== 0) console.error(`AEP contract: the exchanges are kept in ${dir}`);
  return status;
}
