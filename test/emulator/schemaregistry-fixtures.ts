// Shared setup for EMU-DATA's HTTP tests: an emulator on a random loopback port, an authenticated caller and
// builders for the field group / schema / dataset chain every Data Prep and inlet test needs.
import { EXPERIENCE_EVENT_CLASS, XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import type { EmulatorOptions } from '../../src/emulator/core/types';
import type { DatasetRefs, XdmBody } from '../support/aep-bodies';
import { startEmulator, type StartedEmulator } from '../support/emulator';

export const SR = '/data/foundation/schemaregistry';
export const CATALOG = '/data/foundation/catalog';
export const CONVERSION = '/data/foundation/conversion';
export const FLOWS = '/data/foundation/flowservice';
export const XED_ID = 'application/vnd.adobe.xed-id+json';
export const XED_FULL = 'application/vnd.adobe.xed-full+json; version=1';

/** An answer; `T` is what the caller expects the body to be (test/support/aep-bodies.ts), not checked here. */
export interface Answer<T = unknown> {
  status: number;
  /** Parsed JSON, else the raw text (undefined when empty). */
  body: T;
  headers: Headers;
}

export interface Platform {
  emu: StartedEmulator;
  tenantId: string;
  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  close(): Promise<void>;
}

export async function startPlatform(opts: Partial<EmulatorOptions> = {}): Promise<Platform> {
  const emu = await startEmulator(opts);
  const token = await emu.token();
  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { ...emu.headers(token), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      /* keep the raw text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return { emu, tenantId: emu.options.tenantId, call, close: () => emu.close() };
}

export function chatlioFieldGroup(tenantId: string, title = 'Chatlio fields'): Record<string, unknown> {
  const str = (t: string) => ({ type: 'string', title: t });
  return {
    type: 'object',
    title,
    description: 'Chatlio webhook fields',
    'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
    definitions: {
      chatlio: {
        properties: {
          [`_${tenantId}`]: {
            type: 'object',
            properties: {
              message: str('Message'),
              UUID: str('Visitor UUID'),
              chatlio_email: str('Email'),
              slackchannel_ID: str('Slack channel id'),
              slackchannel_name: str('Slack channel name'),
              channel_ID: str('Channel id'),
              conversationUUID: str('Conversation'),
              agentName: str('Agent'),
              rating: { type: 'integer', title: 'Rating' },
              comment: str('Comment'),
            },
          },
        },
      },
    },
    allOf: [{ $ref: '#/definitions/chatlio' }],
  };
}

export async function createSchemaChain(
  p: Platform,
  prefix = 'Chatlio',
): Promise<{ fieldGroupId: string; schemaId: string; schemaAltId: string }> {
  const fg = await p.call<XdmBody>(
    'POST',
    `${SR}/tenant/fieldgroups`,
    chatlioFieldGroup(p.tenantId, `${prefix} fields`),
  );
  if (fg.status !== 201) throw new Error(`field group: ${fg.status} ${JSON.stringify(fg.body)}`);
  const schema = await p.call<XdmBody>('POST', `${SR}/tenant/schemas`, {
    type: 'object',
    title: `${prefix} events`,
    description: 'Chatlio events',
    allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: fg.body.$id }],
  });
  if (schema.status !== 201) throw new Error(`schema: ${schema.status} ${JSON.stringify(schema.body)}`);
  return { fieldGroupId: fg.body.$id, schemaId: schema.body.$id, schemaAltId: schema.body['meta:altId'] };
}

export async function createDataset(
  p: Platform,
  schemaId: string,
  name = 'Chatlio events dataset',
): Promise<string> {
  const res = await p.call<DatasetRefs>('POST', `${CATALOG}/dataSets`, {
    name,
    schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE },
  });
  if (res.status !== 201) throw new Error(`dataset: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body[0]).replace('@/dataSets/', '');
}
