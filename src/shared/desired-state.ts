// The desired-state file (`onboardings.yaml`, JSON accepted): many onboardings, each the onboarding workflow's input
// plus `enabled`. Parsed with the `yaml` package and checked as a whole before anything runs: every problem listed
// by its path (`onboardings[2].mappingOverrides[0].source: …`), duplicates refused.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { inputTooDeep, MAX_INPUT_DEPTH, tooDeepProblem } from './depth';
import { OnboardingInputSchema, type Check } from './input';
import { normaliseName } from './naming';
import type { DesiredOnboardingInput } from './owned-state';

export const DESIRED_STATE_VERSION = 1;
const SANDBOX = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Enough for an org's onboardings; a bigger file is more likely a mistake than a plan someone will review. */
export const MAX_DESIRED_ONBOARDINGS = 500;
const MAX_PROBLEMS = 100;

export const DesiredEntrySchema = OnboardingInputSchema.extend({
  /** The flow's state: enabled (default) or disabled. */
  enabled: z.boolean().optional(),
}).strict();

export const DesiredStateFileSchema = z
  .object({
    version: z.literal(DESIRED_STATE_VERSION, { error: `must be ${DESIRED_STATE_VERSION}` }),
    /** The sandbox of every entry that names none (else the worker's AEP_SANDBOX). */
    sandbox: z.string().regex(SANDBOX, 'must be a sandbox name (lower-case letters, digits, -)').optional(),
    onboardings: z.array(DesiredEntrySchema).max(MAX_DESIRED_ONBOARDINGS),
  })
  .strict();

/** One onboarding of the file, its sandbox resolved. */
export type DesiredEntry = DesiredOnboardingInput & { sandbox: string };

export interface DesiredState {
  version: typeof DESIRED_STATE_VERSION;
  /**
   * The sandboxes the file speaks for: its entries' and the one it names. Onboardings of ours there that it does
   * not list are extras (deleted only with --prune); a sandbox it never names is never looked at.
   */
  sandboxes: string[];
  onboardings: DesiredEntry[];
}

/** `onboardings[2].mappingOverrides[0].source` */
export function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(file)';
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The identity of an onboarding: two entries with the same one would be the same onboarding. */
export const entryKey = (e: { sandbox: string; source: string; name: string }) =>
  `${e.sandbox}\n${e.source}\n${normaliseName(e.name)}`;

export interface ParseDesiredOptions {
  /** The sandbox of an entry that names none, when the file names none either (the worker's AEP_SANDBOX). */
  defaultSandbox: string;
  /** Known source ids: an unknown one is a problem of the file, not a failure of one run. */
  knownSources?: readonly string[];
  /** `json`: JSON only; default: YAML (of which JSON is a subset). */
  format?: 'yaml' | 'json';
}

/** The file's document (YAML, or JSON only with `format: 'json'`), before any check of its content. */
export function readDesiredDocument(text: string, format: 'yaml' | 'json' = 'yaml'): Check<unknown> {
  if (format === 'json') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (err) {
      return {
        ok: false,
        problems: [`(file): not JSON: ${err instanceof Error ? err.message : String(err)}`],
      };
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // The yaml package repeats the position at the end of its first line: said once, in front.
        const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return clip(`${at ? `line ${at.line}, column ${at.col}` : '(file)'}: ${message}`);
      }),
    };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
}

/** Parses and checks the whole file; every problem is reported at once, by path. */
export function parseDesiredState(text: string, opts: ParseDesiredOptions): Check<DesiredState> {
  const doc = readDesiredDocument(text, opts.format);
  return doc.ok ? checkDesiredState(doc.value, opts) : doc;
}

/** Unknown sources and duplicate entries (same sandbox, source and normal form of the name); `undefined` is skipped. */
function entryProblems(
  entries: ReadonlyArray<{ sandbox: string; source: string; name: string } | undefined>,
  opts: Omit<ParseDesiredOptions, 'format'>,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    if (!e) return;
    if (opts.knownSources && !opts.knownSources.includes(e.source)) {
      problems.push(
        `onboardings[${i}].source: unknown source "${e.source}"; known: ${opts.knownSources.join(', ')}`,
      );
    }
    const key = entryKey(e);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      problems.push(
        `onboardings[${i}]: duplicate of onboardings[${first}] (sandbox ${e.sandbox}, source ${e.source}, name "${e.name}"): one onboarding, one entry`,
      );
    }
  });
  return problems;
}

/** The checks of an already parsed file (a JSON document from elsewhere goes through here too). */
export function checkDesiredState(
  raw: unknown,
  opts: Omit<ParseDesiredOptions, 'format'>,
): Check<DesiredState> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      problems: ['(file): must be an object: version: 1, onboardings: [ {source, name, …}, … ]'],
    };
  }
  if (inputTooDeep(raw, MAX_INPUT_DEPTH + 2)) return { ok: false, problems: [tooDeepProblem()] };
  const parsed = DesiredStateFileSchema.safeParse(raw);
  if (!parsed.success) {
    // Every problem at once: the entries' own checks too, on what the entries say where it is readable.
    const { onboardings: entries, sandbox: fileSandbox } = raw as {
      onboardings?: unknown;
      sandbox?: unknown;
    };
    const readable = (Array.isArray(entries) ? (entries as unknown[]) : []).map((e) => {
      const { source, name, sandbox } = (e ?? {}) as Record<string, unknown>;
      return typeof source === 'string' && typeof name === 'string'
        ? {
            source,
            name,
            sandbox: [sandbox, fileSandbox, opts.defaultSandbox].find((x) => typeof x === 'string') as string,
          }
        : undefined;
    });
    return {
      ok: false,
      problems: capped([
        ...parsed.error.issues.map((i) => clip(`${pathText(i.path)}: ${i.message}`)),
        ...entryProblems(readable, opts),
      ]),
    };
  }

  const file = parsed.data;
  const onboardings = file.onboardings.map((e): DesiredEntry => ({
    ...e,
    sandbox: e.sandbox ?? file.sandbox ?? opts.defaultSandbox,
  }));
  const problems = entryProblems(onboardings, opts);
  return problems.length
    ? { ok: false, problems: capped(problems) }
    : {
        ok: true,
        value: {
          version: DESIRED_STATE_VERSION,
          sandboxes: [
            ...new Set([...(file.sandbox ? [file.sandbox] : []), ...onboardings.map((o) => o.sandbox)]),
          ].sort(),
          onboardings,
        },
      };
}

function capped(problems: string[]): string[] {
  return problems.length > MAX_PROBLEMS
    ? [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problem(s)`]
    : problems;
}
