// `doctor --record <file>`: the shapes of every AEP answer doctor's own client got (its checks, and with --deep the
// read-back of everything the run created). Exchanges arrive redacted (src/aep/http.ts) and stay in memory; only
// their shapes are written, with every id the run knows replaced by its name in the paths and queries.
import { writeFileSync } from 'node:fs';
import type { Exchange } from '../aep';
import {
  mergeShapes,
  shapeOf,
  SHAPES_FORMAT,
  type RecordedOperation,
  type ShapeRecording,
} from '../shared/shapes';

/** `{name}` for each known id value; longer values first, so an id inside another is not cut. */
function templater(ids: Record<string, string>): (text: string) => string {
  const pairs = Object.entries(ids)
    .filter(([, v]) => v.length >= 3)
    .flatMap(([k, v]) => [
      [v, k],
      [encodeURIComponent(v), k],
    ])
    .sort(([a], [b]) => b!.length - a!.length);
  return (text) => pairs.reduce((t, [value, name]) => t.split(value!).join(`{${name}}`), text);
}

function responseShape(ex: Exchange, keyNames: Record<string, string>): RecordedOperation['response'] {
  if (ex.responseBody.trim() === '') return 'empty';
  try {
    return shapeOf(JSON.parse(ex.responseBody), keyNames);
  } catch {
    return 'not-json';
  }
}

export class ShapeRecorder {
  private readonly exchanges: Exchange[] = [];

  readonly onExchange = (ex: Exchange): void => {
    this.exchanges.push(ex);
  };

  /**
   * The recording, with `ids` (name -> value) templated out; `tenantId` names the `_{TENANT}` key, and a path segment
   * that is the sandbox's name becomes `{sandbox}` (whole segments only: a name may be as short as `qa`).
   */
  build(ids: Record<string, string>, tenantId?: string, sandbox?: string): ShapeRecording {
    const byValue = templater(ids);
    const template = (text: string) =>
      byValue(text)
        .split('/')
        .map((seg) => (sandbox && seg === encodeURIComponent(sandbox) ? '{sandbox}' : seg))
        .join('/');
    const keyNames: Record<string, string> = {};
    for (const [name, value] of Object.entries(ids)) keyNames[value] = `{${name}}`;
    if (tenantId) keyNames[`_${tenantId}`] = '_{TENANT}';
    const byKey = new Map<string, RecordedOperation>();
    for (const ex of this.exchanges) {
      const url = new URL(ex.url);
      const path = template(url.pathname);
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = byValue(v);
      const op: RecordedOperation = {
        operation: `${ex.method} ${path}`,
        method: ex.method,
        path,
        ...(Object.keys(query).length ? { query } : {}),
        ...(ex.requestHeaders['accept'] ? { accept: ex.requestHeaders['accept'] } : {}),
        status: ex.status,
        ...(ex.responseHeaders['content-type']
          ? { contentType: ex.responseHeaders['content-type'].split(';')[0]!.trim() }
          : {}),
        response: responseShape(ex, keyNames),
      };
      const key = JSON.stringify([op.operation, op.query ?? {}, op.accept, op.status]);
      const seen = byKey.get(key);
      if (seen && typeof seen.response === 'object' && typeof op.response === 'object') {
        seen.response = mergeShapes(seen.response, op.response);
      } else if (!seen) {
        byKey.set(key, op);
      }
    }
    return { format: SHAPES_FORMAT, operations: [...byKey.values()] };
  }

  write(file: string, ids: Record<string, string>, tenantId?: string, sandbox?: string): number {
    const recording = this.build(ids, tenantId, sandbox);
    writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
    return recording.operations.length;
  }
}
