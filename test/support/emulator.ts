// Starts the AEP emulator for tests: in-process on a random loopback port, or as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createEmulator, type Emulator } from '../../src/emulator/app';
import type { FaultRule, Fault, CallRecord } from '../../src/emulator/core/faults';
import type { StateSnapshot } from '../../src/emulator/core/store';
import type { EmulatorOptions, EmulatorState } from '../../src/emulator/core/types';

export type TenantView = StateSnapshot['tenants'][number];

export interface EmulatorControl {
  state(): Promise<{ tenants: TenantView[] }>;
  reset(): Promise<void>;
  fault(rule: FaultRule): Promise<string>;
  faults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
  removeFault(id: string): Promise<void>;
  calls(): Promise<CallRecord[]>;
  clearCalls(): Promise<void>;
  expireTokens(): Promise<void>;
  /**
   * What the org has of a provider spec: `provisioned: false` takes it away (GET answers 404, creates refuse it),
   * `sourceConnectionSpecIds` replaces a flow spec's list. Every sandbox of the org unless `sandbox` is named.
   */
  spec(
    kind: 'connectionSpecs' | 'flowSpecs',
    id: string,
    set: { provisioned?: boolean; sourceConnectionSpecIds?: string[]; org?: string; sandbox?: string },
  ): Promise<void>;
  /** Counts records into a flow's run (failed ones make it fail), `windowsAhead` hourly run windows from now. */
  run(r: {
    flowId: string;
    sandbox?: string;
    input?: number;
    output?: number;
    failed?: number;
    errors?: Array<{ code: string; message: string }>;
    windowsAhead?: number;
  }): Promise<void>;
  /** The ingestion delays now in force, and how many accepted records are not counted yet. */
  ingestion(): Promise<IngestionControl>;
  /** Sets some ingestion delays (ms); a reset goes back to the start-up ones. */
  setIngestion(delays: Partial<Omit<IngestionControl, 'pending'>>): Promise<IngestionControl>;
}

export interface IngestionControl {
  inletDelayMs: number;
  landingDelayMs: number;
  aggregationDelayMs: number;
  pending: number;
}

export interface StartedEmulator {
  url: string;
  options: EmulatorOptions;
  state: EmulatorState;
  emulator: Emulator;
  control: EmulatorControl;
  /** A fresh access token from the emulator's IMS (default credentials unless overridden). */
  token(credentials?: { clientId: string; clientSecret: string }): Promise<string>;
  /** The Platform headers of §0.2 for this emulator's org (overridable). */
  headers(
    token: string,
    overrides?: { sandbox?: string; orgId?: string; apiKey?: string },
  ): Record<string, string>;
  close(): Promise<void>;
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export function controlClient(url: string): EmulatorControl {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
    expectOk(
      await fetch(`${url}/__emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      `${method} /__emulator${path}`,
    );
  return {
    state: async () => (await (await call('GET', '/state')).json()) as { tenants: TenantView[] },
    reset: async () => void (await call('POST', '/reset')),
    fault: async (rule) => ((await (await call('POST', '/faults', rule)).json()) as { id: string }).id,
    faults: async () => (await (await call('GET', '/faults')).json()) as Fault[],
    clearFaults: async () => void (await call('DELETE', '/faults')),
    removeFault: async (id) => void (await call('DELETE', `/faults/${encodeURIComponent(id)}`)),
    calls: async () => (await (await call('GET', '/calls')).json()) as CallRecord[],
    clearCalls: async () => void (await call('DELETE', '/calls')),
    expireTokens: async () => void (await call('POST', '/tokens/expire')),
    spec: async (kind, id, set) => void (await call('PUT', `/specs/${kind}/${encodeURIComponent(id)}`, set)),
    run: async (r) => void (await call('POST', '/runs', r)),
    ingestion: async () => (await (await call('GET', '/ingestion')).json()) as IngestionControl,
    setIngestion: async (delays) =>
      (await (await call('PUT', '/ingestion', delays)).json()) as IngestionControl,
  };
}

export async function fetchToken(
  url: string,
  credentials: { clientId: string; clientSecret: string },
): Promise<string> {
  const res = await expectOk(
    await fetch(`${url}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        scope: 'openid,AdobeID,read_organizations,additional_info.projectedProductContext',
      }),
    }),
    'IMS token',
  );
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function startEmulator(opts: Partial<EmulatorOptions> = {}): Promise<StartedEmulator> {
  const emulator = createEmulator(opts);
  const server = await emulator.listen(0, '127.0.0.1');
  const { options } = emulator;
  return {
    url: server.url,
    options,
    state: emulator.state,
    emulator,
    control: controlClient(server.url),
    token: (credentials) => fetchToken(server.url, credentials ?? options),
    headers: (token, o = {}) => ({
      authorization: `Bearer ${token}`,
      'x-api-key': o.apiKey ?? options.clientId,
      'x-gw-ims-org-id': o.orgId ?? options.orgId,
      'x-sandbox-name': o.sandbox ?? options.sandboxes[0] ?? 'prod',
      'content-type': 'application/json',
    }),
    close: () => server.close(),
  };
}

export interface SpawnedEmulator {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const MAIN = join(__dirname, '..', '..', 'src', 'emulator', 'main.ts');
const READY = /^AEP emulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/m;

/** Runs `tsx src/emulator/main.ts <args>` and resolves once the ready line is printed. */
export function spawnEmulator(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<SpawnedEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator not ready after ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}) before ready; stderr: ${err}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1] as string,
        port: Number(m[2]),
        child,
        stdout: () => out,
        stderr: () => err,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** A JSON answer; `T` is what the caller expects the body to be (test/support/aep-bodies.ts), not checked here. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON body (undefined when empty). */
  body: T;
  text: string;
}

/** fetch + JSON both ways; `body` is sent as JSON unless it is already a string. */
export async function request<T = unknown>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T, text };
}

type Seeded = { id: string; [key: string]: unknown };

/**
 * Puts a dataset and a mapping set straight into a tenant's store (the shapes EMU-DATA's routes store), for
 * Flow Service tests that must not depend on the Catalog / Data Prep routes.
 */
export function seedTargets(
  state: EmulatorState,
  org: string,
  sandbox: string,
  schemaId = 'https://ns.adobe.com/emulatortenant/schemas/0123abcd',
  mappingSchemaId = schemaId,
): { dataSetId: string; mappingSetId: string; schemaId: string } {
  const tenant = state.tenant(org, sandbox);
  const dataSetId = randomUUID().replace(/-/g, '').slice(0, 24);
  const mappingSetId = randomUUID().replace(/-/g, '');
  const contentType = 'application/vnd.adobe.xed-full+json;version=1';
  tenant
    .collection<Seeded>('dataSets')
    .set(dataSetId, { id: dataSetId, name: `ds ${dataSetId}`, schemaRef: { id: schemaId, contentType } });
  tenant.collection<Seeded>('mappingSets').set(mappingSetId, {
    id: mappingSetId,
    version: 0,
    outputSchema: { schemaRef: { id: mappingSchemaId, contentType } },
    mappings: [],
  });
  tenant.mutated();
  return { dataSetId, mappingSetId, schemaId };
}
