// `npm run codec-server`: serves the payload codec for the Web UI. Needs PAYLOAD_ENCRYPTION_KEY (the worker's).
//   CODEC_SERVER_BIND (127.0.0.1:8888), CODEC_CORS_ORIGINS (http://localhost:8233,http://127.0.0.1:8233),
//   CODEC_AUTH_TOKEN (optional: required Authorization header value).
import { codecFromEnv } from './temporal/codec';
import { createCodecServer } from './temporal/codec-server';

const codec = codecFromEnv();
if (!codec) {
  console.error('PAYLOAD_ENCRYPTION_KEY is not set: there is nothing to decode (payload encryption is off).');
  process.exit(2);
}
const [host, port] = (process.env.CODEC_SERVER_BIND || '127.0.0.1:8888').split(':');
const server = createCodecServer({
  codec,
  corsOrigins: (process.env.CODEC_CORS_ORIGINS || 'http://localhost:8233,http://127.0.0.1:8233').split(','),
  authToken: process.env.CODEC_AUTH_TOKEN || undefined,
});
server.listen(Number(port), host, () => console.log(`codec endpoint listening on http://${host}:${port}`));
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => server.close(() => process.exit(0)));
