// JSON Pointer helpers and the three-way PATCH (If-Match, re-read and re-diff on 412) that the flow and base
// connection updates share.
import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import { AepPreconditionFailedError, type IdEtag, type JsonPatchOp } from '../../aep';
import type { FieldConflict, PatchOutput } from '../../shared/contracts/lifecycle';
import { LIFECYCLE_FAILURES } from '../../shared/onboarding';

/** 412s in a row before the activity gives up this attempt (Temporal retries it later, with backoff). */
export const MAX_PRECONDITION_RETRIES = 5;

function pointerTokens(pointer: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pointerGet(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const t of pointerTokens(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur ?? undefined;
}

/** `add` on the first missing ancestor (with the rest nested in its value), `replace` when the path exists. */
function opFor(doc: unknown, pointer: string, value: unknown): JsonPatchOp {
  if (pointerGet(doc, pointer) !== undefined) return { op: 'replace', path: pointer, value };
  const tokens = pointerTokens(pointer);
  let depth = 1;
  while (depth < tokens.length && pointerGet(doc, `/${tokens.slice(0, depth).join('/')}`) !== undefined)
    depth++;
  let nested = value;
  for (let i = tokens.length - 1; i >= depth; i--) nested = { [tokens[i]!]: nested };
  return { op: 'add', path: `/${tokens.slice(0, depth).join('/')}`, value: nested };
}

/**
 * PATCH with If-Match, three-way: `base` is the entity as first read. On 412 it re-reads, and a field someone else
 * changed (theirs differs from base) to a value other than ours is a real conflict, surfaced with both values;
 * anything else is re-diffed against the fresh entity and retried with its etag.
 */
export async function patchThreeWay<E extends { etag: string }>(opts: {
  read: () => Promise<E>;
  want: (entity: E) => Record<string, unknown>;
  patch: (ops: JsonPatchOp[], etag: string) => Promise<IdEtag>;
  what: string;
}): Promise<PatchOutput> {
  const base = await opts.read();
  let current = base;
  for (let failures = 0; failures <= MAX_PRECONDITION_RETRIES; failures++) {
    const want = opts.want(current);
    if (current !== base) {
      const conflicts: FieldConflict[] = [];
      for (const [path, ours] of Object.entries(want)) {
        const theirs = pointerGet(current, path);
        const before = pointerGet(base, path);
        if (!isDeepStrictEqual(theirs, before) && !isDeepStrictEqual(theirs, ours)) {
          conflicts.push({ path, base: before, ours, theirs });
        }
      }
      if (conflicts.length) {
        const list = conflicts
          .map(
            (c) =>
              `${c.path}: someone else set ${JSON.stringify(c.theirs)} (was ${JSON.stringify(c.base)}), ` +
              `this update wanted ${JSON.stringify(c.ours)}`,
          )
          .join('; ');
        throw ApplicationFailure.create({
          type: LIFECYCLE_FAILURES.updateConflict,
          nonRetryable: true,
          message: `Conflicting change on ${opts.what} while this update ran: ${list}. Nothing of this update was applied to those fields; run it again to overwrite.`,
          details: [{ conflicts }],
        });
      }
    }
    const ops = Object.entries(want)
      .filter(([path, value]) => !isDeepStrictEqual(pointerGet(current, path), value))
      .map(([path, value]) => opFor(current, path, value));
    if (!ops.length) return { id: '', etag: current.etag, changed: [], preconditionFailures: failures };
    try {
      const res = await opts.patch(ops, current.etag);
      return {
        id: res.id,
        etag: res.etag,
        changed: Object.keys(want).filter((p) => !isDeepStrictEqual(pointerGet(current, p), want[p])),
        preconditionFailures: failures,
      };
    } catch (err) {
      if (!(err instanceof AepPreconditionFailedError)) throw err;
      current = await opts.read();
    }
  }
  throw ApplicationFailure.retryable(
    `${opts.what} kept changing under this update (${MAX_PRECONDITION_RETRIES + 1} etag mismatches in a row)`,
    LIFECYCLE_FAILURES.updateRaced,
  );
}
