import { z } from 'zod';
import { uuid } from './ids';

export const faultRuleSchema = z.object({
  method: z.string().optional(),
  /** Regex source matched against the request path (without query). */
  path: z.string(),
  kind: z.enum(['status', 'latency', 'drop', 'commit-then-fail', 'commit-then-reset']),
  status: z.number().int().min(100).max(599).optional(),
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** How many matching requests it hits; default 1, -1 = until removed. */
  count: z.number().int().optional(),
  latencyMs: z.number().nonnegative().optional(),
  body: z.unknown().optional(),
  /** Applies only to requests whose raw body contains this text (e.g. one run's resource-name marker). */
  bodyIncludes: z.string().min(1).optional(),
  /** Answered byte for byte instead of a JSON body: truncated JSON, an HTML error page... */
  rawBody: z.string().optional(),
  /** Content-Type sent with `rawBody`; default text/plain. */
  contentType: z.string().optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type Fault = FaultRule & { id: string; remaining: number; hits: number };

/** Injected faults, in insertion order; the first matching rule with hits left applies. */
export class FaultTable {
  private readonly rules: Fault[] = [];

  add(rule: FaultRule): Fault {
    new RegExp(rule.path); // throws on a bad pattern before the rule is stored
    const fault: Fault = { ...rule, id: uuid(), remaining: rule.count ?? 1, hits: 0 };
    this.rules.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.rules.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const i = this.rules.findIndex((f) => f.id === id);
    if (i >= 0) this.rules.splice(i, 1);
    return i >= 0;
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Consumes one hit of the first rule matching this request. */
  take(method: string, path: string, body: Buffer = Buffer.alloc(0)): Fault | undefined {
    const fault = this.rules.find(
      (f) =>
        f.remaining !== 0 &&
        (!f.method || f.method === '*' || f.method.toUpperCase() === method) &&
        new RegExp(f.path).test(path) &&
        (f.bodyIncludes === undefined || body.includes(f.bodyIncludes)),
    );
    if (!fault) return undefined;
    fault.hits++;
    if (fault.remaining > 0) fault.remaining--;
    if (fault.remaining === 0) this.remove(fault.id);
    return fault;
  }
}

export interface CallRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** 0 when no response was sent (drop / reset faults). */
  status: number;
  fault?: string;
  /** The delay a latency fault put before the request was dispatched (so a client can be shown to have timed out). */
  latencyMs?: number;
  org?: string;
  sandbox?: string;
}

/** Bounded so long benchmark runs do not grow memory without limit; the oldest calls go first. */
export const MAX_CALLS = 50_000;

export class CallLog {
  private seq = 0;
  readonly calls: CallRecord[] = [];

  add(call: Omit<CallRecord, 'seq'>): void {
    this.calls.push({ seq: ++this.seq, ...call });
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
