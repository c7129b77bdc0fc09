import { z } from 'zod';
import { webhookUrl } from '../shared/webhook';
import type { AepRequestOptions, AepTransport } from './transport';

export const inletReceiptSchema = z.looseObject({
  inletId: z.string(),
  xactionId: z.string(),
  receivedTimeMs: z.number(),
});

export type InletReceipt = z.infer<typeof inletReceiptSchema>;

/** The URL to paste into the source's webhook settings: one home, shared with the workflows. */
export { webhookUrl };

/** Streaming inlet (DCS): unauthenticated raw-JSON posts, as Chatlio makes them. */
export class Inlet {
  constructor(private readonly transport: AepTransport) {}

  webhookUrl(inletUrl: string, flowId: string): string {
    return webhookUrl(inletUrl, flowId);
  }

  /** Sends one raw JSON record; the flow id goes both as header and as query, as either form is accepted. */
  async send(
    inletUrl: string,
    flowId: string,
    payload: unknown,
    opts: { syncValidation?: boolean } = {},
  ): Promise<InletReceipt> {
    if (!/^https?:\/\//.test(inletUrl)) throw new TypeError('inletUrl must be an absolute http(s) URL');
    return this.post(inletUrl, payload, {
      query: { 'x-adobe-flow-id': flowId, syncValidation: opts.syncValidation ? 'true' : undefined },
      headers: { 'x-adobe-flow-id': flowId },
    });
  }

  /**
   * Posts one event to a webhook URL (`webhookUrl`) exactly as the source would: the URL as given, the flow id in
   * its query, nothing added.
   */
  postToWebhook(url: string, event: unknown): Promise<InletReceipt> {
    return this.post(url, event);
  }

  private async post(
    url: string,
    body: unknown,
    extra: Pick<AepRequestOptions<InletReceipt>, 'query' | 'headers'> = {},
  ): Promise<InletReceipt> {
    const res = await this.transport.request({
      method: 'POST',
      service: 'absolute',
      path: url,
      ...extra,
      body,
      schema: inletReceiptSchema,
    });
    return res.data;
  }
}
