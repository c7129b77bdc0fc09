// What `doctor` prints: one line per check (✓ ok, ✗ failed, ! warning, - skipped) and, under each failure, what to
// do. The same document with --json.

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id for scripts: `ims-token`, `sandbox`, `preset:chatlio:connection-spec`, `temporal-worker`, … */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to change, for failures and warnings. */
  fix?: string;
  /** The value found, for scripts (and --deep): the tenant id, the sandbox's type. */
  value?: string;
}

export interface DeepReport {
  sandbox: string;
  workflowId?: string;
  /** completed: onboarded and torn down; failed: see `error`. */
  status: 'completed' | 'failed';
  error?: string;
  /** What the read-back GETs found, by resource: `flow 200`, … */
  readBack: Array<{ resource: string; status: number }>;
  teardown?: string;
}

export interface DoctorReport {
  status: 'ok' | 'failed';
  exitCode: number;
  checks: CheckResult[];
  deep?: DeepReport;
  record?: { file: string; operations: number };
}

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '!', skip: '-' };

export function formatChecks(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const lines = report.checks.flatMap((c) => [
    `${MARK[c.status]} ${c.title.padEnd(width)}  ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`  ${' '.repeat(width)}  fix: ${c.fix}`] : []),
  ]);
  if (report.deep) {
    const d = report.deep;
    lines.push(
      '',
      `Deep check in sandbox ${d.sandbox}: ${d.status}${d.workflowId ? ` (workflow ${d.workflowId})` : ''}`,
      ...(d.error ? [`  ${d.error}`] : []),
      ...(d.readBack.length
        ? [`  read back: ${d.readBack.map((r) => `${r.resource} ${r.status}`).join(', ')}`]
        : []),
      ...(d.teardown ? [`  teardown: ${d.teardown}`] : []),
    );
  }
  if (report.record)
    lines.push('', `Recorded ${report.record.operations} response shapes to ${report.record.file}`);
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  lines.push(
    '',
    failed || report.deep?.status === 'failed'
      ? `${failed} check(s) failed${report.deep?.status === 'failed' ? ', deep check failed' : ''}.`
      : `All checks passed${warned ? ` (${warned} warning(s))` : ''}.`,
  );
  return lines.join('\n');
}
