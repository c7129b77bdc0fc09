// The worker's check of its AEP credential at start: an IMS token and one cheap read in the configured sandbox.
// Without it a wrong secret, org or sandbox shows only when the first onboarding fails, after the worker had been
// polling for hours as if all were well.
import { accessHint, isAccessRefusal } from './access-hint';
import { AepError } from './errors';
import type { AepClient } from './index';

export type AepCheck =
  | { outcome: 'ok'; message: string }
  /** AEP refused the credential, the org or the sandbox: retrying cannot help, the configuration must change. */
  | { outcome: 'refused'; message: string }
  /** AEP could not be asked (network, 5xx, throttling): the activities retry such faults, so the worker may start. */
  | { outcome: 'unavailable'; message: string };

const READ = 'GET /data/foundation/schemaregistry/stats';

export async function checkAepCredential(aep: AepClient): Promise<AepCheck> {
  const { orgId, sandbox } = aep.config;
  const scope = `org ${orgId}, sandbox "${sandbox}"`;
  try {
    await aep.ims.getToken();
    const stats = await aep.schemaRegistry.getStats();
    return {
      outcome: 'ok',
      message: `AEP credential accepted: IMS token and ${READ} for ${scope} (tenant ${stats.tenantId})`,
    };
  } catch (err) {
    // AepError messages are redacted by the client; anything else is reduced to its class name, never echoed.
    const reason = err instanceof AepError ? err.message : `${(err as Error).name ?? 'Error'}`;
    const call =
      err instanceof AepError
        ? { type: err.name, status: err.status, code: err.code, method: err.method, path: err.path }
        : {};
    if (err instanceof AepError && isAccessRefusal(call)) {
      return {
        outcome: 'refused',
        message:
          `AEP refused the worker's credential for ${scope}: ${reason}\n${accessHint(call, sandbox)}\n` +
          'The worker does not start with a credential AEP refuses (set WORKER_SKIP_AEP_CHECK=true to skip this check).',
      };
    }
    return {
      outcome: 'unavailable',
      message: `Could not check the AEP credential for ${scope} (${reason}); starting anyway, the activities retry AEP faults.`,
    };
  }
}
