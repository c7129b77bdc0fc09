// `property=` list filters and `orderby` (Flow Service §5.4; the same grammar serves SR / Catalog lists).
// Grammar: `path op value`, op one of == != < > <= >= ~ (regex), or a bare path (= exists). After == / != a
// comma list means any-of / none-of; values may be double-quoted. Paths are dotted, with `[]` marking an array
// (`transformations[].params.mappingId`). By default arrays are also traversed without `[]`, so
// `sourceConnectionIds==X` matches when any element equals X; with `{ bracketedArrays: true }` (Flow Service, whose
// sort-and-filter guide says an array in the path must carry `[]`) only `[]` segments open an array, and a path
// that meets an array without `[]` matches nothing.

export type FilterOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | '~' | 'exists';

export interface PropertyFilter {
  path: string[];
  /** Given only when parsed with `bracketedArrays`: per segment of `path`, whether it was written with `[]`. */
  arrays?: boolean[];
  op: FilterOp;
  values: string[];
}

export interface FilterOptions {
  /** Only `[]` segments traverse arrays (Flow Service). Default: every array is traversed. */
  bracketedArrays?: boolean;
}

export class FilterError extends Error {}

const EXPR = /^\s*([A-Za-z0-9_@:$.\-[\]]+?)\s*(==|!=|<=|>=|<|>|~)\s*(.*?)\s*$/s;
const BARE = /^\s*([A-Za-z0-9_@:$.\-[\]]+)\s*$/;

function splitPath(path: string): { path: string[]; arrays: boolean[] } {
  const raw = path.split('.');
  const segments = raw.map((s) => s.replace(/\[\]/g, ''));
  if (segments.some((s) => s === '')) throw new FilterError(`invalid property path '${path}'`);
  return { path: segments, arrays: raw.map((s) => s.endsWith('[]')) };
}

function unquote(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Splits on commas outside double quotes. */
function splitValues(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map(unquote);
}

export function parseProperty(expr: string, opts: FilterOptions = {}): PropertyFilter {
  const m = EXPR.exec(expr);
  const at = (raw: string) => {
    const { path, arrays } = splitPath(raw);
    return opts.bracketedArrays ? { path, arrays } : { path };
  };
  if (!m) {
    const bare = BARE.exec(expr);
    if (!bare) throw new FilterError(`invalid property filter '${expr}'`);
    return { ...at(bare[1] as string), op: 'exists', values: [] };
  }
  const op = m[2] as FilterOp;
  const raw = m[3] as string;
  const values = op === '==' || op === '!=' ? splitValues(raw) : [unquote(raw)];
  if (op === '~') {
    try {
      new RegExp(values[0] as string);
    } catch {
      throw new FilterError(`invalid regular expression in '${expr}'`);
    }
  }
  return { ...at(m[1] as string), op, values };
}

/**
 * Every value reachable by `path`, arrays flattened at each step; or, given `arrays` (which segments carry `[]`),
 * arrays flattened only after those segments.
 */
export function valuesAt(entity: unknown, path: string[], arrays?: boolean[]): unknown[] {
  if (arrays) return bracketedValuesAt(entity, path, arrays);
  let current: unknown[] = [entity];
  for (const key of path) {
    const next: unknown[] = [];
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v !== null && typeof v === 'object' && key in v)
        next.push((v as Record<string, unknown>)[key]);
    };
    current.forEach(visit);
    current = next;
  }
  return current
    .flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]))
    .filter((v) => v !== undefined && v !== null);
}

function bracketedValuesAt(entity: unknown, path: string[], arrays: boolean[]): unknown[] {
  let current: unknown[] = [entity];
  path.forEach((key, i) => {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !(key in v)) continue;
      const child = (v as Record<string, unknown>)[key];
      if (arrays[i] && Array.isArray(child)) next.push(...(child as unknown[]));
      else next.push(child);
    }
    current = next;
  });
  return current.filter((v) => v !== undefined && v !== null);
}

function equals(v: unknown, target: string): boolean {
  if (typeof v === 'number') return target.trim() !== '' && Number(target) === v;
  if (typeof v === 'boolean') return String(v) === target.toLowerCase();
  return typeof v === 'string' && v === target;
}

function compare(v: unknown, target: string): number | undefined {
  const n = Number(target);
  if (typeof v === 'number' && target.trim() !== '' && !Number.isNaN(n)) return v - n;
  if (typeof v === 'string') return v < target ? -1 : v > target ? 1 : 0;
  return undefined;
}

export function matches(entity: unknown, f: PropertyFilter): boolean {
  const vals = valuesAt(entity, f.path, f.arrays);
  const target = f.values[0] ?? '';
  switch (f.op) {
    case 'exists':
      return vals.length > 0;
    case '==':
      return vals.some((v) => f.values.some((t) => equals(v, t)));
    case '!=':
      return !vals.some((v) => f.values.some((t) => equals(v, t)));
    case '~': {
      const re = new RegExp(target);
      return vals.some((v) => (typeof v === 'string' || typeof v === 'number') && re.test(String(v)));
    }
    default: {
      const test = { '<': (c: number) => c < 0, '>': (c: number) => c > 0, '<=': (c: number) => c <= 0 }[
        f.op as '<' | '>' | '<='
      ];
      const ok = test ?? ((c: number) => c >= 0);
      return vals.some((v) => {
        const c = compare(v, target);
        return c !== undefined && ok(c);
      });
    }
  }
}

/** Keeps the items matching every filter (repeated `property=` is AND). */
export function filterItems<T>(items: T[], expressions: string[], opts: FilterOptions = {}): T[] {
  const filters = expressions.map((e) => parseProperty(e, opts));
  return items.filter((item) => filters.every((f) => matches(item, f)));
}

export interface OrderBy {
  path: string[];
  descending: boolean;
}

/** `orderby=-createdAt` / `+name` / `name` ('+' may arrive decoded as a space). */
export function parseOrderBy(raw: string): OrderBy {
  const t = raw.trim();
  const descending = t.startsWith('-');
  const field = t.replace(/^[-+]/, '').trim();
  if (!/^[A-Za-z0-9_$]+(\.[A-Za-z0-9_$]+)*$/.test(field)) throw new FilterError(`invalid orderby '${raw}'`);
  return { path: field.split('.'), descending };
}

/** Stable sort; items without the field go last. */
export function sortItems<T>(items: T[], order: OrderBy): T[] {
  const key = (item: T): unknown => valuesAt(item, order.path)[0];
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
    const c =
      typeof ka === 'number' && typeof kb === 'number'
        ? ka - kb
        : JSON.stringify(ka).localeCompare(JSON.stringify(kb));
    return order.descending ? -c : c;
  });
}
