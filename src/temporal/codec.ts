// Optional payload protection: Chatlio events carry e-mail addresses and names, and onboarding inputs and results
// name customers' resources. With PAYLOAD_ENCRYPTION_KEY set, every payload the worker and clients write to Temporal
// is AES-256-GCM encrypted; the Web UI decrypts through the codec endpoint (src/temporal/codec-server.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { DataConverter } from '@temporalio/common';

export const ENCODING = 'binary/encrypted';
const METADATA_ENCODING_KEY = 'encoding';
const METADATA_KEY_ID = 'encryption-key-id';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class AesGcmCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  /** `current` encrypts; `previous` keys still decrypt (key rotation). */
  constructor(
    private readonly current: EncryptionKey,
    previous: EncryptionKey[] = [],
  ) {
    this.keys = new Map([current, ...previous].map((k) => [k.id, k.key]));
    for (const [id, key] of this.keys) {
      if (key.length !== 32)
        throw new Error(`Payload encryption key "${id}" must be 32 bytes (base64 of 32 bytes)`);
    }
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = encodePayloadProto(payload);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCODING),
          [METADATA_KEY_ID]: encoder.encode(this.current.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`No payload encryption key with id "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const iv = data.subarray(0, IV_LENGTH);
      const tag = data.subarray(data.length - TAG_LENGTH);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_LENGTH, data.length - TAG_LENGTH)),
        decipher.final(),
      ]);
      return decodePayloadProto(plain);
    });
  }
}

/**
 * A payload as bytes: a small length-prefixed framing of metadata and data (no protobuf dependency needed for a
 * format only this codec reads).
 */
function encodePayloadProto(p: Payload): Buffer {
  const meta = Object.entries(p.metadata ?? {}).map(([k, v]) => [
    k,
    Buffer.from(v ?? new Uint8Array()).toString('base64'),
  ]);
  const header = Buffer.from(JSON.stringify(meta));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([len, header, Buffer.from(p.data ?? new Uint8Array())]);
}

function decodePayloadProto(b: Buffer): Payload {
  const headerLength = b.readUInt32BE(0);
  const meta = JSON.parse(b.subarray(4, 4 + headerLength).toString()) as Array<[string, string]>;
  return {
    metadata: Object.fromEntries(meta.map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(b.subarray(4 + headerLength)),
  };
}

/** PAYLOAD_ENCRYPTION_KEY (base64, 32 bytes), PAYLOAD_ENCRYPTION_KEY_ID (default "default"); unset = off. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  const raw = env.PAYLOAD_ENCRYPTION_KEY;
  if (!raw) return undefined;
  const key = Buffer.from(raw, 'base64');
  const previous = (env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [id, value] = entry.split(':');
      if (!id || !value) throw new Error('PAYLOAD_ENCRYPTION_PREVIOUS_KEYS must be "id:base64key,..."');
      return { id, key: Buffer.from(value, 'base64') };
    });
  return new AesGcmCodec({ id: env.PAYLOAD_ENCRYPTION_KEY_ID || 'default', key }, previous);
}

/** The data converter for workers and clients: the default one, plus encryption when configured. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = codecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
