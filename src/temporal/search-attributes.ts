// Makes sure the onboarding search attributes exist on the namespace, so `npm run worker` against any fresh
// `temporal server start-dev` just works. On Temporal Cloud the operator API is not open to workers: say exactly
// what to add instead.
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../shared/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

export const TYPE_TO_INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface EnsureResult {
  added: string[];
  present: string[];
}

export class MissingSearchAttributesError extends Error {
  constructor(
    readonly missing: Array<{ name: string; type: string }>,
    cause: unknown,
  ) {
    super(
      `The namespace lacks search attributes ${missing.map((m) => m.name).join(', ')} and this worker may not add ` +
        `them (${(cause as Error)?.message ?? cause}). Add them once, e.g. on Temporal Cloud:\n` +
        missing
          .map(
            (m) =>
              `  tcld namespace search-attributes add -n <namespace> --sa "${m.name}=${m.type.toLowerCase()}"`,
          )
          .join('\n') +
        `\nor on a self-hosted cluster:\n` +
        missing
          .map((m) => `  temporal operator search-attribute create --name ${m.name} --type ${m.type}`)
          .join('\n'),
      { cause },
    );
  }
}

export async function ensureSearchAttributes(
  connection: NativeConnection,
  namespace: string,
): Promise<EnsureResult> {
  const wanted = ONBOARDING_SEARCH_ATTRIBUTES.map((k) => ({ name: k.name, type: k.type }));
  let existing: Set<string>;
  try {
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    existing = new Set(Object.keys(res.customAttributes ?? {}));
  } catch (err) {
    // Temporal Cloud closes the operator API to workers; the frontend still tells which attributes exist.
    const keys = await connection.workflowService
      .getSearchAttributes({})
      .then((r) => Object.keys(r.keys ?? {}))
      .catch(() => undefined);
    if (!keys) throw new MissingSearchAttributesError(wanted, err);
    existing = new Set(keys);
    const missing = wanted.filter((w) => !existing.has(w.name));
    if (missing.length) throw new MissingSearchAttributesError(missing, err);
    return { added: [], present: wanted.map((w) => w.name) };
  }
  const missing = wanted.filter((w) => !existing.has(w.name));
  if (missing.length === 0) return { added: [], present: wanted.map((w) => w.name) };
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((m) => [m.name, TYPE_TO_INDEXED[m.type]!])),
    });
  } catch (err) {
    // Two workers starting at once may race: fine if they are there now.
    const res = await connection.operatorService.listSearchAttributes({ namespace }).catch(() => undefined);
    const now = new Set(Object.keys(res?.customAttributes ?? {}));
    if (!missing.every((m) => now.has(m.name))) throw new MissingSearchAttributesError(missing, err);
  }
  return {
    added: missing.map((m) => m.name),
    present: wanted.filter((w) => existing.has(w.name)).map((w) => w.name),
  };
}
