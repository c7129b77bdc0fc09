// How a create stays idempotent without an idempotency key, and how it proves what is its own: Temporal's
// "submit, then reconcile" pattern. A resource is this run's only when the create returned its id, or when it
// carries the run's marker (src/shared/naming.ts runMarker); a name alone never proves anything.
import { activityInfo, ApplicationFailure, Context, sleep } from '@temporalio/activity';
import { AepError } from '../aep';
import { FAILURE_TYPES } from '../shared/onboarding';

/** What a create attempt leaves in its heartbeat, for the attempts after it. */
interface CreateHeartbeat {
  /** When this step last sent its create (epoch ms): the request may still be processing server-side. */
  createSentAt?: number;
}

const heartbeats = new WeakMap<Context, CreateHeartbeat>();

/**
 * The details every heartbeat of this attempt carries. Each heartbeat replaces the details the server holds, so
 * the periodic heartbeat (./failures.ts) must repeat them, or the next attempt would not see them.
 */
export function heartbeatDetailsOf(ctx: Context): CreateHeartbeat | undefined {
  if (!heartbeats.has(ctx)) {
    const earlier = ctx.info.heartbeatDetails as CreateHeartbeat | undefined;
    heartbeats.set(ctx, earlier && typeof earlier === 'object' ? { ...earlier } : {});
  }
  return heartbeats.get(ctx);
}

function markCreateSent(): void {
  const ctx = Context.current();
  if (ctx.info.isLocal) return;
  const details = { ...heartbeatDetailsOf(ctx), createSentAt: Date.now() };
  heartbeats.set(ctx, details);
  // Sent at once (the SDK throttles only later beats), so it reaches the server before the request can time out.
  ctx.heartbeat(details);
}

/**
 * The create got an answer that settles it: AEP processed the request, or refused it before acting. Only then may
 * the next attempt trust an empty look-up at once. No answer (a timeout, a reset) or a gateway's 502/504 (the
 * service behind it may still be working on it) leaves the request possibly in flight.
 */
function markCreateAnswered(err: unknown): void {
  const status = err instanceof AepError ? err.status : undefined;
  if (status === undefined || status === 0 || status === 502 || status === 504) return;
  const ctx = Context.current();
  if (ctx.info.isLocal) return;
  const details: CreateHeartbeat = { ...heartbeatDetailsOf(ctx) };
  delete details.createSentAt;
  heartbeats.set(ctx, details);
  ctx.heartbeat(details);
}

function lastCreateSentAt(): number | undefined {
  const at = heartbeatDetailsOf(Context.current())?.createSentAt;
  return typeof at === 'number' ? at : undefined;
}

/** Could an earlier attempt of this activity have created the resource already? */
export function mayExist(): boolean {
  return activityInfo().attempt > 1;
}

/** How often a retry looks again while an earlier create may still be landing. */
const SETTLE_POLL_MS = 1_000;

export interface EnsureOptions<R> {
  /** This run's resource of the step (marker-checked), if one exists. */
  find: () => Promise<R | undefined>;
  create: () => Promise<R>;
  /** A resource of the same name that is not this run's, described for the conflict message; only for names a
   * person chose (a marker-bearing name cannot belong to anyone else). */
  taken?: () => Promise<string | undefined>;
  /** The create failed because the name exists (XDM-1521: titles are unique in the Schema Registry). */
  existsError?: (err: unknown) => boolean;
  /**
   * How long after an earlier attempt sent its create an empty look-up is not yet trusted: a request that timed
   * out on our side may still commit on AEP's. Past it, a create that still lands is a duplicate the run's sweep
   * removes.
   */
  settleMs: number;
}

/**
 * Finds what an earlier attempt of this step created, or creates it. On a retry, an empty look-up is trusted only
 * once the earlier attempt's create has had `settleMs` to land.
 */
export async function ensure<R>(opts: EnsureOptions<R>): Promise<R & { created: true; attempt: number }> {
  const ours = (r: R) => ({ ...r, created: true as const, attempt: activityInfo().attempt });
  if (mayExist()) {
    const found = await opts.find();
    if (found !== undefined) return ours(found);
    const sentAt = lastCreateSentAt();
    if (sentAt !== undefined) {
      const until = sentAt + opts.settleMs;
      while (Date.now() < until) {
        await sleep(Math.max(1, Math.min(SETTLE_POLL_MS, until - Date.now())));
        const late = await opts.find();
        if (late !== undefined) return ours(late);
      }
    }
  }
  const conflict = await opts.taken?.();
  if (conflict) throw nameTaken(conflict);
  markCreateSent();
  try {
    return ours(await opts.create());
  } catch (err) {
    markCreateAnswered(err);
    if (opts.existsError?.(err)) {
      const found = await opts.find();
      if (found !== undefined) return ours(found);
      const other = await opts.taken?.();
      throw other ? nameTaken(other) : err;
    }
    throw err;
  }
}

function nameTaken(what: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FAILURE_TYPES.nameTaken,
    nonRetryable: true,
    message: what,
  });
}

/**
 * One of several resources of this run for one step (a create that landed twice): the lowest id, so every attempt
 * and the sweep agree on which one is kept.
 */
export function pickOne<R>(items: R[], idOf: (r: R) => string): R | undefined {
  return [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))[0];
}
