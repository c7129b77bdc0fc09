// Sandbox API (Experience League, "Sandbox management endpoint"): one sandbox by name. The sandbox is in the path,
// and the answer is org-wide: a sandbox the credential may not use still answers here when it exists.
import { z } from 'zod';
import type { AepTransport } from './transport';

export const sandboxSchema = z.looseObject({
  name: z.string(),
  title: z.string().nullish(),
  /** creating, active, failed, deleted. */
  state: z.string().nullish(),
  /** development or production. */
  type: z.string().nullish(),
  region: z.string().nullish(),
  isDefault: z.boolean().nullish(),
});

export type Sandbox = z.infer<typeof sandboxSchema>;

export class SandboxManagement {
  constructor(private readonly transport: AepTransport) {}

  /** `GET /sandboxes/{name}`; Adobe asks for the Sandbox Administration permission here (403 without it). */
  async getSandbox(name: string): Promise<Sandbox> {
    const res = await this.transport.request({
      method: 'GET',
      service: 'sandbox-management',
      path: `/sandboxes/${encodeURIComponent(name)}`,
      schema: sandboxSchema,
    });
    return res.data;
  }
}
