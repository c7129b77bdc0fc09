// The org request budget: every platform call of one org in this process goes through it, whichever run or view
// (sandbox) makes it. AEP's quota is per org, so a 429 is a signal about the org, not about the call that got it:
// every *new* request of that org waits until the pause ends (Retry-After, else a backoff that grows with
// consecutive 429s and resets on the first answer that is not one), and at most `maxInFlight` requests of the org
// are in flight at once. It never retries: the 429 is still thrown to its caller and Temporal retries the activity
// (no earlier than Retry-After); the budget only delays what comes after, so fewer attempts meet the throttle.
import { z } from 'zod';
import { parseRetryAfter } from './errors';

export interface RequestBudgetConfig {
  /** Requests of one org in flight at once; the next wait for a free slot. */
  maxInFlight: number;
  /** The pause after a 429 without a usable Retry-After, doubled for each consecutive one... */
  backoffBaseMs: number;
  /** ...up to this. */
  backoffMaxMs: number;
  /** The longest pause one 429 can set, Retry-After included: a waiting request still has its activity's timeout. */
  maxPauseMs: number;
}

export const DEFAULT_REQUEST_BUDGET: RequestBudgetConfig = {
  maxInFlight: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  maxPauseMs: 30_000,
};

const ENV_NAMES = {
  maxInFlight: 'AEP_MAX_IN_FLIGHT',
  backoffBaseMs: 'AEP_RATE_LIMIT_BACKOFF_MS',
  backoffMaxMs: 'AEP_RATE_LIMIT_BACKOFF_MAX_MS',
  maxPauseMs: 'AEP_RATE_LIMIT_MAX_PAUSE_MS',
} as const satisfies Record<keyof RequestBudgetConfig, string>;

const positiveInt = z.coerce.number().int().positive();

/** The budget's knobs from the environment; a bad value is refused by name. */
export function loadRequestBudgetConfig(env: NodeJS.ProcessEnv = process.env): RequestBudgetConfig {
  const out = { ...DEFAULT_REQUEST_BUDGET };
  const bad: string[] = [];
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof RequestBudgetConfig, string][]) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const parsed = positiveInt.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else bad.push(`${name} must be a positive integer, got "${raw}"`);
  }
  if (bad.length) throw new Error(`AEP request budget: ${bad.join('; ')}`);
  return out;
}

/** Time for the budget; tests pass a fake one. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** For metrics: called as things happen (exceptions are swallowed). */
export interface BudgetEvents {
  /** A 429 started a pause of the org (not one that only met a pause already running). */
  onPause?(e: { orgId: string; pauseMs: number; consecutive: number }): void;
  /** A request waited before it was sent: for a pause, or for a free in-flight slot. */
  onDelayed?(e: { orgId: string; reason: 'pause' | 'in-flight'; waitedMs: number }): void;
}

export interface RequestBudgetStats {
  orgId: string;
  inFlight: number;
  /** Waiting for a free in-flight slot right now. */
  queued: number;
  /** Epoch ms the current pause ends; absent when none. */
  pausedUntil?: number;
  /** 429 answers seen. */
  throttled: number;
  /** Pauses started (429s during a running pause extend it at most). */
  pauses: number;
  /** Requests that waited for a pause. */
  delayedByPause: number;
  /** Requests that waited for an in-flight slot. */
  delayedByCap: number;
  /** Distinct callers (workflow ids, when the wiring tells them) one of whose requests waited for a pause. */
  delayedCallers: number;
}

/** What a response tells the budget; `undefined` when none arrived (a network error): no information. */
export interface BudgetOutcome {
  status: number;
  retryAfter?: string;
}

export interface RequestPermit {
  /** Gives the slot back; call once, with what came back. */
  release(outcome?: BudgetOutcome): void;
}

/** Distinct delayed callers remembered; a long-lived worker must not grow without bound. */
const MAX_CALLERS_REMEMBERED = 1_000;

export class OrgRequestBudget {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private pausedUntil = 0;
  private consecutive = 0;
  private readonly counts = { throttled: 0, pauses: 0, delayedByPause: 0, delayedByCap: 0 };
  private readonly callers = new Set<string>();

  constructor(
    readonly orgId: string,
    private readonly config: RequestBudgetConfig = DEFAULT_REQUEST_BUDGET,
    private readonly opts: {
      clock?: BudgetClock;
      events?: BudgetEvents;
      caller?: () => string | undefined;
    } = {},
  ) {}

  private get clock(): BudgetClock {
    return this.opts.clock ?? realClock;
  }

  /** Waits out any pause of the org and for a free slot, then holds the slot until `release`. */
  async acquire(): Promise<RequestPermit> {
    const started = this.clock.now();
    const caller = this.callerNow();
    let byPause = false;
    let byCap = false;
    for (;;) {
      const wait = this.pausedUntil - this.clock.now();
      if (wait > 0) {
        byPause = true;
        await this.clock.sleep(wait);
        continue; // the pause may have been extended meanwhile
      }
      if (this.inFlight < this.config.maxInFlight) break;
      byCap = true;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    const waitedMs = this.clock.now() - started;
    if (byPause) {
      this.counts.delayedByPause++;
      this.rememberCaller(caller);
      this.emit(() => this.opts.events?.onDelayed?.({ orgId: this.orgId, reason: 'pause', waitedMs }));
    } else if (byCap) {
      this.counts.delayedByCap++;
      this.emit(() => this.opts.events?.onDelayed?.({ orgId: this.orgId, reason: 'in-flight', waitedMs }));
    }
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        if (outcome) this.observe(outcome);
        this.inFlight--;
        this.waiters.shift()?.();
      },
    };
  }

  /** A 429 pauses the org; any other answer ends the run of consecutive 429s. */
  private observe(outcome: BudgetOutcome): void {
    if (outcome.status !== 429) {
      this.consecutive = 0;
      return;
    }
    this.counts.throttled++;
    const now = this.clock.now();
    const retryAfterMs = parseRetryAfter(outcome.retryAfter, now);
    if (now < this.pausedUntil) {
      // Sent before the pause began (the same burst): it may lengthen the pause, not grow the backoff.
      if (retryAfterMs !== undefined) this.extendTo(now + Math.min(retryAfterMs, this.config.maxPauseMs));
      return;
    }
    this.consecutive++;
    const backoff = Math.min(
      this.config.backoffMaxMs,
      this.config.backoffBaseMs * 2 ** Math.min(this.consecutive - 1, 30),
    );
    const pauseMs = Math.min(retryAfterMs ?? backoff, this.config.maxPauseMs);
    if (pauseMs <= 0) return;
    this.pausedUntil = now + pauseMs;
    this.counts.pauses++;
    const consecutive = this.consecutive;
    this.emit(() => this.opts.events?.onPause?.({ orgId: this.orgId, pauseMs, consecutive }));
  }

  private extendTo(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  private callerNow(): string | undefined {
    try {
      return this.opts.caller?.();
    } catch {
      return undefined;
    }
  }

  private rememberCaller(caller: string | undefined): void {
    if (caller === undefined) return;
    this.callers.delete(caller);
    this.callers.add(caller);
    if (this.callers.size > MAX_CALLERS_REMEMBERED) this.callers.delete(this.callers.values().next().value!);
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch {
      // A failing metrics hook must not fail the call.
    }
  }

  stats(): RequestBudgetStats {
    const paused = this.pausedUntil > this.clock.now();
    return {
      orgId: this.orgId,
      inFlight: this.inFlight,
      queued: this.waiters.length,
      ...(paused ? { pausedUntil: this.pausedUntil } : {}),
      ...this.counts,
      delayedCallers: this.callers.size,
    };
  }
}

/**
 * The budgets of one process, one per org: made once where the process is wired (src/worker.ts) and handed to every
 * AEP client it builds (`createAepClient(config, { budgets })`), so clients of one org share one budget.
 */
export class RequestBudgets {
  private readonly byOrg = new Map<string, OrgRequestBudget>();

  constructor(
    readonly config: RequestBudgetConfig = DEFAULT_REQUEST_BUDGET,
    private readonly opts: {
      clock?: BudgetClock;
      events?: BudgetEvents;
      /** Who is calling (the worker passes the activity's workflow id), for the delayed-callers count. */
      caller?: () => string | undefined;
    } = {},
  ) {}

  forOrg(orgId: string): OrgRequestBudget {
    let budget = this.byOrg.get(orgId);
    if (!budget) {
      budget = new OrgRequestBudget(orgId, this.config, this.opts);
      this.byOrg.set(orgId, budget);
    }
    return budget;
  }

  stats(): RequestBudgetStats[] {
    return [...this.byOrg.values()].map((b) => b.stats());
  }
}
