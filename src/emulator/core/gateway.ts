// The Adobe I/O gateway in front of every Platform API (§0.2, §0.3), plus the service's sandbox check.
import { contentTypeError, flowError, gatewayError } from './errors';
import type { ClientCredential, EmulatorOptions, EmulatorState } from './types';

export function clients(options: EmulatorOptions): ClientCredential[] {
  return [
    { clientId: options.clientId, clientSecret: options.clientSecret, orgId: options.orgId },
    ...(options.extraClients ?? []),
  ];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** application/json, or any +json media type (xed+json, json-patch+json). */
export function isJsonContentType(value: string | undefined): boolean {
  const media = (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[\w.+-]+\+json$/.test(media);
}

/**
 * Runs the gateway checks in the order the gateway would and throws the documented error; returns the org
 * and sandbox the request is scoped to. Checks, in order: token present, token valid, api key present,
 * api key = the token's client, org header present, org well-formed, token entitled to org, content type,
 * sandbox present, sandbox known.
 */
export function checkGateway(
  method: string,
  headers: Record<string, string | undefined>,
  bodyLength: number,
  state: EmulatorState,
  options: EmulatorOptions,
  now: number,
  checkSandbox = true,
): { org: string; sandbox: string } {
  const auth = headers['authorization'];
  if (!auth) throw gatewayError(403, '403010', 'Oauth token is missing.');
  const token = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  const record = token === undefined ? undefined : state.tokens.get(token);
  if (!record || record.expiresAt <= now) throw gatewayError(401, '401013', 'Oauth token is not valid');

  const apiKey = headers['x-api-key'];
  if (!apiKey) throw gatewayError(403, '403000', 'Api Key is required');
  if (apiKey !== record.clientId) throw gatewayError(403, '403003', 'Api Key is invalid');

  const org = headers['x-gw-ims-org-id'];
  if (!org) throw gatewayError(400, '400003', 'Missing header');
  if (!/^[A-Za-z0-9]+@AdobeOrg$/.test(org)) throw gatewayError(403, '403027', 'User region is missing');
  if (org !== record.org) throw gatewayError(403, '403025', 'Profile is not valid');

  if (BODY_METHODS.has(method) && bodyLength > 0 && !isJsonContentType(headers['content-type']))
    throw contentTypeError();

  const sandbox = headers['x-sandbox-name'];
  // The sandbox check is the service's: an org-wide API (the Sandbox API) reads its sandbox from the path.
  if (!checkSandbox) return { org, sandbox: sandbox ?? '' };
  if (!sandbox) throw flowError(400, 'FLOW-2105-400', 'x-sandbox-name is missing');
  if (!options.sandboxes.includes(sandbox))
    throw flowError(404, 'FLOW-2101-404', `Sandbox with name ${sandbox} not found for the organization.`);
  return { org, sandbox };
}
