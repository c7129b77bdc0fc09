// Sandbox API, the one read the project makes: a sandbox by name (`doctor`). Org-wide: the sandbox is the path's,
// not the x-sandbox-name header's. The answer's fields follow Adobe's "Look up a sandbox" example.
import { sandboxError } from '../core/errors';
import type { Router } from '../core/router';
import type { RequestContext, Reply } from '../core/types';

export const SANDBOX_BASE = '/data/foundation/sandbox-management';

function lookUp(ctx: RequestContext): Reply {
  const name = ctx.params['name'] ?? '';
  if (!ctx.options.sandboxes.includes(name)) {
    throw sandboxError(404, 'SANDBOX-1404-404', `Sandbox with name ${name} not found for the organization.`);
  }
  const production = name === 'prod';
  return {
    status: 200,
    body: {
      name,
      title: production ? 'Production' : name,
      state: 'active',
      type: production ? 'production' : 'development',
      region: 'VA7',
      isDefault: production,
      eTag: 1,
      createdDate: '2019-09-04 04:57:24',
      lastModifiedDate: '2019-09-04 04:57:24',
      createdBy: `${ctx.options.clientId}@AdobeID`,
      modifiedBy: `${ctx.options.clientId}@AdobeID`,
    },
  };
}

export function register(router: Router): void {
  router.add('GET', `${SANDBOX_BASE}/sandboxes/:name`, lookUp, { gateway: 'org' });
}
