// The chaos run behind `npm run chaos` and test/chaos/chaos.test.ts: M onboardings on a dev server, the worker and
// the emulator as child processes (the emulator persisting to a data file), while faults rain on the emulator's
// control plane, the worker is SIGKILLed and restarted, the emulator is killed and restarted, some runs are
// cancelled and some carry a step that fails for good. Then it counts what must be zero.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startOnboarding } from '../../src/client/onboarding';
import { EMULATOR_DEFAULTS } from '../../src/shared/aep-constants';
import type { FaultRule } from '../../src/emulator/core/faults';
import { fnv1a, resourceName, runMarker } from '../../src/shared/naming';
import { FAILURE_TYPES, type OnboardingFailureDetails } from '../../src/shared/onboarding';
import { getProgressQuery } from '../../src/workflows/onboarding';
import { controlClient, spawnEmulator, type EmulatorControl, type SpawnedEmulator } from './emulator';
import type { Proc } from './processes';
import { mulberry32 } from './prng';
import { failureTrail, fetchHistory, historyText, retriesAfter } from './history';
import { deadline, pool, sleep, startDevServer, startWorker, type WorkerTarget } from './infra';

export interface ChaosOptions {
  m: number;
  /** Onboardings in flight at once. */
  concurrency: number;
  seed: number;
  /** Share of runs cancelled midway, and of runs with a step that fails for good. */
  cancelShare: number;
  failShare: number;
  /** Mean pause between injected faults, between worker kills, between emulator restarts (0: never kill, restart). */
  faultEveryMs: number;
  workerKillEveryMs: number;
  emulatorRestartEveryMs: number;
  /** After the last run settled or this long, the faults stop; runs still open this long after are stuck. */
  chaosWindowMs: number;
  settleMs: number;
  /** The faults the fault agent picks from, evenly (a kind listed twice comes twice as often); default: every kind
   * but 'slow-create'. */
  faultKinds: readonly FaultKind[];
  /**
   * The worker's AEP_REQUEST_TIMEOUT_MS (its createSettleMs follows at twice that); unset, the image's default. A
   * short one lets 'slow-create' outlast it in seconds rather than in the default 30 s.
   */
  requestTimeoutMs?: number;
  log: (line: string) => void;
}

/**
 * What the fault agent injects. 'slow-create' holds one POST create past the worker's request timeout, but less than
 * its settle time, before the emulator commits it: the retry must wait for it to land instead of creating again.
 */
export const FAULT_KINDS = [
  '5xx',
  '429',
  'latency',
  'commit-then-fail',
  'commit-then-reset',
  'drop',
  'expire',
  'slow-create',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The worker image's request timeout (src/aep/config.ts), for 'slow-create' when no other is set. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export const CHAOS_DEFAULTS: Omit<ChaosOptions, 'm'> = {
  concurrency: 40,
  seed: 1,
  cancelShare: 0.1,
  failShare: 0.1,
  faultEveryMs: 250,
  workerKillEveryMs: 25_000,
  emulatorRestartEveryMs: 30_000,
  chaosWindowMs: 15 * 60_000,
  settleMs: 5 * 60_000,
  faultKinds: FAULT_KINDS.filter((k) => k !== 'slow-create'),
  log: (l) => console.error(l),
};

export interface ChaosReport {
  m: number;
  seed: number;
  completed: number;
  compensated: number;
  cancelled: number;
  /** Runs that ended otherwise (a failure that is not a compensated onboarding failure); must be 0 too. */
  otherFailures: number;
  duplicates: number;
  orphans: number;
  /** Completed runs missing one of their seven resources. */
  incomplete: number;
  stuck: number;
  workflowTaskFailures: number;
  secretsFound: number;
  planned: { normal: number; cancel: number; fail: number };
  injected: {
    faults: number;
    tokenExpiries: number;
    workerKills: number;
    emulatorRestarts: number;
    /** 'slow-create' rules added. */
    slowCreates: number;
  };
  /**
   * Of the emulator's calls (of its current incarnation): POST creates that a latency fault held past the worker's
   * request timeout and that still committed (2xx); and activity attempts whose retry followed a request timeout.
   */
  slowCreatesCommitted: number;
  requestTimeoutsSeen: number;
  /**
   * Extras the completed runs' sweeps deleted: creates that still landed twice (e.g. one slower than the settle
   * time). Not a failure, since the sweep removed them, but 0 when every retry waited out its earlier create.
   */
  duplicatesSwept: number;
  durationMs: number;
  problems: string[];
  /** Runs not planned to fail that the chaos made fail (compensated): why, to tell a flaky step from bad luck. */
  unplannedFailures: Array<{ workflowId: string; plan: string; reason: string; trail: string[] }>;
}

const API = '/data/foundation';
/**
 * The create of each step, and what in its body tells one run's create from another's. The run's marker is known
 * only once the server started the run (it hashes the first execution's run id), so a rule set up before the start
 * matches a text the workflow sends that is known before: the default description, "(workflow <id>)" (or, for the
 * field group, whose description is the preset's, its title); only the mapping set, which has neither, is matched
 * by the marker in its name, with a rule added right after the start (its step comes late in the chain).
 */
const CREATES: Record<string, { path: string; identity: 'description' | 'title' | 'marker' }> = {
  sourceConnection: { path: `^${API}/flowservice/sourceConnections$`, identity: 'description' },
  fieldGroup: { path: `^${API}/schemaregistry/tenant/fieldgroups$`, identity: 'title' },
  schema: { path: `^${API}/schemaregistry/tenant/schemas$`, identity: 'description' },
  dataset: { path: `^${API}/catalog/dataSets$`, identity: 'description' },
  mappingSet: { path: `^${API}/conversion/mappingSets$`, identity: 'marker' },
  targetConnection: { path: `^${API}/flowservice/targetConnections$`, identity: 'description' },
  flow: { path: `^${API}/flowservice/flows$`, identity: 'description' },
};
/** The Chatlio preset's displayName, part of every default resource name. */
const DISPLAY_NAME = 'Chatlio';
const runName = (i: number) => `Chaos run ${i}`;
const ANY_API = [
  `^${API}/flowservice/`,
  `^${API}/schemaregistry/`,
  `^${API}/catalog/`,
  `^${API}/conversion/`,
  '^/ims/token',
];
/** Collections of the emulator that hold an onboarding's resources, and the field carrying their name. */
const RESOURCE_COLLECTIONS: Record<string, 'name' | 'title'> = {
  fieldgroups: 'title',
  schemas: 'title',
  dataSets: 'name',
  sourceConnections: 'name',
  targetConnections: 'name',
  mappingSets: 'name',
  flows: 'name',
};
/** A run's marker in a name (`[aepo-…]`, or `_aepo_…` in a mapping set's): 16 hex digits (runMarker). */
const MARKER = /aepo[-_]([0-9a-f]{16})/;
/** The emulator's IMS tokens: `eyJ` + 48 random bytes in base64url. */
const TOKEN_PATTERN = /eyJ[A-Za-z0-9_-]{64}/g;

type Plan = 'normal' | 'cancel' | 'fail';
type Outcome = 'completed' | 'compensated' | 'cancelled' | 'other' | 'open';

interface Run {
  i: number;
  workflowId: string;
  /** The 16 hex digits of the run's marker, once it started (runMarker of its first execution). */
  hash?: string;
  plan: Plan;
  failStep?: string;
  outcome: Outcome;
  detail?: string;
  /** Of a completed run: the extras its sweep deleted (creates that landed twice). */
  duplicatesRemoved?: number;
}

/** The emulator child process, restartable on its port with its data file; keeps every incarnation's output. */
class EmulatorProcess {
  private current?: SpawnedEmulator;
  private readonly logs: string[] = [];
  readonly tokens = new Set<string>();
  port = 0;

  constructor(
    readonly dataFile: string,
    private readonly secret: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.current = await spawnEmulator(['--port', String(this.port), '--data-file', this.dataFile], {
          AEP_CLIENT_SECRET: this.secret,
        });
        this.port = this.current.port;
        return;
      } catch (err) {
        // The old process's port can take a moment to free up.
        if (attempt >= 10) throw err;
        await sleep(300);
      }
    }
  }

  /** Every token the data file lists now (expired tokens are pruned at the next issue, so read it often). */
  harvestTokens(): void {
    try {
      const snap = JSON.parse(readFileSync(this.dataFile, 'utf8')) as { tokens?: Array<[string, unknown]> };
      for (const [t] of snap.tokens ?? []) this.tokens.add(t);
    } catch {
      // Not written yet, or being replaced (rename is atomic, so the next read succeeds).
    }
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.current) return;
    this.harvestTokens();
    await this.current.stop(signal);
    this.logs.push(this.current.stdout(), this.current.stderr());
    this.current = undefined;
  }

  output(): string {
    return [...this.logs, this.current?.stdout() ?? '', this.current?.stderr() ?? ''].join('\n');
  }
}

/** The worker child process, SIGKILLable and restartable; keeps every incarnation's output. */
class WorkerProcess {
  private current?: Proc;
  private readonly logs: string[] = [];
  private starting?: Promise<void>;
  private started = false;

  constructor(
    private readonly target: WorkerTarget,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  /** Starts a worker unless one is running (or starting) already. */
  start(): Promise<void> {
    if (this.current && this.current.child.exitCode === null && this.current.child.signalCode === null) {
      return Promise.resolve();
    }
    // A restart's start-up check of the credential would meet the chaos's own token expiries (a fresh token made
    // invalid twice before the check's one renewal) and refuse to start: the first start checked it already.
    const env = this.started ? { WORKER_SKIP_AEP_CHECK: 'true', ...this.env } : this.env;
    this.starting ??= startWorker(this.target, env)
      .then((p) => {
        this.current = p;
        this.started = true;
      })
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    await this.starting;
    const p = this.current;
    if (!p) return;
    this.current = undefined;
    await p.kill(signal);
    this.logs.push(p.output());
  }

  output(): string {
    return [...this.logs, this.current?.output() ?? ''].join('\n');
  }
}

export async function runChaos(opts: Partial<ChaosOptions> & { m: number }): Promise<ChaosReport> {
  const o: ChaosOptions = { ...CHAOS_DEFAULTS, ...opts };
  // Seeded, so a run can be replayed with --seed.
  const random = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'aep-chaos-'));
  const secret = `chaos-secret-${fnv1a(String(o.seed))}-${Date.now().toString(36)}`;
  const emulator = new EmulatorProcess(path.join(dir, 'emulator.json'), secret);
  const injected = { faults: 0, tokenExpiries: 0, workerKills: 0, emulatorRestarts: 0, slowCreates: 0 };
  const requestTimeoutMs = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const problems: string[] = [];
  let env: TestWorkflowEnvironment | undefined;
  let worker: WorkerProcess | undefined;
  // Set when the faults stop (and on any error, so the agents' loops end).
  let calm = false;

  try {
    [env] = await Promise.all([startDevServer(), emulator.start()]);
    const control = () => controlClient(emulator.url);
    const target: WorkerTarget = {
      env,
      taskQueue: `chaos-${o.seed}`,
      emulatorUrl: emulator.url,
      emulator: { ...EMULATOR_DEFAULTS, clientSecret: secret },
    };
    worker = new WorkerProcess(
      target,
      o.requestTimeoutMs === undefined ? {} : { AEP_REQUEST_TIMEOUT_MS: String(o.requestTimeoutMs) },
    );
    await worker.start();

    const runs: Run[] = Array.from({ length: o.m }, (_, i) => {
      const workflowId = `chaos-${o.seed}-${i}`;
      const r = random();
      const plan: Plan = r < o.cancelShare ? 'cancel' : r < o.cancelShare + o.failShare ? 'fail' : 'normal';
      return {
        i,
        workflowId,
        plan,
        ...(plan === 'fail' ? { failStep: pick(Object.keys(CREATES)) } : {}),
        outcome: 'open',
      };
    });
    // Rules that must survive an emulator restart (the fault table lives in memory): the runs that fail for good.
    const refuseForGood = (r: Run, bodyIncludes: string): FaultRule => ({
      method: 'POST',
      path: CREATES[r.failStep!]!.path,
      kind: 'status',
      status: 400,
      count: -1,
      bodyIncludes,
      body: {
        title: 'Bad request',
        status: 400,
        detail: `Chaos: this run's ${r.failStep} is refused for good`,
      },
    });
    const sticky: FaultRule[] = runs
      .filter((r) => r.plan === 'fail' && CREATES[r.failStep!]!.identity !== 'marker')
      .map((r) =>
        refuseForGood(
          r,
          CREATES[r.failStep!]!.identity === 'description'
            ? `(workflow ${r.workflowId})`
            : // The title up to its marker: "Chaos run 7 · Chatlio field group [".
              resourceName('fieldGroup', { name: runName(r.i), displayName: DISPLAY_NAME, marker: '' }).slice(
                0,
                -1,
              ),
        ),
      );
    const addSticky = async (c: EmulatorControl) => {
      for (const rule of sticky) await c.fault(rule);
    };
    await addSticky(control());
    /** Once a run started: its marker, and the rule refusing its mapping set if so planned (kept in `sticky`). */
    const onStarted = async (r: Run, runId: string) => {
      r.hash = runMarker({ workflowId: r.workflowId, runId }).slice('aepo-'.length);
      if (r.plan !== 'fail' || CREATES[r.failStep!]!.identity !== 'marker') return;
      const rule = refuseForGood(r, `aepo_${r.hash}`);
      sticky.push(rule);
      // During an emulator restart the rule is added by the restart (it re-adds `sticky`) instead.
      try {
        const c = control();
        const id = await c.fault(rule);
        // The first matching rule applies, and the agent's faults of the mapping set path added before this one
        // would take its place (a slow create commits, a lost one is found by the retry): the run would complete.
        // So those go behind it. The step comes late in the run's chain, after this is done.
        const faults = await c.faults();
        const mappingPath = `${API}/conversion/mappingSets`;
        for (const f of faults.slice(
          0,
          Math.max(
            0,
            faults.findIndex((x) => x.id === id),
          ),
        )) {
          if (f.bodyIncludes !== undefined || !new RegExp(f.path).test(mappingPath)) continue;
          const { id: old, remaining, hits: _hits, ...again } = f;
          // Already used up (gone) when this fails: nothing to put back.
          if (
            await c.removeFault(old).then(
              () => true,
              () => false,
            )
          )
            await c.fault({ ...again, count: remaining });
        }
      } catch {
        // The emulator is restarting: its restart adds `sticky`, this rule included, before any other.
      }
    };

    // Chaos agents: each loops until `calm` is set, tolerating the emulator being down.
    const pause = async (meanMs: number) => {
      const until = Date.now() + between(0.5 * meanMs, 1.5 * meanMs);
      while (!calm && Date.now() < until) await sleep(Math.min(200, until - Date.now()));
    };
    let emulatorDown = false;
    // Faults come at a rate proportional to the runs in flight, so the last few runs are not drowned in them.
    let inFlight = 0;
    const faultAgent = async () => {
      while (!calm) {
        await pause(o.faultEveryMs);
        // Thinning: a tick injects with probability (runs in flight / concurrency).
        if (calm || emulatorDown || random() * o.concurrency >= inFlight) continue;
        try {
          const c = control();
          if ((await c.faults()).length > sticky.length + 20) continue;
          const kind = pick(o.faultKinds);
          if (kind === 'expire') {
            emulator.harvestTokens();
            await c.expireTokens();
            injected.tokenExpiries++;
            continue;
          }
          const createPath = pick(Object.values(CREATES)).path;
          const rule: FaultRule =
            kind === 'slow-create'
              ? {
                  method: 'POST',
                  path: createPath,
                  kind: 'latency',
                  // Past the request timeout (the worker gives up and retries), short of the settle time (2x
                  // the timeout, from the moment the create was sent): the retry must find it, not create again.
                  // Half a timeout short of it at least: the worker's send and the emulator's timer each lag on a
                  // loaded machine (a 0.3x margin, 0.9 s at a 3 s timeout, was once overrun in CI), and a create
                  // that lands past the settle time is a duplicate by design, not what this fault tests.
                  latencyMs: Math.round(between(1.15 * requestTimeoutMs, 1.5 * requestTimeoutMs)),
                  count: 1,
                }
              : kind === '5xx'
                ? {
                    path: pick(ANY_API),
                    kind: 'status',
                    status: pick([500, 502, 503, 504]),
                    count: 1 + Math.floor(random() * 3),
                  }
                : kind === '429'
                  ? {
                      path: pick(ANY_API),
                      kind: 'status',
                      status: 429,
                      retryAfterSeconds: 1,
                      count: 3 + Math.floor(random() * 6),
                    }
                  : kind === 'latency'
                    ? {
                        path: pick(ANY_API),
                        kind: 'latency',
                        latencyMs: Math.round(between(1000, 5000)),
                        count: 1 + Math.floor(random() * 3),
                      }
                    : kind === 'drop'
                      ? { path: pick(ANY_API), kind: 'drop', count: 1 }
                      : {
                          method: 'POST',
                          path: createPath,
                          kind,
                          status: 500,
                          count: 1 + Math.floor(random() * 2),
                        };
          await c.fault(rule);
          injected.faults++;
          if (kind === 'slow-create') injected.slowCreates++;
        } catch {
          // The emulator is restarting: try again later.
        }
      }
    };
    // The first kill and restart come early, so that even a short run sees both.
    const workerAgent = async () => {
      if (o.workerKillEveryMs <= 0) return;
      for (let first = true; !calm; first = false) {
        await pause(first ? Math.min(4000, o.workerKillEveryMs) : o.workerKillEveryMs);
        if (calm) break;
        await worker!.stop('SIGKILL');
        injected.workerKills++;
        await sleep(between(0, 2000));
        // A restart that fails (the emulator restarting at that moment) is tried again: the runs need a worker.
        for (let attempt = 1; ; attempt++) {
          try {
            await worker!.start();
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
            o.log(`chaos: worker restart failed (attempt ${attempt}), trying again: ${String(err)}`);
            await sleep(1000);
          }
        }
      }
    };
    const emulatorAgent = async () => {
      if (o.emulatorRestartEveryMs <= 0) return;
      for (let first = true; !calm; first = false) {
        await pause(first ? Math.min(7000, o.emulatorRestartEveryMs) : o.emulatorRestartEveryMs);
        if (calm) break;
        emulatorDown = true;
        await emulator.stop('SIGKILL');
        injected.emulatorRestarts++;
        await sleep(between(200, 2000));
        await emulator.start();
        await addSticky(control());
        emulatorDown = false;
      }
    };
    const tokenHarvest = async () => {
      while (!calm) {
        await pause(1000);
        emulator.harvestTokens();
      }
    };
    const agents = Promise.all([faultAgent(), workerAgent(), emulatorAgent(), tokenHarvest()]);

    const client = env.client;
    let settled = 0;
    const progress = setInterval(
      () => o.log(`chaos: ${settled}/${o.m} settled, ${JSON.stringify(injected)}`),
      10_000,
    );
    // From here, not from `started`: on a loaded machine the set-up above can take most of a short window.
    const chaosDeadline = Date.now() + o.chaosWindowMs;
    const allRuns = pool(o.m, o.concurrency, async (i) => {
      inFlight++;
      try {
        await settle(
          client,
          runs[i]!,
          target.taskQueue,
          between(1000, 6000),
          chaosDeadline + o.settleMs,
          onStarted,
        );
      } finally {
        inFlight--;
        settled++;
      }
    });
    await Promise.race([allRuns, deadline(chaosDeadline - Date.now())]);
    calm = true;
    await agents;
    await control().clearFaults();
    await addSticky(control());
    await worker.start();
    o.log(
      `chaos: faults stopped after ${Math.round((Date.now() - started) / 1000)} s; ${settled}/${o.m} settled`,
    );
    await Promise.race([allRuns, deadline(o.settleMs)]);
    clearInterval(progress);

    // The counts.
    const E = temporal.api.enums.v1;
    const texts: Array<[string, string]> = [];
    const trails = new Map<string, string[]>();
    let stuck = 0;
    let workflowTaskFailures = 0;
    let requestTimeoutsSeen = 0;
    for (const r of runs) {
      const [desc, history] = await Promise.all([
        client.workflow.getHandle(r.workflowId).describe(),
        fetchHistory(client, r.workflowId),
      ]);
      texts.push([`history ${r.workflowId}`, historyText(history)]);
      trails.set(r.workflowId, failureTrail(history));
      // undici's headers timeout, as src/aep/errors.ts networkError words it.
      requestTimeoutsSeen += retriesAfter(history, /UND_ERR_HEADERS_TIMEOUT/);
      // A task failed because new events arrived while it completed (a cancel request) is the server's routine,
      // not a workflow bug; every other cause is.
      const causes = (history.events ?? [])
        .filter((e) => e.eventType === E.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
        .map((e) => e.workflowTaskFailedEventAttributes?.cause ?? 0)
        .filter((c) => c !== E.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
      workflowTaskFailures += causes.length;
      if (desc.status.name === 'RUNNING' || causes.length > 0) {
        stuck++;
        const names = causes.map((c) => E.WorkflowTaskFailedCause[c]).join(', ');
        problems.push(
          `stuck: ${r.workflowId} ${desc.status.name}${names ? `, failed workflow tasks: ${names}` : ''}`,
        );
      }
    }

    emulator.harvestTokens();
    const state = (await control().state()).tenants;
    const createPaths = Object.values(CREATES).map((c) => new RegExp(c.path));
    const slowCreatesCommitted = (await control().calls()).filter(
      (c) =>
        c.method === 'POST' &&
        createPaths.some((p) => p.test(c.path)) &&
        (c.latencyMs ?? 0) > requestTimeoutMs &&
        c.status >= 200 &&
        c.status < 300,
    ).length;
    const secrets = [secret, ...emulator.tokens];
    texts.push(['worker output', worker.output()], ['emulator output', emulator.output()]);
    let secretsFound = 0;
    for (const [where, text] of texts) {
      const exact = secrets.filter((s) => text.includes(s)).length;
      const shaped = [...text.matchAll(TOKEN_PATTERN)].filter((m) => !secrets.includes(m[0])).length;
      if (exact + shaped > 0) problems.push(`secret: ${exact + shaped} in ${where}`);
      secretsFound += exact + shaped;
    }

    // What the run's own compensation said about what it could not delete (the progress query, replayed).
    const leftBy = async (r: Run): Promise<string> => {
      const p = await client.workflow
        .getHandle(r.workflowId)
        .query(getProgressQuery)
        .catch(() => undefined);
      const left = p?.compensation.filter((c) => c.outcome === 'left') ?? [];
      return left.length ? `; left: ${left.map((c) => `${c.step}: ${c.error ?? '?'}`).join('; ')}` : '';
    };
    const completedHashes = new Set(
      runs.flatMap((r) => (r.outcome === 'completed' && r.hash !== undefined ? [r.hash] : [])),
    );
    const perHash = new Map<string, number>();
    let duplicates = 0;
    let orphans = 0;
    for (const t of state) {
      for (const [collection, field] of Object.entries(RESOURCE_COLLECTIONS)) {
        const seen = new Map<string, number>();
        for (const item of (t.collections[collection] ?? []) as Array<Record<string, unknown>>) {
          const name = typeof item[field] === 'string' ? item[field] : '';
          const hash = MARKER.exec(name)?.[1];
          if (!hash || !completedHashes.has(hash)) {
            orphans++;
            const owner = hash === undefined ? undefined : runs.find((r) => r.hash === hash);
            const why = owner
              ? ` of ${owner.workflowId} (plan ${owner.plan}, ${owner.outcome}${await leftBy(owner)})`
              : '';
            problems.push(`orphan: ${collection} "${name}" (${String(item['id'])})${why}`);
            continue;
          }
          seen.set(hash, (seen.get(hash) ?? 0) + 1);
          perHash.set(hash, (perHash.get(hash) ?? 0) + 1);
        }
        for (const [hash, n] of seen) {
          if (n > 1) {
            duplicates += n - 1;
            problems.push(`duplicate: ${n} ${collection} for aepo-${hash}`);
          }
        }
      }
    }
    const expected = Object.keys(RESOURCE_COLLECTIONS).length;
    const incomplete = [...completedHashes].filter((h) => (perHash.get(h) ?? 0) < expected).length;
    for (const r of runs) {
      if (r.outcome === 'other') problems.push(`other failure: ${r.workflowId}: ${r.detail}`);
      if (r.plan === 'fail' && r.outcome === 'completed') {
        problems.push(`planned to fail at ${r.failStep}, but completed: ${r.workflowId}`);
      }
    }
    const count = (x: Outcome) => runs.filter((r) => r.outcome === x).length;
    const count2 = (p: Plan) => runs.filter((r) => r.plan === p).length;
    return {
      m: o.m,
      seed: o.seed,
      completed: count('completed'),
      compensated: count('compensated'),
      cancelled: count('cancelled'),
      otherFailures: count('other'),
      duplicates,
      orphans,
      incomplete,
      stuck,
      workflowTaskFailures,
      secretsFound,
      planned: { normal: count2('normal'), cancel: count2('cancel'), fail: count2('fail') },
      injected,
      slowCreatesCommitted,
      requestTimeoutsSeen,
      duplicatesSwept: runs.reduce((n, r) => n + (r.duplicatesRemoved ?? 0), 0),
      durationMs: Date.now() - started,
      problems,
      unplannedFailures: runs
        .filter((r) => r.plan !== 'fail' && r.outcome === 'compensated')
        .map((r) => ({
          workflowId: r.workflowId,
          plan: r.plan,
          reason: r.detail ?? '',
          trail: (trails.get(r.workflowId) ?? []).slice(-8),
        })),
    };
  } finally {
    calm = true;
    await worker?.stop('SIGKILL');
    await emulator.stop('SIGTERM');
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts one run, cancels it midway if so planned, and records how it ended (or that it is still open). */
async function settle(
  client: Client,
  run: Run,
  taskQueue: string,
  cancelAfterMs: number,
  until: number,
  onStarted: (run: Run, runId: string) => Promise<void>,
) {
  const { handle } = await startOnboarding(
    client,
    { source: 'chatlio', name: runName(run.i) },
    { orgId: EMULATOR_DEFAULTS.orgId, defaultSandbox: 'prod', taskQueue, workflowId: run.workflowId },
  );
  await onStarted(run, handle.firstExecutionRunId);
  let cancelTimer: NodeJS.Timeout | undefined;
  if (run.plan === 'cancel') {
    cancelTimer = setTimeout(() => void handle.cancel().catch(() => undefined), cancelAfterMs);
  }
  try {
    const result = handle.result();
    const outcome = await Promise.race([
      result.then((r) => {
        run.duplicatesRemoved = r.duplicatesRemoved?.length ?? 0;
        return 'completed' as const;
      }),
      deadline(until - Date.now()).then(() => 'open' as const),
    ]);
    run.outcome = outcome;
    result.catch(() => undefined);
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    if (cause instanceof CancelledFailure) run.outcome = 'cancelled';
    else if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.onboardingFailed) {
      const details = cause.details?.[0] as OnboardingFailureDetails | undefined;
      run.outcome = details && details.left.length === 0 ? 'compensated' : 'other';
      const left = details?.left.map((l) => `${l.step}: ${l.error ?? '?'}`).join('; ');
      run.detail = left ? `${cause.message} (left: ${left})` : cause.message;
    } else {
      run.outcome = 'other';
      run.detail = err instanceof Error ? err.message : String(err);
    }
  } finally {
    clearTimeout(cancelTimer);
  }
}
