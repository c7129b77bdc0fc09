// CLI: npm run emulator -- --port 8090 [--data-file .emulator-data.json] ...
import { parseArgs } from 'node:util';
import { createEmulator } from './app';
import type { EmulatorOptions } from './core/types';
import { ingestionDelaysFromEnv } from './routes/ingestion';

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a non-negative number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'org-id': { type: 'string' },
      'tenant-id': { type: 'string' },
      sandboxes: { type: 'string' },
      'token-ttl': { type: 'string' },
      'latency-ms': { type: 'string' },
      'inlet-delay-ms': { type: 'string' },
      'landing-delay-ms': { type: 'string' },
      'aggregation-delay-ms': { type: 'string' },
      'data-file': { type: 'string' },
      'public-origin': { type: 'string' },
      'no-spec-validation': { type: 'boolean' },
    },
    strict: true,
  });
  const env = process.env;
  const opts: Partial<EmulatorOptions> = {
    clientId: values['client-id'] ?? env['AEP_CLIENT_ID'],
    clientSecret: values['client-secret'] ?? env['AEP_CLIENT_SECRET'],
    orgId: values['org-id'] ?? env['AEP_ORG_ID'],
    tenantId: values['tenant-id'],
    sandboxes: values.sandboxes
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tokenTtlSeconds: num('token-ttl', values['token-ttl']),
    latencyMs: num('latency-ms', values['latency-ms']),
    inletDelayMs: num('inlet-delay-ms', values['inlet-delay-ms']),
    ...ingestionDelaysFromEnv(env),
    dataFile: values['data-file'],
    publicOrigin: values['public-origin']?.replace(/\/+$/, ''),
    specValidation: values['no-spec-validation'] === true ? false : undefined,
  };
  // Flags win over the environment.
  const landing = num('landing-delay-ms', values['landing-delay-ms']);
  const aggregation = num('aggregation-delay-ms', values['aggregation-delay-ms']);
  if (landing !== undefined) opts.landingDelayMs = landing;
  if (aggregation !== undefined) opts.aggregationDelayMs = aggregation;
  const port = num('port', values.port) ?? 8090;
  const emulator = createEmulator(opts);
  const server = await emulator.listen(port, values.host ?? '127.0.0.1');
  process.stdout.write(`AEP emulator listening on ${server.url}\n`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
