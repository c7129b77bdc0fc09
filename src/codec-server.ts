// `npm run codec-server`: serves the payload codec for the Web UI. Needs PAYLOAD_ENCRYPTION_KEY (the worker's).
//   CODEC_SERVER_BIND (127.0.0.1:8888, [::1]:8888 for IPv6), CODEC_CORS_ORIGINS (http://localhost:8233,
//   http://127.0.0.1:8233), CODEC_AUTH_TOKEN (Authorization: Bearer <token>; required off loopback),
//   CODEC_ALLOWED_HOSTS (extra Host header names, e.g. behind a proxy), CODEC_MAX_BODY_BYTES (4 MiB).
import { codecFromEnv } from './temporal/codec';
import { codecServerSettingsFromEnv, startCodecServer } from './temporal/codec-server';

async function main(): Promise<void> {
  const codec = codecFromEnv();
  if (!codec) {
    console.error(
      'PAYLOAD_ENCRYPTION_KEY is not set: there is nothing to decode (payload encryption is off).',
    );
    process.exit(2);
  }
  const settings = codecServerSettingsFromEnv(process.env, [
    'http://localhost:8233',
    'http://127.0.0.1:8233',
  ]);
  const started = await startCodecServer(codec, settings);
  console.log(`codec endpoint listening on ${started.url}`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => void started.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
