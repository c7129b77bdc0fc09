import { z } from 'zod';
import { webhookUrl } from '../shared/webhook';
import type { AepTransport } from './transport';

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
    const res = await this.transport.request({
      method: 'POST',
      service: 'absolute',
      path: inletUrl,
      query: { 'x-adobe-flow-id': flowId, syncValidation: opts.syncValidation ? 'true' : undefined },
      headers: { 'x-adobe-flow-id': flowId },
      body: payload,
      schema: inletReceiptSchema,
    });
    return res.data;
  }
}
