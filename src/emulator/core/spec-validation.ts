// The emulator speaks the spec (issue #12): every request to an operation of the derived specs
// (src/shared/aep-openapi/) is checked against it, as AEP checks what it is sent, and a violation is answered 400 in
// the owning service's error shape, naming each failing field (./errors.ts `specViolation`). Spec bugs a request the
// client sends per Adobe's docs would trip are excused by the allowlist the contract check uses too.
// Off with `specValidation: false` (`--no-spec-validation`).
import allowlistFile from '../../shared/aep-openapi/allowlist.json';
import catalog from '../../shared/aep-openapi/catalog.json';
import dataPrep from '../../shared/aep-openapi/data-prep.json';
import flowService from '../../shared/aep-openapi/flow-service.json';
import observabilityInsights from '../../shared/aep-openapi/observability-insights.json';
import sandboxManagement from '../../shared/aep-openapi/sandbox-management.json';
import schemaRegistry from '../../shared/aep-openapi/schema-registry.json';
import streamingIngestion from '../../shared/aep-openapi/streaming-ingestion.json';
import { specViolation } from './errors';
import {
  excused,
  SpecSet,
  type AllowEntry,
  type Issue,
  type JsonObject,
  type Operation,
  type Spec,
} from './openapi';

// JSON imports, not a read of the directory: tsc copies them into dist/, which is all the emulator image has.
const DOCS = {
  catalog,
  'data-prep': dataPrep,
  'flow-service': flowService,
  'observability-insights': observabilityInsights,
  'sandbox-management': sandboxManagement,
  'schema-registry': schemaRegistry,
  'streaming-ingestion': streamingIngestion,
} as unknown as Record<string, JsonObject>;
const ALLOWLIST = (allowlistFile as unknown as { entries: AllowEntry[] }).entries;

/**
 * Headers another layer answers first, each in its own documented way, so they are not answered twice: the
 * gateway's (credentials, org, sandbox, Content-Type: ./gateway.ts), Flow Service's If-Match (FLOW-1403-400, after
 * its 404) and Schema Registry's Accept (406 / XDM-1010-400, routes/schemaregistry-read.ts).
 */
const ANSWERED_ELSEWHERE = new Set([
  'authorization',
  'x-api-key',
  'x-gw-ims-org-id',
  'x-sandbox-name',
  'content-type',
  'if-match',
  'accept',
]);

let specs: SpecSet | undefined;

/** Compiled once per process, on first use: every emulator in it shares the compiled validators. */
function specSet(): SpecSet {
  specs ??= new SpecSet(DOCS);
  return specs;
}

/** The checks of one request's operation: its parameters now, its body when the handler reads it. */
export interface RequestCheck {
  /** Throws the service's 400 when a required header or query parameter is missing or a value breaks its schema. */
  parameters(headers: Record<string, string | undefined>, query: URLSearchParams): void;
  /** Throws the service's 400 when the body breaks the operation's request schema. */
  body(text: string): void;
}

/**
 * The checks for `method path`, or undefined when no spec has that operation (emulator-only routes such as the
 * mapping-set DELETE, or a route the router refuses anyway). The body is checked when the handler parses it
 * (RequestContext.json), so each handler's own documented order (e.g. 404 before a bad PATCH body) stands.
 */
export function requestCheck(method: string, path: string): RequestCheck | undefined {
  const set = specSet();
  const m = set.match(method, path);
  if (m.kind !== 'found') return undefined;
  const refuse = (issues: Issue[]): void => {
    const left = issues.filter((i) => !excused(ALLOWLIST, m.spec.name, m.operation, undefined, i));
    if (left.length > 0) throw specViolation(path, message(m.spec, m.found, left));
  };
  return {
    parameters(headers, query) {
      refuse(set.parameterIssues(m.spec, m.found, { headers, query }, (h) => ANSWERED_ELSEWHERE.has(h)));
    },
    body(text) {
      refuse(set.bodyIssues(m.spec, m.found, text));
    },
  };
}

function message(spec: Spec, o: Operation, issues: Issue[]): string {
  return `The request does not conform to ${spec.name} ${o.method} ${o.template}: ${issues.map((i) => i.message).join('; ')}.`;
}
