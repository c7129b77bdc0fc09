// Pendo, as data: track, guide, poll and NPS webhook events (samples: src/shared/presets/pendo-samples.ts).
// AEP requires `uniqueId` mapped (the UI tutorial's one mandatory mapping): it is the event's `_id` here, and kept.
import {
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  PENDO_CONNECTION_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import { pendoSamples } from '../shared/presets/pendo-samples';
import type { SourcePresetInput } from '../shared/preset-schema';
import { attributes, eventIdAndTime, integer, object, text } from './preset-kit';

const NS = '_{TENANT}.pendo';

const preset: SourcePresetInput = {
  id: 'pendo',
  displayName: 'Pendo',
  connectionSpec: { id: PENDO_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: STREAMING_PROVIDER_ID,
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
  dataFormat: 'json',
  schemaClass: EXPERIENCE_EVENT_CLASS,
  fieldGroup: {
    key: 'pendo',
    title: 'Pendo webhook events',
    description: 'Fields of Pendo webhook events (track events, guides, polls, NPS)',
    fields: {
      uniqueId: text('Pendo event id'),
      event: text('Event type'),
      accountId: text('Account ID'),
      visitorId: text('Visitor ID'),
      eventTime: integer('Event time (epoch seconds)'),
      userAgent: text('User agent'),
      app: object('App', { id: integer('App ID'), name: text('App name'), platform: text('Platform') }),
      guide: object('Guide', {
        id: text('Guide ID'),
        name: text('Guide name'),
        stepId: text('Guide step ID'),
        language: text('Language'),
      }),
      poll: object('Poll or NPS answer', { id: text('Poll ID'), response: text('Response') }),
      track: object('Track event', { name: text('Track event name'), url: text('Page URL') }),
    },
    required: ['uniqueId'],
  },
  mappings: [
    ...eventIdAndTime('uniqueId', undefined),
    ...attributes(NS, [
      'uniqueId',
      'event',
      'accountId',
      'visitorId',
      ['timestamp', 'eventTime'],
      'userAgent',
      'app.id',
      'app.name',
      'app.platform',
      ['properties.guideId', 'guide.id'],
      ['properties.guideProperties.name', 'guide.name'],
      ['properties.guideStepId', 'guide.stepId'],
      ['properties.language', 'guide.language'],
      ['properties.pollId', 'poll.id'],
      ['properties.pollResponse', 'poll.response'],
      ['properties.trackEventName', 'track.name'],
      ['properties.url', 'track.url'],
    ]),
  ],
  // Pendo's visitor id is the app's own user id: a namespace the org defines for it.
  identity: { path: `${NS}.visitorId`, namespace: 'PendoVisitorId' },
  samples: pendoSamples as unknown as Record<string, Record<string, unknown>>,
};

export default preset;
