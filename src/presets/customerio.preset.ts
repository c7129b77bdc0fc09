// Customer.io (beta), as data: reporting-webhook activity events for customers, email, push and SMS (samples:
// src/shared/presets/customerio-samples.ts). Every mapping AEP's UI tutorial calls mandatory is here: object_type,
// id, email, event_id, cio_id, metric, timestamp (as `eventTime`: epoch seconds).
import {
  CUSTOMERIO_CONNECTION_SPEC_ID,
  EXPERIENCE_EVENT_CLASS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../shared/aep-constants';
import { customerioSamples } from '../shared/presets/customerio-samples';
import type { SourcePresetInput } from '../shared/preset-schema';
import { attributes, eventIdAndTime, integer, object, text } from './preset-kit';

const NS = '_{TENANT}.customerio';

const preset: SourcePresetInput = {
  id: 'customerio',
  displayName: 'Customer.io',
  connectionSpec: { id: CUSTOMERIO_CONNECTION_SPEC_ID, version: '1.0' },
  providerId: STREAMING_PROVIDER_ID,
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
  dataFormat: 'json',
  schemaClass: EXPERIENCE_EVENT_CLASS,
  fieldGroup: {
    key: 'customerio',
    title: 'Customer.io activity events',
    description: 'Fields of Customer.io reporting webhooks (customer, email, push and SMS activity)',
    fields: {
      eventId: text('Event ID'),
      objectType: text('Object type'),
      metric: text('Metric'),
      eventTime: integer('Event time (epoch seconds)'),
      customer: object('Customer', { id: text('Customer ID'), email: text('E-mail'), cioId: text('cio_id') }),
      delivery: object('Delivery', {
        id: text('Delivery ID'),
        campaignId: integer('Campaign ID'),
        actionId: integer('Action ID'),
        recipient: text('Recipient (e-mail or phone)'),
        subject: text('Subject'),
        content: text('Content'),
        href: text('Clicked link'),
        linkId: integer('Link ID'),
      }),
    },
    required: ['eventId', 'objectType', 'metric'],
  },
  mappings: [
    ...eventIdAndTime('event_id', undefined),
    ...attributes(NS, [
      ['event_id', 'eventId'],
      ['object_type', 'objectType'],
      'metric',
      ['timestamp', 'eventTime'],
      ['data.identifiers.id', 'customer.id'],
      ['data.identifiers.email', 'customer.email'],
      ['data.identifiers.cio_id', 'customer.cioId'],
      ['data.delivery_id', 'delivery.id'],
      ['data.campaign_id', 'delivery.campaignId'],
      ['data.action_id', 'delivery.actionId'],
      ['data.recipient', 'delivery.recipient'],
      ['data.subject', 'delivery.subject'],
      ['data.content', 'delivery.content'],
      ['data.href', 'delivery.href'],
      ['data.link_id', 'delivery.linkId'],
    ]),
  ],
  identity: { path: `${NS}.customer.email`, namespace: 'Email' },
  samples: customerioSamples as unknown as Record<string, Record<string, unknown>>,
};

export default preset;
