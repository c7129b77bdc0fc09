// RFC 6902 JSON Patch, restricted to the ops AEP accepts (add, replace, remove). Pure: returns a new document.

export type JsonPatchFailure = 'invalid' | 'unsupported-op' | 'unknown-path';

export class JsonPatchError extends Error {
  constructor(
    public readonly reason: JsonPatchFailure,
    message: string,
    public readonly path?: string,
  ) {
    super(message);
  }
}

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

const SUPPORTED = new Set(['add', 'replace', 'remove']);

/** RFC 6901 pointer -> tokens ('~1' = '/', '~0' = '~'). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError('invalid', `invalid JSON pointer '${pointer}'`, pointer);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Validates the shape of a patch document (an array of {op, path, value?}). */
export function asPatch(body: unknown): PatchOperation[] {
  if (!Array.isArray(body)) throw new JsonPatchError('invalid', 'a JSON Patch body must be an array');
  return body.map((op: unknown) => {
    const o = op as Partial<PatchOperation> | null;
    if (!o || typeof o !== 'object' || typeof o.op !== 'string' || typeof o.path !== 'string')
      throw new JsonPatchError('invalid', 'each operation needs string "op" and "path"');
    if (!SUPPORTED.has(o.op))
      throw new JsonPatchError('unsupported-op', `operation '${o.op}' is not supported`, o.path);
    if (o.op !== 'remove' && !('value' in o))
      throw new JsonPatchError('invalid', `operation '${o.op}' needs a value`, o.path);
    return o as PatchOperation;
  });
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError('unknown-path', `path '${path}' does not exist`, path);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new JsonPatchError('unknown-path', `path '${path}' does not exist`, path);
  return i;
}

export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const out = structuredClone(doc) as unknown;
  for (const { op, path, value } of asPatch(patch)) {
    const tokens = parsePointer(path);
    const last = tokens.pop();
    if (last === undefined)
      throw new JsonPatchError('unknown-path', 'the document root cannot be patched', path);
    let parent: unknown = out;
    for (const t of tokens) {
      if (Array.isArray(parent)) parent = parent[arrayIndex(parent, t, false, path)];
      else if (isContainer(parent) && Object.hasOwn(parent, t))
        parent = (parent as Record<string, unknown>)[t];
      else throw new JsonPatchError('unknown-path', `path '${path}' does not exist`, path);
    }
    if (!isContainer(parent)) throw new JsonPatchError('unknown-path', `path '${path}' does not exist`, path);
    if (Array.isArray(parent)) {
      const i = arrayIndex(parent, last, op === 'add', path);
      if (op === 'add') parent.splice(i, 0, structuredClone(value));
      else if (op === 'replace') parent[i] = structuredClone(value);
      else parent.splice(i, 1);
      continue;
    }
    const obj = parent;
    if (op !== 'add' && !Object.hasOwn(obj, last))
      throw new JsonPatchError('unknown-path', `path '${path}' does not exist`, path);
    if (op === 'remove') delete obj[last];
    else obj[last] = structuredClone(value);
  }
  return out as T;
}
