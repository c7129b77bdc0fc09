// A small typed saga: undos are registered before their create (so they also clean up a create whose answer was
// lost), and run newest first in a non-cancellable scope, each isolated from the others' failures.
import { ApplicationFailure, CancellationScope } from '@temporalio/workflow';
import type { CompensationOutcome } from '../shared/onboarding';
import type { StepName } from '../shared/naming';

export interface UndoResult {
  existed: boolean;
  id?: string;
}

interface Undo {
  step: StepName;
  run: () => Promise<UndoResult>;
  /** The id known when the undo runs, for the report of what is left. */
  currentId: () => string | undefined;
}

export interface CompensationReport {
  undone: CompensationOutcome[];
  left: CompensationOutcome[];
}

export class Saga {
  private readonly undos: Undo[] = [];

  add(step: StepName, run: () => Promise<UndoResult>, currentId: () => string | undefined): void {
    this.undos.push({ step, run, currentId });
  }

  /** No undo registered: no create was ever started. */
  get empty(): boolean {
    return this.undos.length === 0;
  }

  /**
   * Runs every undo, newest first; `onOutcome` sees each result as it lands (for the progress query). An undo
   * failure for which `notCreated` gives a reason is reported as undone (nothing existed), with that reason.
   */
  async compensate(
    onOutcome: (o: CompensationOutcome) => void = () => undefined,
    notCreated: (err: unknown) => string | undefined = () => undefined,
  ): Promise<CompensationReport> {
    const report: CompensationReport = { undone: [], left: [] };
    await CancellationScope.nonCancellable(async () => {
      for (const undo of [...this.undos].reverse()) {
        let outcome: CompensationOutcome;
        try {
          const r = await undo.run();
          outcome = { step: undo.step, outcome: 'undone', id: r.id ?? undo.currentId(), existed: r.existed };
        } catch (err) {
          const reason = undo.currentId() === undefined ? notCreated(err) : undefined;
          outcome = reason
            ? { step: undo.step, outcome: 'undone', existed: false, error: reason }
            : { step: undo.step, outcome: 'left', id: undo.currentId(), error: describeError(err) };
        }
        (outcome.outcome === 'undone' ? report.undone : report.left).push(outcome);
        onOutcome(outcome);
      }
    });
    return report;
  }
}

/** The innermost message of a Temporal failure chain (ActivityFailure -> ApplicationFailure -> ...). */
export function describeError(err: unknown): string {
  let e: unknown = err;
  const parts: string[] = [];
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e.message && !parts.includes(e.message)) parts.push(e.message);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.length ? parts[parts.length - 1]! : String(err);
}

/** The type of the innermost ApplicationFailure in a failure chain, e.g. `AepAccessRefused`. */
export function failureType(err: unknown): string | undefined {
  let e: unknown = err;
  let type: string | undefined;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof ApplicationFailure && e.type) type = e.type;
    e = (e as { cause?: unknown }).cause;
  }
  return type;
}
