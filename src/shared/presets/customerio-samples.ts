// Sample Customer.io reporting-webhook payloads. The envelope (event_id, object_type, metric, timestamp in epoch
// seconds, data.identifiers.{id,email,cio_id}, data.customer_id) is the source-schema JSON of AEP's Customer.io
// tutorial (sources/tutorials/ui/create/marketing-automation/customerio-webhook.md), whose mandatory mappings are
// object_type, id, email, event_id, cio_id, metric and timestamp. The message-activity fields under `data`
// (delivery_id, campaign_id, action_id, recipient, subject, href / link_id for clicks, recipients[] for push) follow
// Customer.io's Reporting Webhooks reference (docs.customer.io/api/webhooks): one sample per channel and metric kind.

export interface CustomerioIdentifiers {
  id: string;
  email: string;
  cio_id: string;
}

export interface CustomerioActivityEvent {
  event_id: string;
  object_type: 'customer' | 'email' | 'push' | 'sms';
  metric: string;
  /** Epoch seconds. */
  timestamp: number;
  data: {
    customer_id: string;
    identifiers: CustomerioIdentifiers;
    email_address?: string;
    delivery_id?: string;
    campaign_id?: number;
    action_id?: number;
    recipient?: string;
    subject?: string;
    href?: string;
    link_id?: number;
    recipients?: Array<{ device_id: string; device_platform: string }>;
    content?: string;
  };
}

const identifiers: CustomerioIdentifiers = { id: '42', email: 'dana@example.com', cio_id: 'd9c106000001' };

export const customerSubscribed: CustomerioActivityEvent = {
  event_id: '01E4C4CT6YDC7Y5M7FE1GWWPQJ',
  object_type: 'customer',
  metric: 'subscribed',
  timestamp: 1733050000,
  data: { customer_id: '42', email_address: identifiers.email, identifiers },
};

const delivery = {
  customer_id: '42',
  identifiers,
  delivery_id: 'RAECAAFwnUSneIa0ZXkmq8EdkAM==',
  campaign_id: 23,
  action_id: 96,
};

export const emailDelivered: CustomerioActivityEvent = {
  event_id: '01E4C4HDAPN5J7NXVTGZ0PN6MN',
  object_type: 'email',
  metric: 'delivered',
  timestamp: 1733050100,
  data: { ...delivery, recipient: identifiers.email, subject: 'Your December statement' },
};

export const emailClicked: CustomerioActivityEvent = {
  event_id: '01E4C4HDAPN5J7NXVTGZ0PN6MP',
  object_type: 'email',
  metric: 'clicked',
  timestamp: 1733050160,
  data: {
    ...delivery,
    recipient: identifiers.email,
    subject: 'Your December statement',
    href: 'https://acme.example/statements/2026-12',
    link_id: 1,
  },
};

export const pushOpened: CustomerioActivityEvent = {
  event_id: '01E4C4HDAPN5J7NXVTGZ0PN6MQ',
  object_type: 'push',
  metric: 'opened',
  timestamp: 1733050220,
  data: {
    ...delivery,
    delivery_id: 'RAECAAFwnUSneIa0ZXkmq8EdkAQ==',
    recipients: [{ device_id: 'fcm-3f1c6b2e9d', device_platform: 'android' }],
    content: 'Your statement is ready',
  },
};

export const smsSent: CustomerioActivityEvent = {
  event_id: '01E4C4HDAPN5J7NXVTGZ0PN6MR',
  object_type: 'sms',
  metric: 'sent',
  timestamp: 1733050280,
  data: {
    ...delivery,
    delivery_id: 'RAECAAFwnUSneIa0ZXkmq8EdkAU==',
    recipient: '+15555550142',
    content: 'Acme: your statement is ready.',
  },
};

export const customerioSamples = { customerSubscribed, emailDelivered, emailClicked, pushOpened, smsSent };

export type CustomerioSampleName = keyof typeof customerioSamples;
