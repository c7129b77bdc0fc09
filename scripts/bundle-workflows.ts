// `npm run build:bundle [-- <file>]`: writes the workflow bundle (default dist/workflow-bundle.js) for a worker started
// with WORKFLOW_BUNDLE_PATH=<file>, which then skips bundling at start-up. The worker runs whatever the file holds:
// rebuild it whenever src/workflows, or anything they import, changes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleOnboardingWorkflows } from '../src/temporal/worker-factory';

export const DEFAULT_BUNDLE_PATH = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');

export async function writeWorkflowBundle(
  file = DEFAULT_BUNDLE_PATH,
): Promise<{ file: string; bytes: number }> {
  const { code } = await bundleOnboardingWorkflows();
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  // A worker starting meanwhile reads the old file or the new one, never half of one.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, target);
  return { file: target, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const [file, ...extra] = process.argv.slice(2);
  if (extra.length) {
    console.error('usage: npm run build:bundle [-- <output file>]');
    process.exit(2);
  }
  writeWorkflowBundle(file).then(
    (out) => console.log(`workflow bundle: ${out.file} (${Math.round(out.bytes / 1024)} KiB)`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
