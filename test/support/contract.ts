// The contract checker (issue #12): each recorded AEP exchange (src/aep/exchange-log.ts) is checked against the
// matching operation of the derived specs (src/shared/aep-openapi/, scripts/derive-openapi.ts): a path and method the
// spec has, its required headers and query parameters, the request body's schema, a documented response status and
// the response body's schema. Known spec bugs are excused by test/contract/allowlist.json, each entry with evidence.
//
// Validator: Ajv 8 (with ajv-formats) over a small operation matcher of our own. The derived specs are OpenAPI 3.0,
// whose schema objects Ajv validates directly (it knows `nullable`; `strict: false` lets it skip `example`, `xml`
// and the other annotation keywords), and Ajv is the validator that openapi-backend and openapi-request-validator
// wrap. Those wrappers are built to validate live requests inside a server and route them to handlers; checking a
// log of finished exchanges after the fact needs only "which operation is this" plus Ajv, which is 30 lines and
// reports each failure with its JSON pointer.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { RecordedExchange } from '../../src/aep/exchange-log';

const ROOT = path.resolve(__dirname, '..', '..');
export const SPEC_DIR = path.join(ROOT, 'src', 'shared', 'aep-openapi');
export const ALLOWLIST_FILE = path.join(ROOT, 'test', 'contract', 'allowlist.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
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
  /** "METHOD /template" as in the spec, or "*". */
  operation: string;
  rule: Rule;
  /** Statuses the entry covers (undocumented-status, response-body); all when absent. */
  status?: number[];
  /** A regular expression the issue's message must match (one schema error per issue). */
  match?: string;
  reason: string;
  /** Spec line, Adobe docs URL: why this is the spec's bug and not ours. */
  evidence: string;
}

export interface Verdict {
  exchange: RecordedExchange;
  spec?: string;
  operation?: string;
  issues: Issue[];
  /** Issues the allowlist excused. */
  excused: Issue[];
}

interface Operation {
  method: string;
  template: string;
  segments: string[];
  literals: number;
  op: JsonObject;
  pathItem: JsonObject;
}

interface Spec {
  name: string;
  doc: JsonObject;
  basePath: string;
  /** Host of the server URL when the spec is not on platform.adobe.io (the inlet). */
  absolute: boolean;
  operations: Operation[];
}

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

export class ContractChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  private readonly specs: Spec[];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(
    docs: Record<string, JsonObject>,
    private readonly allowlist: AllowEntry[] = [],
  ) {
    addFormats(this.ajv);
    this.specs = Object.entries(docs).map(([name, doc]) => loadSpec(name, doc));
    for (const s of this.specs) this.ajv.addSchema({ components: s.doc.components ?? {} }, `spec:${s.name}`);
  }

  static fromRepo(): ContractChecker {
    const docs: Record<string, JsonObject> = {};
    for (const f of readdirSync(SPEC_DIR).filter((x) => x.endsWith('.json')))
      docs[f.slice(0, -5)] = JSON.parse(readFileSync(path.join(SPEC_DIR, f), 'utf8')) as JsonObject;
    const allowlist = JSON.parse(readFileSync(ALLOWLIST_FILE, 'utf8')) as { entries: AllowEntry[] };
    return new ContractChecker(docs, allowlist.entries);
  }

  check(exchange: RecordedExchange): Verdict {
    const url = new URL(exchange.url);
    const absolute = exchange.service === 'absolute';
    const spec = this.specs.find(
      (s) => s.absolute === absolute && (s.basePath === '' || url.pathname.startsWith(`${s.basePath}/`)),
    );
    if (!spec)
      return this.verdict(exchange, undefined, undefined, [nope(`no derived spec serves ${url.pathname}`)]);
    const rest = url.pathname.slice(spec.basePath.length).split('/').filter(Boolean).map(decodeSegment);
    const candidates = spec.operations
      .filter(
        (o) =>
          o.segments.length === rest.length && o.segments.every((s, i) => s.startsWith('{') || s === rest[i]),
      )
      .sort((a, b) => b.literals - a.literals);
    const found = candidates.find((o) => o.method === exchange.method);
    if (!found) {
      const known = [...new Set(candidates.map((o) => `${o.method} ${o.template}`))].join(', ') || 'none';
      const template = candidates[0]?.template ?? url.pathname;
      return this.verdict(exchange, spec, `${exchange.method} ${template}`, [
        nope(
          `${exchange.method} ${url.pathname}: no such operation in ${spec.name} (on this path: ${known})`,
        ),
      ]);
    }
    return this.verdict(
      exchange,
      spec,
      `${found.method} ${found.template}`,
      this.issuesOf(spec, found, exchange, url),
    );
  }

  private verdict(
    exchange: RecordedExchange,
    spec: Spec | undefined,
    operation: string | undefined,
    all: Issue[],
  ): Verdict {
    const excused = all.filter((i) => this.allowed(spec?.name, operation, exchange.status, i));
    return {
      exchange,
      ...(spec ? { spec: spec.name } : {}),
      ...(operation ? { operation } : {}),
      issues: all.filter((i) => !excused.includes(i)),
      excused,
    };
  }

  private allowed(
    spec: string | undefined,
    operation: string | undefined,
    status: number,
    issue: Issue,
  ): boolean {
    return this.allowlist.some(
      (e) =>
        e.rule === issue.rule &&
        (e.spec === '*' || e.spec === spec) &&
        (e.operation === '*' || e.operation === operation) &&
        (e.status === undefined || e.status.includes(status)) &&
        (e.match === undefined || new RegExp(e.match).test(issue.message)),
    );
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

  private issuesOf(spec: Spec, o: Operation, ex: RecordedExchange, url: URL): Issue[] {
    const issues: Issue[] = [];
    const params = [
      ...(Array.isArray(o.pathItem.parameters) ? o.pathItem.parameters : []),
      ...(Array.isArray(o.op.parameters) ? o.op.parameters : []),
    ]
      .map((p) => this.deref(spec, p))
      .filter((p): p is JsonObject => p !== undefined);
    const headers = Object.fromEntries(
      Object.entries(ex.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]),
    );
    for (const p of params) {
      const name = typeof p.name === 'string' ? p.name : '';
      const schema = this.deref(spec, p.schema);
      if (p.in === 'header') {
        // The recorder drops the authorization header (it is the token), so its presence cannot be checked here.
        if (name.toLowerCase() === 'authorization') continue;
        const value = headers[name.toLowerCase()];
        if (value === undefined) {
          if (p.required === true)
            issues.push({ rule: 'header', message: `required header ${name} missing` });
        } else if (schema && schema.enum !== undefined) {
          issues.push(...this.schemaIssues(spec, schema, value, 'header', `header ${name}`));
        }
      } else if (p.in === 'query') {
        const values = url.searchParams.getAll(name);
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

    const requestBody = this.deref(spec, o.op.requestBody);
    if (requestBody) {
      const schema = this.schemaOfContent(spec, requestBody);
      if (ex.requestBody === undefined || ex.requestBody === '') {
        if (requestBody.required === true)
          issues.push({ rule: 'request-body', message: 'required request body missing' });
      } else if (schema) {
        const body = parseJson(ex.requestBody);
        if (body === undefined) issues.push({ rule: 'request-body', message: 'request body is not JSON' });
        else issues.push(...this.schemaIssues(spec, schema, body.value, 'request-body', 'request body'));
      }
    }

    const responses = isObject(o.op.responses) ? o.op.responses : {};
    const key = [String(ex.status), `${String(ex.status)[0]}XX`, `${String(ex.status)[0]}xx`, 'default'].find(
      (k) => k in responses,
    );
    if (key === undefined) {
      issues.push({
        rule: 'undocumented-status',
        message: `status ${ex.status} is not among the documented ${Object.keys(responses).join(', ')}`,
      });
      return issues;
    }
    const response = this.deref(spec, responses[key]);
    const schema = response && this.schemaOfContent(spec, response);
    if (schema && ex.responseBody.trim() !== '') {
      const body = parseJson(ex.responseBody);
      if (body === undefined)
        issues.push({ rule: 'response-body', message: `${ex.status} body is not JSON` });
      else issues.push(...this.schemaIssues(spec, schema, body.value, 'response-body', `${ex.status} body`));
    }
    return issues;
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

/** Every exchange of every .jsonl file in `dir`; `torn` counts lines a killed process left half written. */
export function readExchanges(dir: string): { exchanges: RecordedExchange[]; torn: number } {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return { exchanges: [], torn: 0 };
  }
  let torn = 0;
  const exchanges = files.sort().flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as RecordedExchange];
        } catch {
          torn++;
          return [];
        }
      }),
  );
  return { exchanges, torn };
}

export interface Report {
  conforming: number;
  verdicts: Verdict[];
  /** The non-conforming ones. */
  failures: Verdict[];
  /** Exchanges left out: answers a test injected (x-emulator-fault), not the emulator's. */
  injected: number;
}

export function checkExchanges(exchanges: RecordedExchange[], checker = ContractChecker.fromRepo()): Report {
  const own = exchanges.filter((e) => e.responseHeaders['x-emulator-fault'] === undefined);
  const verdicts = own.map((e) => checker.check(e));
  const failures = verdicts.filter((v) => v.issues.length > 0);
  return {
    conforming: verdicts.length - failures.length,
    verdicts,
    failures,
    injected: exchanges.length - own.length,
  };
}

export function formatReport(r: Report, maxDetails = 50): string {
  const lines = [`${r.conforming} exchanges conform, ${r.failures.length} do not`];
  if (r.injected > 0) lines[0] += ` (${r.injected} injected-fault answers left out)`;
  // The same defect usually repeats across many exchanges: show each distinct one once, with a count.
  const groups = new Map<string, { v: Verdict; n: number }>();
  for (const v of r.failures) {
    const key = `${v.operation ?? v.exchange.url} ${v.exchange.status} ${v.issues.map((i) => i.message).join('|')}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { v, n: 1 });
  }
  for (const { v, n } of [...groups.values()].slice(0, maxDetails)) {
    const where = v.operation ? `${v.spec}: ${v.operation}` : v.exchange.url;
    lines.push(
      `- ${where} -> ${v.exchange.status}${n > 1 ? ` (x${n})` : ''} [${v.exchange.method} ${v.exchange.url}]`,
    );
    for (const i of v.issues) lines.push(`    ${i.rule}: ${i.message}`);
  }
  if (groups.size > maxDetails) lines.push(`... and ${groups.size - maxDetails} more distinct failures`);
  return lines.join('\n');
}
