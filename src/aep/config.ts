import { z } from 'zod';
import { isLoopbackHost, redactUrlUserinfo } from '../shared/net';
import { REDACTED } from './errors';

export interface AepConfig {
  platformUrl: string;
  imsUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
  sandbox: string;
  scopes: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

export const DEFAULT_SCOPES =
  'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext';

const ENV_NAMES = {
  platformUrl: 'AEP_PLATFORM_URL',
  imsUrl: 'AEP_IMS_URL',
  clientId: 'AEP_CLIENT_ID',
  clientSecret: 'AEP_CLIENT_SECRET',
  orgId: 'AEP_ORG_ID',
  sandbox: 'AEP_SANDBOX',
  scopes: 'AEP_SCOPES',
  requestTimeoutMs: 'AEP_REQUEST_TIMEOUT_MS',
  connectTimeoutMs: 'AEP_CONNECT_TIMEOUT_MS',
} as const satisfies Record<keyof AepConfig, string>;

const REQUIRED: readonly (keyof AepConfig)[] = ['clientId', 'clientSecret', 'orgId'];

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));
const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be > 0');

const configSchema = z.object({
  platformUrl: httpUrl.default('https://platform.adobe.io'),
  imsUrl: httpUrl.default('https://ims-na1.adobelogin.com'),
  clientId: z.string(),
  clientSecret: z.string(),
  orgId: z.string(),
  sandbox: z.string().default('prod'),
  scopes: z.string().default(DEFAULT_SCOPES),
  requestTimeoutMs: positiveInt.default(30_000),
  connectTimeoutMs: positiveInt.default(10_000),
});

export class AepConfigError extends Error {
  override name = 'AepConfigError';
}

/** The opt-out that lets plain http:// reach a host off this machine (e.g. the compose network's emulator). */
export const ALLOW_INSECURE_HTTP = 'AEP_ALLOW_INSECURE_HTTP';

/**
 * Plain http:// would carry the client secret (to IMS) and the bearer token (to the platform) in clear, so it is
 * allowed only to loopback hosts unless AEP_ALLOW_INSECURE_HTTP=true.
 */
function insecureUrlIssues(cfg: Pick<AepConfig, 'platformUrl' | 'imsUrl'>, env: NodeJS.ProcessEnv): string[] {
  const optOut = env[ALLOW_INSECURE_HTTP]?.trim().toLowerCase() ?? '';
  if (!['', 'true', 'false'].includes(optOut)) return [`${ALLOW_INSECURE_HTTP} must be true or false`];
  if (optOut === 'true') return [];
  return (['platformUrl', 'imsUrl'] as const).flatMap((key) => {
    const url = new URL(cfg[key]);
    if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return [];
    return [
      `${ENV_NAMES[key]} must be https:// for ${url.hostname} (plain http:// would send the credential in ` +
        `clear; only loopback hosts may use it, unless ${ALLOW_INSECURE_HTTP}=true)`,
    ];
  });
}

/** Reads and validates the AEP settings; the error names the bad variables, never their values. */
export function loadAepConfig(env: NodeJS.ProcessEnv = process.env): AepConfig {
  const raw: Partial<Record<keyof AepConfig, string>> = {};
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof AepConfig, string][]) {
    const value = env[name]?.trim();
    if (value) raw[key] = value;
  }
  const missing = REQUIRED.filter((k) => raw[k] === undefined).map((k) => ENV_NAMES[k]);
  const parsed = configSchema.safeParse(raw);
  // An issue on an absent variable can only be a missing required one (the others have defaults).
  const invalid = parsed.success
    ? []
    : parsed.error.issues
        .filter((i) => raw[i.path[0] as keyof AepConfig] !== undefined)
        .map((i) => `${ENV_NAMES[i.path[0] as keyof AepConfig]} ${i.message}`);
  if (parsed.success) invalid.push(...insecureUrlIssues(parsed.data, env));
  if (missing.length > 0 || invalid.length > 0 || !parsed.success) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (invalid.length > 0) parts.push(`invalid ${invalid.join('; ')}`);
    throw new AepConfigError(`AEP configuration error: ${parts.join('; ')}`);
  }
  return parsed.data;
}

export type RedactedAepConfig = Readonly<Omit<AepConfig, 'clientSecret'> & { clientSecret: typeof REDACTED }>;

/** The config as it may be logged: no secret, and no user:password in the URLs. */
export function redactConfig(cfg: AepConfig): RedactedAepConfig {
  return Object.freeze({
    ...cfg,
    platformUrl: redactUrlUserinfo(cfg.platformUrl),
    imsUrl: redactUrlUserinfo(cfg.imsUrl),
    clientSecret: REDACTED,
  });
}
