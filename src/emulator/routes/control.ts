// Test/ops control plane under /__emulator/: no gateway, never in the call log, never faulted.
import { faultRuleSchema, type CallLog, type FaultTable } from '../core/faults';
import type { Router } from '../core/router';
import type { MemoryState } from '../core/store';
import { HttpError, type RequestContext } from '../core/types';

function badRequest(message: string): HttpError {
  return new HttpError({ status: 400, body: { error: 'bad_request', message } });
}

function parseJson(ctx: RequestContext): unknown {
  try {
    return JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw badRequest('body must be JSON');
  }
}

/** What the control plane acts on: the emulator's state, faults and call log (not the app that serves it). */
export interface ControlTarget {
  state: MemoryState;
  faults: FaultTable;
  calls: CallLog;
}

export function registerControl(router: Router, emu: ControlTarget): void {
  const none = { gateway: 'none' } as const;
  const base = '/__emulator';

  router.add(
    'GET',
    `${base}/state`,
    () => ({ status: 200, body: { tenants: emu.state.snapshot().tenants } }),
    none,
  );
  router.add(
    'POST',
    `${base}/reset`,
    () => {
      emu.state.reset();
      emu.faults.clear();
      emu.calls.clear();
      return { status: 204 };
    },
    none,
  );

  router.add(
    'POST',
    `${base}/faults`,
    (ctx) => {
      const parsed = faultRuleSchema.safeParse(parseJson(ctx));
      if (!parsed.success) throw badRequest(parsed.error.message);
      try {
        return { status: 201, body: { id: emu.faults.add(parsed.data).id } };
      } catch (err) {
        throw badRequest(`invalid path regex: ${(err as Error).message}`);
      }
    },
    none,
  );
  router.add('GET', `${base}/faults`, () => ({ status: 200, body: emu.faults.list() }), none);
  router.add(
    'DELETE',
    `${base}/faults`,
    () => {
      emu.faults.clear();
      return { status: 204 };
    },
    none,
  );
  router.add(
    'DELETE',
    `${base}/faults/:id`,
    (ctx) => {
      if (!emu.faults.remove(ctx.params['id'] ?? ''))
        throw new HttpError({ status: 404, body: { error: 'not_found', message: 'no such fault' } });
      return { status: 204 };
    },
    none,
  );

  router.add('GET', `${base}/calls`, () => ({ status: 200, body: emu.calls.calls }), none);
  router.add(
    'DELETE',
    `${base}/calls`,
    () => {
      emu.calls.clear();
      return { status: 204 };
    },
    none,
  );

  router.add(
    'POST',
    `${base}/tokens/expire`,
    (ctx) => {
      const at = ctx.now() - 1;
      for (const rec of emu.state.tokens.values()) rec.expiresAt = Math.min(rec.expiresAt, at);
      emu.state.mutated();
      return { status: 204 };
    },
    none,
  );
}
