// IMS OAuth server-to-server (§1): client_credentials only, opaque tokens bound to the credential's org.
import { randomBytes } from 'node:crypto';
import { imsError } from '../core/errors';
import { clients } from '../core/gateway';
import type { Router } from '../core/router';
import type { RequestContext, Reply } from '../core/types';

function formParams(ctx: RequestContext): URLSearchParams {
  // Query parameters are accepted too (§1); the body wins when both carry a field.
  const merged = new URLSearchParams(ctx.query);
  const body = new URLSearchParams(ctx.rawBody.toString('utf8'));
  for (const [k, v] of body) merged.set(k, v);
  return merged;
}

function issueToken(ctx: RequestContext): Reply {
  const form = formParams(ctx);
  if (form.get('grant_type') !== 'client_credentials')
    throw imsError(400, 'unsupported_grant_type', 'unsupported grant_type parameter');
  const client = clients(ctx.options).find((c) => c.clientId === form.get('client_id'));
  if (!client) throw imsError(400, 'invalid_client', 'invalid client_id parameter');
  if (form.get('client_secret') !== client.clientSecret)
    throw imsError(400, 'invalid_client', 'invalid client_secret parameter');
  // Expired tokens stay refused (401013) whether pruned or not; pruning keeps the data file small.
  for (const [t, rec] of ctx.state.tokens) if (rec.expiresAt <= ctx.now()) ctx.state.tokens.delete(t);
  const accessToken = `eyJ${randomBytes(48).toString('base64url')}`;
  const expiresIn = ctx.options.tokenTtlSeconds;
  ctx.state.tokens.set(accessToken, {
    clientId: client.clientId,
    org: client.orgId,
    expiresAt: ctx.now() + expiresIn * 1000,
  });
  ctx.state.mutated();
  return { status: 200, body: { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn } };
}

export function register(router: Router): void {
  router.add('POST', '/ims/token/v3', issueToken, { gateway: 'none' });
}
