// The onboarding workflow's one input object, validated with zod before any API call: by the CLI before it starts a
// run, and by the workflow's first (local) activity, since the Web UI and `temporal workflow start` skip the CLI.
// The workflow bundle itself carries no zod: see src/activities/validation.ts.
import { z } from 'zod';
import { inputTooDeep, MAX_INPUT_DEPTH, tooDeepProblem } from './depth';
import { normaliseName } from './naming';
import { MappingSchema } from './preset-schema';
import { verifyTimeoutProblem } from './verify-timeout';

const SANDBOX = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A name a person gives (the onboarding's, a schema title, a dataset name), in its normal form (normaliseName).
 * Letters of any script, digits, spaces and a few marks: nothing that AEP's filter syntaxes read as an operator
 * (`,` any-of and `*` wildcard in Catalog, `==` `!=` `~` and quotes in Flow Service), so an exact look-up by name
 * always means what it says.
 */
function displayName(max: number) {
  return z
    .string()
    .transform(normaliseName)
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        // \p{M}: the combining marks Devanagari, Thai and many other scripts are written with.
        .regex(
          /^[\p{L}\p{M}\p{N} _.:()'&-]+$/u,
          "may contain letters, digits, spaces and _ . : ( ) ' & - only",
        ),
    );
}

export const FlowOptionsSchema = z
  .object({
    errorDiagnosticsEnabled: z.boolean().optional(),
    partialIngestionPercent: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export const OnboardingInputSchema = z
  .object({
    source: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{1,40}$/,
        'must be a preset id such as "chatlio" (lower-case letters, digits, -)',
      ),
    name: displayName(80),
    description: z.string().max(500).optional(),
    /** AEP sandbox; defaults to the worker's AEP_SANDBOX. */
    sandbox: z.string().regex(SANDBOX, 'must be a sandbox name (lower-case letters, digits, -)').optional(),
    /** Reuse an existing schema ($id or meta:altId) instead of creating one (with its field group). */
    schemaId: z.string().min(1).max(300).optional(),
    /** Reuse an existing dataset instead of creating one; its schema is reused too. */
    datasetId: z
      .string()
      .regex(/^[A-Za-z0-9]{8,64}$/, 'must be a Catalog dataset id')
      .optional(),
    /** Titles a person chose: the same alphabet as `name`, since AEP's list filters read `,` `*` `"` `~` as syntax. */
    schemaTitle: displayName(200).optional(),
    datasetName: displayName(200).optional(),
    /** Added to the preset's mappings, replacing a preset mapping with the same destination. */
    mappingOverrides: z.array(MappingSchema).max(500).optional(),
    /** Destinations whose preset mappings are dropped. */
    dropMappings: z.array(z.string().min(1)).max(500).optional(),
    flow: FlowOptionsSchema.optional(),
    /** Post each sample event to the webhook after creation and fail (and compensate) if one does not land. */
    verify: z.boolean().optional(),
    /** How long verify waits for AEP to count the samples (ms); default 15 minutes. */
    verifyTimeoutMs: z
      .number()
      .optional()
      .superRefine((ms, ctx) => {
        const problem = verifyTimeoutProblem(ms);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Verify posts with `syncValidation=true`: an invalid sample is refused at once, with its errors (dev only). */
    verifySyncValidation: z.boolean().optional(),
  })
  .strict();

export type OnboardingInput = z.input<typeof OnboardingInputSchema>;
export type ValidOnboardingInput = z.output<typeof OnboardingInputSchema>;

const MAX_PROBLEMS = 20;
const MAX_PROBLEM_LENGTH = 200;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * One line per problem, `path: message`, so a person sees every mistake at once; capped in count and length, since
 * the message lands in the history, the CLI and the Web UI (a 50 kB key name must not become a 50 kB error).
 */
export function formatIssues(error: z.ZodError): string[] {
  const lines = error.issues.map((i) =>
    clip(`${i.path.length ? clip(i.path.join('.'), 60) : '(input)'}: ${i.message}`, MAX_PROBLEM_LENGTH),
  );
  return lines.length > MAX_PROBLEMS
    ? [...lines.slice(0, MAX_PROBLEMS), `… and ${lines.length - MAX_PROBLEMS} more problem(s)`]
    : lines;
}

export type Check<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Parses one JSON object with `schema`; `example` shows the expected shape when the input is not an object. */
export function checkObject<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  example: string,
): Check<z.output<S>> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [`(input): must be one JSON object, e.g. ${example}`] };
  }
  // Before zod, whose recursive walk (like every JSON.stringify on the way) would overflow the stack on it.
  if (inputTooDeep(raw, MAX_INPUT_DEPTH)) return { ok: false, problems: [tooDeepProblem()] };
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, problems: formatIssues(parsed.error) };
}

export function checkOnboardingInput(raw: unknown): Check<ValidOnboardingInput> {
  return checkObject(OnboardingInputSchema, raw, '{"source":"chatlio","name":"Support chat"}');
}
