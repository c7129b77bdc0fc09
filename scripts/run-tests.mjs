// Finds every test/**/*.test.ts (Node 20's test runner does not expand globs) and runs them with node --test, each
// file in a process of its own. Most files start their own servers on free ports and wait on them more than they
// compute, so two run at once on 2 cores (TEST_CONCURRENCY sets how many). Then the two chaos runs (dozens of onboardings
// at once), side by side, and last the worker start-up file alone (it checks a shutdown against its grace time).
// With --checks, the type check and the lint run beside the first group: test processes spend much of their time
// waiting on servers, and the two checks are pure CPU, so on 2 cores they fill that idle time instead of adding a
// minute and a half in front of the tests. Their output is printed when they end.
// Usage: node scripts/run-tests.mjs [--checks] [path-filter ...]   e.g. `npm test -- test/emulator`
import { readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { contractVerdict, startContractLog } from './contract-suite.mjs';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'node_modules' ? [] : find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const args = process.argv.slice(2);
const withChecks = args.includes('--checks');
const filters = args.filter((a) => a !== '--checks');
const files = find('test')
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// The two chaos runs wait on timeouts and settle windows far more than they compute: side by side, after the rest.
const chaos = (f) => /chaos[\\/](chaos|slow-creates)\.test\.ts$/.test(f);
const alone = (f) => chaos(f) || /e2e[\\/]worker-startup\.test\.ts$/.test(f);
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 2) || 1);

function testArgs(group, n) {
  return ['--import', 'tsx', '--test', `--test-concurrency=${n}`, '--test-reporter=spec', ...group];
}

function runAsync(command, argv, opts) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, opts);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ status: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code) => resolve({ status: code ?? 1, output }));
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const checks = withChecks
  ? [
      ['typecheck', runAsync(npm, ['run', '--silent', 'typecheck'], { stdio: 'pipe' })],
      ['lint', runAsync(npm, ['run', '--silent', 'lint'], { stdio: 'pipe' })],
    ]
  : [];

const contractLog = startContractLog();
const firstGroup = files.filter((f) => !alone(f));
const first =
  firstGroup.length === 0
    ? 0
    : (await runAsync(process.execPath, testArgs(firstGroup, concurrency), { stdio: 'inherit' })).status;
let failedChecks = 0;
for (const [name, pending] of checks) {
  const { status, output } = await pending;
  console.log(`\n== ${name}: ${status === 0 ? 'ok' : `FAILED (exit ${status})`}`);
  if (output.trim()) console.log(output.trimEnd());
  if (status !== 0) failedChecks++;
}
const runGroup = (group, n) =>
  group.length === 0
    ? 0
    : (spawnSync(process.execPath, testArgs(group, n), { stdio: 'inherit' }).status ?? 1);
const second = runGroup(files.filter(chaos), 2);
const third = runGroup(
  files.filter((f) => alone(f) && !chaos(f)),
  1,
);
const contract = contractVerdict(contractLog);
process.exit(first || second || third || contract || (failedChecks ? 1 : 0));
