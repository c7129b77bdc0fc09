// Finds every test/**/*.test.ts (Node 20's test runner does not expand globs) and runs them with node --test, each
// file in a process of its own. Most files start their own servers on free ports and wait on them more than they
// compute, so two run at once on 2 cores (TEST_CONCURRENCY sets how many). The two chaos runs (dozens of onboardings
// at once) and the worker start-up file (it checks a shutdown against its grace time) then run alone on the machine.
// Usage: node scripts/run-tests.mjs [path-filter ...]   e.g. `npm test -- test/emulator`
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { contractVerdict, startContractLog } from './contract-suite.mjs';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'node_modules' ? [] : find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('test')
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const alone = (f) => /(chaos[\\/]chaos|chaos[\\/]slow-creates|e2e[\\/]worker-startup)\.test\.ts$/.test(f);
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 2) || 1);

function run(group, n) {
  if (group.length === 0) return 0;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${n}`, '--test-reporter=spec', ...group],
    { stdio: 'inherit' },
  );
  return r.status ?? 1;
}

const contractLog = startContractLog();
const first = run(
  files.filter((f) => !alone(f)),
  concurrency,
);
const second = run(files.filter(alone), 1);
const contract = contractVerdict(contractLog);
process.exit(first || second || contract);
