// The one reading of the derived OpenAPI specs (src/shared/aep-openapi/): which operation a request is, and what of
// it breaks the spec: its required headers and query parameters, the request body's schema, a documented status and
// the response body's schema. Two users: the emulator refuses requests that break it (./spec-validation.ts), and the
// contract check judges recorded exchanges (test/support/contract.ts). Known spec bugs are excused by one allowlist,
// src/shared/aep-openapi/allowlist.json, each entry with evidence.
//
// Validator: Ajv 8 (with ajv-formats) over a small operation matcher of our own. The derived specs are OpenAPI 3.0,
// whose schema objects Ajv validates directly (it knows `nullable`; `strict: false` lets it skip `example`, `xml`
// and the other annotation keywords), and Ajv is the validator that openapi-backend and openapi-request-validator
// wrap. Those wrappers route requests to handlers too; the emulator has its router, so it needs only "which
// operation is this" plus Ajv, which reports each failure with its JSON pointer. No I/O here: callers pass the docs.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type Rule =
  'no-operation' | 'header' | 'query' | 'request-body' | 'undocumented-status' | 'response-body';

export interface Issue {
  rule: Rule;
  message: string;
}

export interface AllowEntry {
  /** The spec file's name without .json, or "*". */
  spec: string;
  /** "METHOD /template" as in the spec (or several), or "*". */
  operation: string | string[];
  /** The rules it excuses (a spec bug can show in requests and answers alike). */
  rule: Rule | Rule[];
  /** Statuses the entry covers (undocumented-status, response-body); all when absent. */
  status?: number[];
  /** A regular expression the issue's message must match (one schema error per issue). */
  match?: string;
  reason: string;
  /** Spec line, Adobe docs URL: why this is the spec's bug and not ours. */
  evidence: string;
}

/** Whether `entries` excuse `issue`; `status` is the answer's (absent while a request is being judged). */
export function excused(
  entries: readonly AllowEntry[],
  spec: string | undefined,
  operation: string | undefined,
  status: number | undefined,
  issue: Issue,
): boolean {
  return entries.some(
    (e) =>
      (Array.isArray(e.rule) ? e.rule.includes(issue.rule) : e.rule === issue.rule) &&
      (e.spec === '*' || e.spec === spec) &&
      (e.operation === '*' ||
        (Array.isArray(e.operation) ? e.operation.includes(operation ?? '') : e.operation === operation)) &&
      (e.status === undefined || (status !== undefined && e.status.includes(status))) &&
      (e.match === undefined || new RegExp(e.match).test(issue.message)),
  );
}

export interface Operation {
  method: string;
  template: string;
  segments: string[];
  literals: number;
  op: JsonObject;
  pathItem: JsonObject;
}

export interface Spec {
  name: string;
  doc: JsonObject;
  basePath: string;
  /** Host of the server URL when the spec is not on platform.adobe.io (the inlet). */
  absolute: boolean;
  operations: Operation[];
}

/** A request as the checks see it: lower-case header names, the query, the body's text. */
export interface RequestParts {
  headers: Record<string, string | undefined>;
  query: URLSearchParams;
  body?: string;
}

export type Matched =
  | { kind: 'found'; spec: Spec; found: Operation; operation: string }
  /** A spec serves the path but has no such operation (`operation` is the method and the nearest template). */
  | { kind: 'no-operation'; spec: Spec; operation: string; issue: Issue }
  | { kind: 'no-spec'; issue: Issue };

function basePathOf(doc: JsonObject): { basePath: string; absolute: boolean } {
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  const url = isObject(servers[0]) && typeof servers[0].url === 'string' ? servers[0].url : '/';
  const u = new URL(url.replace(/\{environment\}/, 'platform'), 'https://platform.adobe.io');
  return { basePath: u.pathname.replace(/\/$/, ''), absolute: u.hostname !== 'platform.adobe.io' };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function loadSpec(name: string, doc: JsonObject): Spec {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const segments = template.split('/').filter(Boolean);
    for (const m of METHODS) {
      const op = item[m];
      if (!isObject(op)) continue;
      const literals = segments.filter((s) => !s.startsWith('{')).length;
      operations.push({ method: m.toUpperCase(), template, segments, literals, op, pathItem: item });
    }
  }
  return { name, doc, ...basePathOf(doc), operations };
}

export class SpecSet {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  readonly specs: Spec[];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(docs: Record<string, JsonObject>) {
    addFormats(this.ajv);
    this.specs = Object.entries(docs).map(([name, doc]) => loadSpec(name, doc));
    for (const s of this.specs) this.ajv.addSchema({ components: s.doc.components ?? {} }, `spec:${s.name}`);
  }

  /**
   * The operation `method pathname` is. `absolute`: the request went to a spec's own host (the inlet's); when
   * undefined (the emulator serves every host on one origin) the platform specs are tried first.
   */
  match(method: string, pathname: string, absolute?: boolean): Matched {
    const spec =
      this.specs.find(
        (s) =>
          s.absolute === (absolute ?? false) && (s.basePath === '' || pathname.startsWith(`${s.basePath}/`)),
      ) ??
      (absolute === undefined
        ? this.specs.find((s) => s.absolute && (s.basePath === '' || pathname.startsWith(`${s.basePath}/`)))
        : undefined);
    if (!spec) return { kind: 'no-spec', issue: nope(`no derived spec serves ${pathname}`) };
    const rest = pathname.slice(spec.basePath.length).split('/').filter(Boolean).map(decodeSegment);
    const candidates = spec.operations
      .filter(
        (o) =>
          o.segments.length === rest.length && o.segments.every((s, i) => s.startsWith('{') || s === rest[i]),
      )
      .sort((a, b) => b.literals - a.literals);
    const found = candidates.find((o) => o.method === method);
    if (found) return { kind: 'found', spec, found, operation: `${found.method} ${found.template}` };
    const known = [...new Set(candidates.map((o) => `${o.method} ${o.template}`))].join(', ') || 'none';
    return {
      kind: 'no-operation',
      spec,
      operation: `${method} ${candidates[0]?.template ?? pathname}`,
      issue: nope(`${method} ${pathname}: no such operation in ${spec.name} (on this path: ${known})`),
    };
  }

  /** Required headers present (except those `skipHeader` names), enums of headers, query parameters' schemas. */
  parameterIssues(
    spec: Spec,
    o: Operation,
    req: RequestParts,
    skipHeader: (name: string) => boolean,
  ): Issue[] {
    const issues: Issue[] = [];
    const params = [
      ...(Array.isArray(o.pathItem.parameters) ? o.pathItem.parameters : []),
      ...(Array.isArray(o.op.parameters) ? o.op.parameters : []),
    ]
      .map((p) => this.deref(spec, p))
      .filter((p): p is JsonObject => p !== undefined);
    for (const p of params) {
      const name = typeof p.name === 'string' ? p.name : '';
      const schema = this.deref(spec, p.schema);
      if (p.in === 'header') {
        if (skipHeader(name.toLowerCase())) continue;
        const value = req.headers[name.toLowerCase()];
        if (value === undefined) {
          if (p.required === true)
            issues.push({ rule: 'header', message: `required header ${name} missing` });
        } else if (schema && schema.enum !== undefined) {
          issues.push(...this.schemaIssues(spec, schema, value, 'header', `header ${name}`));
        }
      } else if (p.in === 'query') {
        const values = req.query.getAll(name);
        if (values.length === 0) {
          if (p.required === true)
            issues.push({ rule: 'query', message: `required query parameter ${name} missing` });
        } else if (schema) {
          const value =
            schema.type === 'array'
              ? values.map((v) => coerce(v, items(schema)))
              : coerce(values[0]!, schema);
          issues.push(...this.schemaIssues(spec, schema, value, 'query', `query ${name}`));
        }
      }
    }
    return issues;
  }

  /** The request body against the operation's schema (`body` undefined or '': none sent). */
  bodyIssues(spec: Spec, o: Operation, body: string | undefined): Issue[] {
    const requestBody = this.deref(spec, o.op.requestBody);
    if (!requestBody) return [];
    const schema = this.schemaOfContent(spec, requestBody);
    if (body === undefined || body === '')
      return requestBody.required === true
        ? [{ rule: 'request-body', message: 'required request body missing' }]
        : [];
    if (!schema) return [];
    const parsed = parseJson(body);
    if (parsed === undefined) return [{ rule: 'request-body', message: 'request body is not JSON' }];
    return this.schemaIssues(spec, schema, parsed.value, 'request-body', 'request body');
  }

  /** A documented status, and the response body against its schema. */
  responseIssues(spec: Spec, o: Operation, status: number, body: string): Issue[] {
    const responses = isObject(o.op.responses) ? o.op.responses : {};
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find(
      (k) => k in responses,
    );
    if (key === undefined)
      return [
        {
          rule: 'undocumented-status',
          message: `status ${status} is not among the documented ${Object.keys(responses).join(', ')}`,
        },
      ];
    const response = this.deref(spec, responses[key]);
    const schema = response && this.schemaOfContent(spec, response);
    if (!schema || body.trim() === '') return [];
    const parsed = parseJson(body);
    if (parsed === undefined) return [{ rule: 'response-body', message: `${status} body is not JSON` }];
    return this.schemaIssues(spec, schema, parsed.value, 'response-body', `${status} body`);
  }

  private deref(spec: Spec, node: Json | undefined): JsonObject | undefined {
    let n = node;
    for (let i = 0; i < 10 && isObject(n) && typeof n.$ref === 'string'; i++) n = pointer(spec.doc, n.$ref);
    return isObject(n) ? n : undefined;
  }

  private validator(spec: Spec, schema: JsonObject): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      v = this.ajv.compile(rebase(schema, `spec:${spec.name}`) as object);
      this.compiled.set(schema, v);
    }
    return v;
  }

  /** One issue per schema error, so that an allowlist entry excuses exactly the errors it names. */
  private schemaIssues(spec: Spec, schema: JsonObject, value: unknown, rule: Rule, where: string): Issue[] {
    const validate = this.validator(spec, schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 20).map((e) => ({ rule, message: `${where}: ${describe(e)}` }));
  }

  /** The JSON media type's schema. */
  private schemaOfContent(spec: Spec, holder: JsonObject): JsonObject | undefined {
    const content = isObject(holder.content) ? holder.content : {};
    const type = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content)[0];
    const media = type === undefined ? undefined : content[type];
    return isObject(media)
      ? (this.deref(spec, media.schema) ?? (isObject(media.schema) ? media.schema : undefined))
      : undefined;
  }
}

function nope(message: string): Issue {
  return { rule: 'no-operation', message };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function pointer(doc: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** Local refs point into the spec's components, which Ajv knows under `spec:<name>`. */
function rebase(node: Json, id: string): Json {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id),
    ]),
  );
}

function items(schema: JsonObject): JsonObject {
  return isObject(schema.items) ? schema.items : {};
}

/** Query values are strings on the wire; the spec types them. */
function coerce(value: string, schema: JsonObject): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && value.trim() !== '' && !isNaN(Number(value)))
    return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
  const allowed = e.keyword === 'enum' ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}${allowed}`;
}
