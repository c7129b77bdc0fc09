// Sample Chatlio webhook payloads (reference §8). Chatlio sends no event-type field: the five events are told
// apart by their shape only, so these samples keep each documented shape exactly and carry realistic values.
// The feedback payload is undocumented [U]: it is modelled as the new-conversation shape plus `rating` and
// `comment`, the two fields every Chatlio visitor-feedback form collects.

export interface ChatlioVisitor {
  email: string;
  UUID: string;
  name: string;
  identUserId: string;
  identTraits: string;
  userAgent: string;
  handle: string;
  currentPage: string;
  referrerURL: string;
  createdAt: string;
  IPAddress: string;
  location: string;
}

/** Offline messages carry the visitor without `location`. */
export type ChatlioOfflineVisitor = Omit<ChatlioVisitor, 'location'>;

/** New conversation and unanswered visitor share this shape. */
export interface ChatlioConversationEvent {
  visitor: ChatlioVisitor;
  message: string;
  conversationUUID: string;
  channelId: string;
  slackChannelName: string;
  slackChannelId: string;
}

export interface ChatlioOfflineMessage {
  name: string;
  email: string;
  emailPretty: string;
  message: string;
  visitor: ChatlioOfflineVisitor;
}

export interface ChatlioTranscriptMessage {
  text: string;
  ts: string;
  sentAt: string;
  userId: string;
  username: string;
  isVisitorMsg: boolean;
}

export interface ChatlioTranscript {
  agentEmail: string;
  agentName: string;
  archiveUrl: string;
  extraData: Array<{ key: string; value: string }>;
  channelId: string;
  channelName: string;
  conversationUUID: string;
  startedAt: string;
  endedAt: string;
  htmlBody: string;
  textBody: string;
  messages: ChatlioTranscriptMessage[];
  visitorEmail: string;
  replyToEmail: string;
  visitorName: string;
  visitorTraits: Record<string, string>;
}

/** [U] feedback = new-conversation shape + rating (1..5) and free-text comment. */
export interface ChatlioFeedback extends ChatlioConversationEvent {
  rating: number;
  comment: string;
}

const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

export const newConversation: ChatlioConversationEvent = {
  visitor: {
    email: 'jane.doe@example.com',
    UUID: '2d3f4260-2235-903b-0a82-a23d326cc257',
    name: 'Jane Doe',
    identUserId: 'cust-10482',
    identTraits: '{"plan":"pro"}',
    userAgent: USER_AGENT,
    handle: 'united-states-27',
    currentPage: 'https://shop.example.com/signup',
    referrerURL: 'https://www.google.com/',
    createdAt: '2024-05-14T09:12:17.839766-07:00',
    IPAddress: '203.0.113.21',
    location: 'Los Angeles, California, United States',
  },
  message: 'Hi, I am having trouble signing up',
  conversationUUID: 'e3d1800d-2d9e-4966-4500-9ff986cfa197',
  channelId: 'C1NABCDEF',
  slackChannelName: 'live-chat',
  slackChannelId: 'C1XPVTNKR',
};

export const offlineMessage: ChatlioOfflineMessage = {
  name: 'Marc Dupont',
  email: 'marc.dupont@example.org',
  emailPretty: 'Marc Dupont <marc.dupont@example.org>',
  message: 'Do you ship to France? Please email me back.',
  visitor: {
    email: 'marc.dupont@example.org',
    UUID: '7a1c2e55-4b0d-4f7e-9a61-3c2b8f0d9e14',
    name: 'Marc Dupont',
    identUserId: '',
    identTraits: '',
    userAgent: USER_AGENT,
    handle: 'france-12',
    currentPage: 'https://shop.example.com/shipping',
    referrerURL: '',
    createdAt: '2024-05-14T23:40:02.114502+02:00',
    IPAddress: '198.51.100.7',
  },
};

export const transcript: ChatlioTranscript = {
  agentEmail: 'sam.agent@example.com',
  agentName: 'Sam Agent',
  archiveUrl: 'https://example.slack.com/archives/C1XPVTNKR/p1715703137000100',
  extraData: [{ key: 'orderId', value: 'A-99321' }],
  channelId: 'C1NABCDEF',
  channelName: 'live-chat',
  conversationUUID: 'e3d1800d-2d9e-4966-4500-9ff986cfa197',
  startedAt: '2024-05-14T16:12:17Z',
  endedAt: '2024-05-14T16:19:45Z',
  htmlBody:
    '<p><b>Jane Doe:</b> Hi, I am having trouble signing up</p><p><b>Sam Agent:</b> Sorry about that! What error do you see?</p>',
  textBody:
    'Jane Doe: Hi, I am having trouble signing up\nSam Agent: Sorry about that! What error do you see?',
  messages: [
    {
      text: 'Hi, I am having trouble signing up',
      ts: '1715703137.000100',
      sentAt: '2024-05-14T16:12:17Z',
      userId: '2d3f4260-2235-903b-0a82-a23d326cc257',
      username: 'Jane Doe',
      isVisitorMsg: true,
    },
    {
      text: 'Sorry about that! What error do you see?',
      ts: '1715703161.000200',
      sentAt: '2024-05-14T16:12:41Z',
      userId: 'U02AGENT01',
      username: 'Sam Agent',
      isVisitorMsg: false,
    },
  ],
  visitorEmail: 'jane.doe@example.com',
  replyToEmail: 'jane.doe@example.com',
  visitorName: 'Jane Doe',
  visitorTraits: { plan: 'pro', UUID: '2d3f4260-2235-903b-0a82-a23d326cc257' },
};

export const unansweredVisitor: ChatlioConversationEvent = {
  visitor: {
    email: '',
    UUID: '5b9e0c1a-8d2f-4e3b-b7a4-0f6d1c2e3a45',
    name: '',
    identUserId: '',
    identTraits: '',
    userAgent: USER_AGENT,
    handle: 'canada-4',
    currentPage: 'https://shop.example.com/pricing',
    referrerURL: 'https://news.example.net/review',
    createdAt: '2024-05-15T02:05:44.502311-04:00',
    IPAddress: '192.0.2.44',
    location: 'Toronto, Ontario, Canada',
  },
  message: 'Is anyone there? I have a question about pricing.',
  conversationUUID: '0c8f7e6d-5b4a-4392-8110-fedcba987654',
  channelId: 'C1NABCDEF',
  slackChannelName: 'live-chat',
  slackChannelId: 'C1XPVTNKR',
};

export const feedback: ChatlioFeedback = {
  ...newConversation,
  message: 'Thanks, the agent fixed my signup problem.',
  rating: 5,
  comment: 'Quick and friendly help.',
};

export const chatlioSamples = {
  newConversation,
  offlineMessage,
  transcript,
  unansweredVisitor,
  feedback,
};

export type ChatlioSampleName = keyof typeof chatlioSamples;
