// Shared setup for EMU-DATA's HTTP tests: an emulator on a random loopback port, an authenticated caller and
// builders for the field group / schema / dataset chain every Data Prep and inlet test needs.
import { EXPERIENCE_EVENT_CLASS, XED_FULL_CONTENT_TYPE } from '../../src/shared/aep-constants';
import type { EmulatorOptions } from '../../src/emulator/core/types';
import { startEmulator, type StartedEmulator } from '../support/emulator';

export const SR = '/data/foundation/schemaregistry';
export const CATALOG = '/data/foundation/catalog';
export const CONVERSION = '/data/foundation/conversion';
export const FLOWS = '/data/foundation/flowservice';
export const XED_ID = 'application/vnd.adobe.xed-id+json';
export const XED_FULL = 'application/vnd.adobe.xed-full+json; version=1';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface Platform {
  emu: StartedEmulator;
  tenantId: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

export async function startPlatform(opts: Partial<EmulatorOptions> = {}): Promise<Platform> {
  const emu = await startEmulator(opts);
  const token = await emu.token();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
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
    return { status: res.status, body: parsed, headers: res.headers };
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
  const fg = await p.call(
    'POST',
    `${SR}/tenant/fieldgroups`,
    chatlioFieldGroup(p.tenantId, `${prefix} fields`),
  );
  if (fg.status !== 201) throw new Error(`field group: ${fg.status} ${JSON.stringify(fg.body)}`);
  const schema = await p.call('POST', `${SR}/tenant/schemas`, {
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
  const res = await p.call('POST', `${CATALOG}/dataSets`, {
    name,
    schemaRef: { id: schemaId, contentType: XED_FULL_CONTENT_TYPE },
  });
  if (res.status !== 201) throw new Error(`dataset: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body[0]).replace('@/dataSets/', '');
}
