// The contract checker (issue #12): each recorded AEP exchange (src/aep/exchange-log.ts) is checked against the
// matching operation of the derived specs (src/shared/aep-openapi/, scripts/derive-openapi.ts): a path and method the
// spec has, its required headers and query parameters, the request body's schema, a documented response status and
// the response body's schema. The reading of the specs (operation matcher, Ajv) is the emulator's own request
// validator's, src/emulator/core/openapi.ts; known spec bugs are excused by the one allowlist both use,
// src/shared/aep-openapi/allowlist.json, each entry with evidence.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedExchange } from '../../src/aep/exchange-log';
import {
  excused,
  SpecSet,
  type AllowEntry,
  type Issue,
  type JsonObject,
} from '../../src/emulator/core/openapi';

export type { AllowEntry, Issue, Rule } from '../../src/emulator/core/openapi';

const ROOT = path.resolve(__dirname, '..', '..');
export const SPEC_DIR = path.join(ROOT, 'src', 'shared', 'aep-openapi');
export const ALLOWLIST_FILE = path.join(SPEC_DIR, 'allowlist.json');

export interface Verdict {
  exchange: RecordedExchange;
  spec?: string;
  operation?: string;
  issues: Issue[];
  /** Issues the allowlist excused. */
  excused: Issue[];
}

export class ContractChecker {
  private readonly specs: SpecSet;

  constructor(
    docs: Record<string, JsonObject>,
    private readonly allowlist: AllowEntry[] = [],
  ) {
    this.specs = new SpecSet(docs);
  }

  static fromRepo(): ContractChecker {
    const docs: Record<string, JsonObject> = {};
    for (const f of readdirSync(SPEC_DIR).filter((x) => x.endsWith('.json') && x !== 'allowlist.json'))
      docs[f.slice(0, -5)] = JSON.parse(readFileSync(path.join(SPEC_DIR, f), 'utf8')) as JsonObject;
    const allowlist = JSON.parse(readFileSync(ALLOWLIST_FILE, 'utf8')) as { entries: AllowEntry[] };
    return new ContractChecker(docs, allowlist.entries);
  }

  check(exchange: RecordedExchange): Verdict {
    const url = new URL(exchange.url);
    const m = this.specs.match(exchange.method, url.pathname, exchange.service === 'absolute');
    if (m.kind === 'no-spec') return this.verdict(exchange, undefined, undefined, [m.issue]);
    if (m.kind === 'no-operation') return this.verdict(exchange, m.spec.name, m.operation, [m.issue]);
    const headers = Object.fromEntries(
      Object.entries(exchange.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const issues = [
      // The recorder drops the authorization header (it is the token), so its presence cannot be checked here.
      ...this.specs.parameterIssues(
        m.spec,
        m.found,
        { headers, query: url.searchParams },
        (h) => h === 'authorization',
      ),
      ...this.specs.bodyIssues(m.spec, m.found, exchange.requestBody),
      ...this.specs.responseIssues(m.spec, m.found, exchange.status, exchange.responseBody),
    ];
    return this.verdict(exchange, m.spec.name, m.operation, issues);
  }

  private verdict(
    exchange: RecordedExchange,
    spec: string | undefined,
    operation: string | undefined,
    all: Issue[],
  ): Verdict {
    const ok = all.filter((i) => excused(this.allowlist, spec, operation, exchange.status, i));
    return {
      exchange,
      ...(spec ? { spec } : {}),
      ...(operation ? { operation } : {}),
      issues: all.filter((i) => !ok.includes(i)),
      excused: ok,
    };
  }
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
