// The generic HTTP API streaming source, as data: raw JSON over its inlet (…/create/streaming/http.md). Unlike the
// Streaming SDK packs it needs a base connection (POST /connections), whose `auth.params.inletUrl` is the inlet, and
// its own flow spec ("HTTP API with mappings"). Unauthenticated by default; set `authenticationRequired: true` in a
// copy of this preset for an inlet that takes only posts with a bearer token. Samples:
// src/shared/presets/http-api-samples.ts.
import {
  EXPERIENCE_EVENT_CLASS,
  HTTP_API_CONNECTION_SPEC_ID,
  HTTP_API_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import { httpApiSamples } from '../shared/presets/http-api-samples';
import type { SourcePresetInput } from '../shared/preset-schema';
import { attributes, eventIdAndTime, number, object, text } from './preset-kit';

const NS = '_{TENANT}.httpApi';

const preset: SourcePresetInput = {
  id: 'http-api',
  displayName: 'HTTP API',
  connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: STREAMING_PROVIDER_ID,
  flowSpec: { id: HTTP_API_FLOW_SPEC_ID, version: '1.0' },
  baseConnection: {
    connectionSpec: { id: HTTP_API_CONNECTION_SPEC_ID, version: '1.0' },
    auth: { specName: 'Streaming Connection', params: { dataType: 'raw' } },
  },
  dataFormat: 'json',
  schemaClass: EXPERIENCE_EVENT_CLASS,
  fieldGroup: {
    key: 'httpApi',
    title: 'HTTP API events',
    description: 'Fields of generic events streamed as raw JSON through the HTTP API source',
    fields: {
      eventId: text('Event id'),
      eventType: text('Event type'),
      occurredAt: text('Occurred at (ISO 8601)'),
      userId: text('User id'),
      email: text('Email'),
      attributes: object('Attributes', { page: text('Page'), value: number('Value'), label: text('Label') }),
    },
    required: ['eventId'],
  },
  mappings: [
    ...eventIdAndTime('eventId', 'occurredAt'),
    ...attributes(NS, [
      'eventId',
      'eventType',
      'occurredAt',
      'userId',
      'email',
      'attributes.page',
      'attributes.value',
      'attributes.label',
    ]),
  ],
  identity: { path: `${NS}.userId`, namespace: 'HttpApiUserId' },
  samples: httpApiSamples as unknown as Record<string, Record<string, unknown>>,
};

export default preset;
