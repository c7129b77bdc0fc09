// Chatlio, as data. Field names follow Chatlio's webhook payloads (reference §8), not the tutorial's mapping table,
// and live in the org's own tenant namespace (`_{TENANT}`), never Adobe's `_extconndev`.
import {
  CHATLIO_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import { chatlioSamples } from '../shared/presets/chatlio-samples';
import type { SourcePresetInput } from '../shared/preset-schema';
import { text, when } from './preset-kit';

const NS = '_{TENANT}.chatlio';

const preset: SourcePresetInput = {
  id: 'chatlio',
  displayName: 'Chatlio',
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: STREAMING_PROVIDER_ID,
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
  dataFormat: 'json',
  schemaClass: EXPERIENCE_EVENT_CLASS,
  fieldGroup: {
    key: 'chatlio',
    title: 'Chatlio chat events',
    description: 'Fields of Chatlio webhook events (conversations, offline messages, transcripts, feedback)',
    fields: {
      message: text('Message'),
      conversationUUID: text('Conversation UUID'),
      channelId: text('Channel ID'),
      slackChannelName: text('Slack channel name'),
      slackChannelId: text('Slack channel ID'),
      visitor: {
        type: 'object',
        title: 'Visitor',
        properties: {
          UUID: text('Visitor UUID'),
          email: text('Visitor e-mail'),
          name: text('Visitor name'),
          handle: text('Visitor handle'),
          currentPage: text('Current page'),
          referrerURL: text('Referrer URL'),
          userAgent: text('User agent'),
          IPAddress: text('IP address'),
          location: text('Location'),
          createdAt: text('Visitor created at'),
        },
      },
      offline: {
        type: 'object',
        title: 'Offline message',
        properties: { name: text('Name'), email: text('E-mail') },
      },
      transcript: {
        type: 'object',
        title: 'Transcript',
        properties: {
          agentEmail: text('Agent e-mail'),
          agentName: text('Agent name'),
          archiveUrl: text('Archive URL'),
          channelName: text('Channel name'),
          startedAt: when('Started at'),
          endedAt: when('Ended at'),
          textBody: text('Transcript text'),
          visitorEmail: text('Visitor e-mail'),
          visitorName: text('Visitor name'),
        },
      },
      feedback: {
        type: 'object',
        title: 'Feedback',
        properties: { rating: { type: 'integer', title: 'Rating' }, comment: text('Comment') },
      },
    },
    required: [],
  },
  mappings: [
    // The ExperienceEvent class needs `_id` and `timestamp`; Chatlio sends neither in every event type.
    { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
    { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
    ...[
      'message',
      'conversationUUID',
      'channelId',
      'slackChannelName',
      'slackChannelId',
      'visitor.UUID',
      'visitor.email',
      'visitor.name',
      'visitor.handle',
      'visitor.currentPage',
      'visitor.referrerURL',
      'visitor.userAgent',
      'visitor.IPAddress',
      'visitor.location',
      'visitor.createdAt',
    ].map((source) => ({ sourceType: 'ATTRIBUTE' as const, source, destination: `${NS}.${source}` })),
    { sourceType: 'ATTRIBUTE', source: 'name', destination: `${NS}.offline.name` },
    { sourceType: 'ATTRIBUTE', source: 'email', destination: `${NS}.offline.email` },
    ...[
      'agentEmail',
      'agentName',
      'archiveUrl',
      'channelName',
      'startedAt',
      'endedAt',
      'textBody',
      'visitorEmail',
      'visitorName',
    ].map((source) => ({
      sourceType: 'ATTRIBUTE' as const,
      source,
      destination: `${NS}.transcript.${source}`,
    })),
    { sourceType: 'ATTRIBUTE', source: 'rating', destination: `${NS}.feedback.rating` },
    { sourceType: 'ATTRIBUTE', source: 'comment', destination: `${NS}.feedback.comment` },
  ],
  identity: { path: `${NS}.visitor.email`, namespace: 'Email' },
  samples: chatlioSamples as unknown as Record<string, Record<string, unknown>>,
};

export default preset;
