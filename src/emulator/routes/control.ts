// Test/ops control plane under /__emulator/: no gateway, never in the call log, never faulted.
import { z } from 'zod';
import { faultRuleSchema, type CallLog, type FaultTable } from '../core/faults';
import type { Router } from '../core/router';
import type { MemoryState } from '../core/store';
import { HttpError, type EmulatorOptions, type RequestContext } from '../core/types';
import {
  CONNECTION_SPECS,
  FLOW_SPECS,
  SPEC_OVERRIDES,
  type SpecKind,
  type SpecOverride,
} from './flowservice/specs';
import { recordRun, RUN_WINDOW_MS } from './flowservice/runs';
import { clearIngestion, pendingCount } from './ingestion';

/** The ingestion delays the control plane can change at run time (ms, each optional). */
const delaysSchema = z
  .object({
    inletDelayMs: z.number().nonnegative().optional(),
    landingDelayMs: z.number().nonnegative().optional(),
    aggregationDelayMs: z.number().nonnegative().optional(),
  })
  .strict();
type Delays = z.infer<typeof delaysSchema>;

/**
 * `POST /__emulator/runs`: counts records into a flow's run as the inlet would (README, "Run control"), in the run
 * window `windowsAhead` hours from now (default 0, the current one): a test makes a run fail, then a later window's
 * run succeed (a recovery), without waiting an hour.
 */
const runSchema = z
  .object({
    flowId: z.string().min(1),
    org: z.string().optional(),
    sandbox: z.string().optional(),
    input: z.number().int().nonnegative().default(1),
    output: z.number().int().nonnegative().default(0),
    failed: z.number().int().nonnegative().default(0),
    errors: z.array(z.object({ code: z.string(), message: z.string() }).strict()).optional(),
    windowsAhead: z.number().int().nonnegative().default(0),
  })
  .strict();
const DELAY_KEYS = ['inletDelayMs', 'landingDelayMs', 'aggregationDelayMs'] as const;

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
  /** Mutable: the delays set through the control plane apply to the next request. */
  options: EmulatorOptions;
}

/** `PUT /__emulator/specs/{kind}/{id}`: what an org has of a provider spec (README, "Spec provisioning"). */
function putSpec(emu: ControlTarget, ctx: RequestContext): { status: number; body: unknown } {
  const kind = ctx.params['kind'] as SpecKind;
  const id = ctx.params['id'] ?? '';
  if (kind !== 'connectionSpecs' && kind !== 'flowSpecs')
    throw badRequest('kind must be connectionSpecs or flowSpecs');
  if (!(kind === 'connectionSpecs' ? CONNECTION_SPECS : FLOW_SPECS).some((s) => s.id === id))
    throw badRequest(`no ${kind} ${id} in the emulator`);
  const body = parseJson(ctx);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be an object');
  const b = body as Record<string, unknown>;
  const provisioned = b['provisioned'];
  const sources = b['sourceConnectionSpecIds'];
  if (provisioned !== undefined && typeof provisioned !== 'boolean')
    throw badRequest('provisioned must be a boolean');
  if (
    sources !== undefined &&
    (kind !== 'flowSpecs' || !Array.isArray(sources) || sources.some((x) => typeof x !== 'string'))
  )
    throw badRequest('sourceConnectionSpecIds: an array of ids, for a flow spec only');
  const org = typeof b['org'] === 'string' ? b['org'] : emu.options.orgId;
  // Provisioning is the org's: every sandbox unless one is named.
  const sandboxes = typeof b['sandbox'] === 'string' ? [b['sandbox']] : emu.options.sandboxes;
  const override: SpecOverride = {
    id: `${kind}/${id}`,
    ...(provisioned !== undefined ? { provisioned } : {}),
    ...(sources !== undefined ? { sourceConnectionSpecIds: sources as string[] } : {}),
  };
  for (const sandbox of sandboxes) {
    const tenant = emu.state.tenant(org, sandbox);
    tenant.collection<SpecOverride>(SPEC_OVERRIDES).set(override.id, override);
    tenant.mutated();
  }
  return { status: 200, body: { ...override, org, sandboxes } };
}

export function registerControl(router: Router, emu: ControlTarget): void {
  const none = { gateway: 'none' } as const;
  const base = '/__emulator';
  const delays = (): Required<Delays> => ({
    inletDelayMs: emu.options.inletDelayMs ?? 0,
    landingDelayMs: emu.options.landingDelayMs ?? 0,
    aggregationDelayMs: emu.options.aggregationDelayMs ?? 0,
  });
  // What a reset goes back to: the delays the emulator was started with.
  const initial = delays();
  const setDelays = (d: Delays): void => {
    for (const key of DELAY_KEYS) if (d[key] !== undefined) emu.options[key] = d[key];
  };

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
      clearIngestion(emu.state);
      emu.state.reset();
      setDelays(initial);
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

  const ingestion = () => ({
    status: 200,
    body: {
      ...delays(),
      pending: emu.state.tenants().reduce((n, t) => n + pendingCount(t.store), 0),
    },
  });
  router.add('GET', `${base}/ingestion`, ingestion, none);
  router.add(
    'PUT',
    `${base}/ingestion`,
    (ctx) => {
      const parsed = delaysSchema.safeParse(parseJson(ctx));
      if (!parsed.success) throw badRequest(parsed.error.message);
      setDelays(parsed.data);
      return ingestion();
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

  router.add('PUT', `${base}/specs/:kind/:id`, (ctx) => putSpec(emu, ctx), none);

  router.add(
    'POST',
    `${base}/runs`,
    (ctx) => {
      const parsed = runSchema.safeParse(parseJson(ctx));
      if (!parsed.success) throw badRequest(parsed.error.message);
      const r = parsed.data;
      const tenant = emu.state.tenant(
        r.org ?? emu.options.orgId,
        r.sandbox ?? emu.options.sandboxes[0] ?? 'prod',
      );
      if (!tenant.collection('flows').get(r.flowId)) throw badRequest(`no flow ${r.flowId}`);
      const at = ctx.now() + r.windowsAhead * RUN_WINDOW_MS;
      recordRun(
        tenant,
        r.flowId,
        { input: r.input, output: r.output, failed: r.failed, errors: r.errors },
        at,
      );
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
