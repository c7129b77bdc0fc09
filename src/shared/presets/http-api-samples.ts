// Sample bodies for the generic HTTP API source: raw JSON a customer's own system posts to the inlet
// (…/create/streaming/http.md, "raw" data mapped by the flow's mapping set). The shape is ours [U]: AEP defines
// none for raw data, so these are a small generic event, an id, a type, a time and a few attributes.

export interface HttpApiEvent {
  eventId: string;
  eventType: string;
  /** ISO 8601. */
  occurredAt: string;
  userId: string;
  email?: string;
  attributes?: { page?: string; value?: number; label?: string };
}

const pageView: HttpApiEvent = {
  eventId: 'evt-7f3c2a10-0001',
  eventType: 'page.view',
  occurredAt: '2026-03-02T10:15:30Z',
  userId: 'user-1001',
  attributes: { page: '/pricing', label: 'Pricing' },
};

const purchase: HttpApiEvent = {
  eventId: 'evt-7f3c2a10-0002',
  eventType: 'order.completed',
  occurredAt: '2026-03-02T10:21:04Z',
  userId: 'user-1001',
  email: 'ada@example.com',
  attributes: { value: 129.5, label: 'Annual plan' },
};

const signup: HttpApiEvent = {
  eventId: 'evt-7f3c2a10-0003',
  eventType: 'account.created',
  occurredAt: '2026-03-02T11:02:47Z',
  userId: 'user-1002',
  email: 'grace@example.com',
};

export const httpApiSamples = { pageView, purchase, signup };
export type HttpApiSampleName = keyof typeof httpApiSamples;
