import { z } from 'zod';
import { webhookUrl } from '../shared/webhook';
import type { AepRequestOptions, AepTransport } from './transport';

/** A time in epoch ms, as a JSON number or as a string of digits (the spec's example quotes it). */
const epochMs = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+$/, 'expected epoch milliseconds')
    .transform((v) => Number(v)),
]);

/**
 * The receipt of one streamed record, read tolerantly: streaming-ingestion.yaml's `StreamingIngestionResponse`
 * names the id `inletID` (its own example and the tutorials say `inletId`) and types `receivedTimeMs` as an
 * integer (its example is a string). Either spelling and either type is accepted; callers see `inletId` and a number.
 */
export const inletReceiptSchema = z
  .looseObject({
    inletId: z.string().optional(),
    inletID: z.string().optional(),
    xactionId: z.string(),
    receivedTimeMs: epochMs,
  })
  .refine((r) => r.inletId !== undefined || r.inletID !== undefined, {
    message: 'expected inletId (or inletID)',
    path: ['inletId'],
  })
  .transform(({ inletID, ...r }) => ({ ...r, inletId: r.inletId ?? inletID ?? '' }));

export type InletReceipt = z.output<typeof inletReceiptSchema>;

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
   * its query, nothing added but `syncValidation=true` when asked for (the inlet then refuses an invalid record
   * with its errors instead of a 200).
   */
  postToWebhook(
    url: string,
    event: unknown,
    opts: { syncValidation?: boolean; authenticated?: boolean } = {},
  ): Promise<InletReceipt> {
    return this.post(url, event, {
      ...(opts.syncValidation ? { query: { syncValidation: 'true' } } : {}),
      // An authenticated HTTP API inlet: the org's access token as the bearer, as the tutorial's appendix asks.
      ...(opts.authenticated ? { bearer: true } : {}),
    });
  }

  private async post(
    url: string,
    body: unknown,
    extra: Pick<AepRequestOptions<InletReceipt>, 'query' | 'headers' | 'bearer'> = {},
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
