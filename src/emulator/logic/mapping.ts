// Data Prep mapping sets (reference §4.2): normalisation of the three request forms to form A, a small
// expression language, and application of a mapping set to a raw source JSON document.
//
// Choices [U]: a function whose argument is missing yields "missing" (so the destination is skipped, like a
// missing ATTRIBUTE source) instead of failing the record. STATIC sources are strings, as in the API; converting
// a value to its destination field's type is done afterwards against the schema (xdm.ts `coerceToSchema`).
import { randomUUID } from 'node:crypto';
import { parsePath } from './xdm';

export type SourceType = 'ATTRIBUTE' | 'EXPRESSION' | 'STATIC';
export const SOURCE_TYPES: readonly SourceType[] = ['ATTRIBUTE', 'EXPRESSION', 'STATIC'];

export interface Mapping {
  sourceType: SourceType;
  source: string;
  destination: string;
  name?: string;
  description?: string;
  identity?: boolean;
  primaryIdentity?: boolean;
}

export interface SchemaRef {
  id: string;
  contentType: string;
}

/** A mapping-set request in form A, whatever form it arrived in. */
export interface NormalisedMappingSet {
  outputSchema: { schemaRef: SchemaRef };
  mappings: Mapping[];
  name?: string;
  description?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const DEFAULT_CONTENT_TYPE = 'application/vnd.adobe.xed-full+json;version=1';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * Reads the output schema from form A/C (`outputSchema.schemaRef`) or form B (`xdmSchema` + `xdmVersion`).
 * Full GET bodies also carry a top-level `schemaRef`; it is accepted so a client can PUT back what it read.
 */
function readSchemaRef(body: Record<string, unknown>): SchemaRef | undefined {
  const out = isRecord(body.outputSchema) ? body.outputSchema : undefined;
  const ref =
    out && isRecord(out.schemaRef) ? out.schemaRef : isRecord(body.schemaRef) ? body.schemaRef : undefined;
  const id = str(ref?.id) ?? str(body.xdmSchema);
  if (!id) return undefined;
  const version = str(body.xdmVersion);
  const contentType =
    str(ref?.contentType) ?? (version ? `application/vnd.adobe.xed-full+json;version=${version}` : undefined);
  return { id, contentType: contentType ?? DEFAULT_CONTENT_TYPE };
}

/**
 * Data Prep echoes ATTRIBUTE as `text/x.schema-path` and EXPRESSION as `text/x.aep-xl`; reading either back means
 * the enum value, so a GET body can be PUT back unchanged.
 */
function readSourceType(v: unknown): SourceType | undefined {
  if (v === undefined || v === null || v === 'text/x.schema-path') return 'ATTRIBUTE';
  if (v === 'text/x.aep-xl') return 'EXPRESSION';
  if (typeof v !== 'string') return undefined;
  const upper = v.toUpperCase();
  return (SOURCE_TYPES as readonly string[]).includes(upper) ? (upper as SourceType) : undefined;
}

function normaliseMapping(raw: unknown, i: number): Result<Mapping> {
  if (!isRecord(raw)) return { ok: false, errors: [`mappings[${i}] must be an object`] };
  const errors: string[] = [];
  const sourceType = readSourceType(raw.sourceType);
  if (!sourceType) errors.push(`mappings[${i}].sourceType must be one of ${SOURCE_TYPES.join(', ')}`);
  const rawSource = raw.source ?? raw.sourceAttribute;
  const source =
    sourceType === 'STATIC' && (typeof rawSource === 'number' || typeof rawSource === 'boolean')
      ? String(rawSource)
      : sourceType === 'STATIC' && typeof rawSource === 'string'
        ? rawSource
        : str(rawSource);
  if (source === undefined) errors.push(`mappings[${i}] needs a source (or sourceAttribute)`);
  const destination = str(raw.destination) ?? str(raw.destinationXdmPath);
  if (!destination) errors.push(`mappings[${i}] needs a destination (or destinationXdmPath)`);
  if (errors.length || !sourceType || source === undefined || !destination) return { ok: false, errors };
  const m: Mapping = { sourceType, source, destination };
  if (typeof raw.name === 'string') m.name = raw.name;
  if (typeof raw.description === 'string') m.description = raw.description;
  if (typeof raw.identity === 'boolean') m.identity = raw.identity;
  if (typeof raw.primaryIdentity === 'boolean') m.primaryIdentity = raw.primaryIdentity;
  return { ok: true, value: m };
}

/** Normalises request forms A (current), B (legacy `xdmSchema` + legacy items) and C (hybrid) to form A. */
export function normaliseMappingSet(body: unknown): Result<NormalisedMappingSet> {
  if (!isRecord(body)) return { ok: false, errors: ['the mapping set must be a JSON object'] };
  const errors: string[] = [];
  const schemaRef = readSchemaRef(body);
  if (!schemaRef) errors.push('outputSchema.schemaRef.id (or xdmSchema) is required');
  if (!Array.isArray(body.mappings)) errors.push('mappings must be an array');
  const mappings: Mapping[] = [];
  (Array.isArray(body.mappings) ? body.mappings : []).forEach((raw, i) => {
    const r = normaliseMapping(raw, i);
    if (r.ok) mappings.push(r.value);
    else errors.push(...r.errors);
  });
  for (const m of mappings) {
    if (!parsePath(m.destination)) errors.push(`destination "${m.destination}" is not a valid path`);
    const e = expressionError(m);
    if (e) errors.push(e);
  }
  if (errors.length || !schemaRef) return { ok: false, errors };
  const value: NormalisedMappingSet = { outputSchema: { schemaRef }, mappings };
  if (typeof body.name === 'string') value.name = body.name;
  if (typeof body.description === 'string') value.description = body.description;
  return { ok: true, value };
}

// ---- Expressions -------------------------------------------------------------------------------------------

type Expr =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'field'; path: string }
  | { kind: 'call'; name: string; args: Expr[] };

const MISSING = Symbol('missing');

interface EvalContext {
  now: () => number;
  uuid: () => string;
}

const FUNCTIONS: Record<
  string,
  { arity: [number, number]; fn: (args: unknown[], ctx: EvalContext) => unknown }
> = {
  uuid: { arity: [0, 0], fn: (_a, ctx) => ctx.uuid() },
  guid: { arity: [0, 0], fn: (_a, ctx) => ctx.uuid() },
  now: { arity: [0, 0], fn: (_a, ctx) => new Date(ctx.now()).toISOString() },
  concat: { arity: [1, Infinity], fn: (args) => args.map(toText).join('') },
  lower: { arity: [1, 1], fn: ([v]) => toText(v).toLowerCase() },
  upper: { arity: [1, 1], fn: ([v]) => toText(v).toUpperCase() },
  trim: { arity: [1, 1], fn: ([v]) => toText(v).trim() },
  to_string: { arity: [1, 1], fn: ([v]) => toText(v) },
};

function toText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export class ExpressionError extends Error {}

/** Recursive-descent parser: call(args), 'string' / "string" literals, numbers, true/false, field paths. */
export function parseExpression(src: string): Expr {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new ExpressionError(`${msg} at position ${pos} in expression "${src}"`);
  };
  const ws = (): void => {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
  };
  const parse = (): Expr => {
    ws();
    const c = src[pos];
    if (c === undefined) return fail('unexpected end');
    if (c === '"' || c === "'") {
      let out = '';
      pos++;
      while (pos < src.length && src[pos] !== c) {
        if (src[pos] === '\\' && pos + 1 < src.length) pos++;
        out += src[pos++];
      }
      if (src[pos] !== c) fail('unterminated string');
      pos++;
      return { kind: 'literal', value: out };
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(pos));
    if (num) {
      pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_$][\w$]*(?:\[\d+\])*(?:\.[A-Za-z_$@][\w$@-]*(?:\[\d+\])*)*/.exec(src.slice(pos));
    if (!ident) return fail(`unexpected character '${c}'`);
    pos += ident[0].length;
    ws();
    if (src[pos] !== '(') {
      if (ident[0] === 'true' || ident[0] === 'false') return { kind: 'literal', value: ident[0] === 'true' };
      return { kind: 'field', path: ident[0] };
    }
    const name = ident[0].toLowerCase();
    const spec = FUNCTIONS[name];
    if (!spec) fail(`unknown function ${ident[0]}()`);
    pos++;
    const args: Expr[] = [];
    ws();
    if (src[pos] === ')') pos++;
    else {
      for (;;) {
        args.push(parse());
        ws();
        if (src[pos] === ',') pos++;
        else if (src[pos] === ')') {
          pos++;
          break;
        } else fail("expected ',' or ')'");
      }
    }
    if (spec && (args.length < spec.arity[0] || args.length > spec.arity[1]))
      fail(
        `${name}() takes ${spec.arity[0]}${spec.arity[1] === spec.arity[0] ? '' : '+'} argument(s), got ${args.length}`,
      );
    return { kind: 'call', name, args };
  };
  const expr = parse();
  ws();
  if (pos < src.length) fail('unexpected trailing input');
  return expr;
}

function evaluate(expr: Expr, source: unknown, ctx: EvalContext): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'field':
      return getPath(source, expr.path) ?? MISSING;
    case 'call': {
      const args: unknown[] = [];
      for (const a of expr.args) {
        const v = evaluate(a, source, ctx);
        if (v === MISSING) return MISSING;
        args.push(v);
      }
      return FUNCTIONS[expr.name]!.fn(args, ctx);
    }
  }
}

/** The parse error of an EXPRESSION mapping, if any. */
export function expressionError(m: Mapping): string | undefined {
  if (m.sourceType !== 'EXPRESSION') return undefined;
  try {
    parseExpression(m.source);
    return undefined;
  } catch (e) {
    if (e instanceof ExpressionError) return e.message;
    throw e;
  }
}

// ---- Application -------------------------------------------------------------------------------------------

/** Reads `a.b[0].c` from a JSON value; undefined when any step is absent or null. */
export function getPath(root: unknown, path: string): unknown {
  const parts = parsePath(path);
  if (!parts) return undefined;
  let cur: unknown = root;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur ?? undefined;
}

/** Writes `value` at a destination path, creating nested objects (and arrays for `[n]` steps). */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = parsePath(path);
  if (!parts) throw new ExpressionError(`invalid destination path "${path}"`);
  let cur: Record<string | number, unknown> = root;
  parts.forEach((p, i) => {
    const next = parts[i + 1];
    if (next === undefined) {
      cur[p] = value;
      return;
    }
    const existing = cur[p];
    if (existing === null || typeof existing !== 'object') cur[p] = typeof next === 'number' ? [] : {};
    cur = cur[p] as Record<string | number, unknown>;
  });
}

export interface ApplyOptions {
  now?: () => number;
  uuid?: () => string;
}

/** Applies mappings to one raw source document; missing source values leave their destination unset. */
export function applyMappings(
  mappings: Mapping[],
  source: unknown,
  opts: ApplyOptions = {},
): { record: Record<string, unknown>; errors: string[] } {
  const ctx: EvalContext = { now: opts.now ?? Date.now, uuid: opts.uuid ?? randomUUID };
  const record: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const m of mappings) {
    let value: unknown;
    try {
      if (m.sourceType === 'ATTRIBUTE') value = getPath(source, m.source) ?? MISSING;
      else if (m.sourceType === 'STATIC') value = m.source;
      else value = evaluate(parseExpression(m.source), source, ctx);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      errors.push(`${m.destination}: ${e.message}`);
      continue;
    }
    if (value !== MISSING) setPath(record, m.destination, structuredClone(value));
  }
  return { record, errors };
}
