// Sample Pendo webhook payloads. The common fields (accountId, visitorId, uniqueId, timestamp in epoch seconds,
// properties.guideProperties.name) are the ones AEP's Pendo tutorials map (sources/tutorials/ui/create/analytics/
// pendo-webhook.md, the source-schema JSON); the rest of each shape (app, subscription, event, userAgent,
// properties.guideId / guideStepId / language, the poll and NPS answers) follows Pendo's "Example webhook responses"
// (support.pendo.io, Webhooks). The track-event body is modelled on those shapes with the track event's name and
// its custom properties under `properties` [U]: Pendo publishes no example of it.

export interface PendoApp {
  id: number;
  name: string;
  platform: string;
}

export interface PendoGuideProperties {
  id: string;
  name: string;
  createdAt: number;
  lastUpdatedAt: number;
  createdByUser: { username: string };
  lastUpdatedByUser: { username: string };
  steps: Array<{ id: string; type: string; lastUpdatedAt: number; resetAt: number }>;
}

interface PendoEventBase {
  app: PendoApp;
  accountId: string;
  visitorId: string;
  uniqueId: string;
  /** Epoch seconds. */
  timestamp: number;
  subscription: { id: number; name: string };
  userAgent: string;
  event: string;
}

export interface PendoGuideEvent extends PendoEventBase {
  properties: {
    guideId: string;
    guideStepId: string;
    language: string;
    guideProperties: PendoGuideProperties;
    pollId?: string;
    pollResponse?: string | number;
  };
}

export interface PendoTrackEvent extends PendoEventBase {
  properties: { trackEventName: string; url: string; [custom: string]: unknown };
}

const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const app: PendoApp = { id: -323232, name: 'Acme web app', platform: 'web' };
const subscription = { id: 4802463602049999, name: 'Acme' };

const guide: PendoGuideProperties = {
  id: 'Kg92trd4yOzpDb2inI5eTOdcR0U',
  name: 'Welcome tour',
  createdAt: 1700000000000,
  lastUpdatedAt: 1700500000000,
  createdByUser: { username: 'pm@acme.example' },
  lastUpdatedByUser: { username: 'pm@acme.example' },
  steps: [
    { id: 'UgG7AtWEXNuvHBBcTqSQ8NxGvAU', type: 'building-block', lastUpdatedAt: 1700500000000, resetAt: 0 },
  ],
};

export const trackEvent: PendoTrackEvent = {
  app,
  accountId: 'acct-58f79ee324d3f',
  visitorId: 'visitor-1042',
  uniqueId: '166e50cdf40930fe1367e4d44795c9c74d88b83a',
  timestamp: 1733050000,
  subscription,
  userAgent: USER_AGENT,
  event: 'track',
  properties: {
    trackEventName: 'Report exported',
    url: 'https://app.acme.example/reports/42',
    format: 'csv',
  },
};

export const guideDisplayed: PendoGuideEvent = {
  app,
  accountId: 'acct-58f79ee324d3f',
  visitorId: 'visitor-1042',
  uniqueId: 'f9610795860d89fe29491846fe297bcc922e460b',
  timestamp: 1733050100,
  subscription,
  userAgent: USER_AGENT,
  event: 'guideDisplayed',
  properties: {
    guideId: guide.id,
    guideStepId: guide.steps[0]!.id,
    language: 'en-US',
    guideProperties: guide,
  },
};

export const pollSubmitted: PendoGuideEvent = {
  ...guideDisplayed,
  uniqueId: '2b1a6a3f0c7e4e6d9d55b0c1d2e3f40516273849',
  timestamp: 1733050160,
  event: 'pollSubmitted',
  properties: {
    ...guideDisplayed.properties,
    guideProperties: { ...guide, name: 'How useful is reporting?' },
    pollId: 'poll-7x1',
    pollResponse: 'Very useful',
  },
};

export const npsSubmitted: PendoGuideEvent = {
  ...guideDisplayed,
  uniqueId: '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
  timestamp: 1733050220,
  event: 'npsSubmitted',
  properties: {
    ...guideDisplayed.properties,
    guideProperties: { ...guide, name: 'NPS survey Q4' },
    pollId: 'nps-score',
    pollResponse: 9,
  },
};

export const pendoSamples = { trackEvent, guideDisplayed, pollSubmitted, npsSubmitted };

export type PendoSampleName = keyof typeof pendoSamples;
