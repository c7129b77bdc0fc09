// The AEP side of `doctor`: read-only calls, each failure named with what to change. Order matters: a check that
// needs an earlier one's answer is skipped when that one failed, so the first ✗ is the diagnosis.
import { accessHint } from '../aep/access-hint';
import { AepError, type AepClient } from '../aep';
import { checkSourceSpecs, type SpecProblem } from '../activities';
import type { SourcePreset } from '../shared/preset-schema';
import type { CheckResult } from './doctor-report';

/** The scopes AEP's APIs need in a token (Adobe's OAuth Server-to-Server credential for Experience Platform). */
export const AEP_SCOPES = [
  'openid',
  'AdobeID',
  'read_organizations',
  'additional_info.projectedProductContext',
];

/** Beyond this, a clock skew is worth a warning (tokens, run windows and logs compare times). */
export const CLOCK_SKEW_WARN_MS = 60_000;

/** The last `Date` header an AEP answer carried, and this machine's clock when it arrived. */
export interface ServerDate {
  serverMs: number;
  localMs: number;
}

export interface AepCheckInput {
  aep: AepClient;
  sandbox: string;
  presets: SourcePreset[];
  lastDate: () => ServerDate | undefined;
}

const GATEWAY_CODES = new Set(['401013', '403000', '403003', '403010', '403025', '403027']);

const reason = (err: unknown): string =>
  err instanceof AepError ? err.message : `${(err as Error)?.name ?? 'Error'} (no detail shown)`;

const refusedCall = (err: AepError) => ({
  type: err.name,
  status: err.status,
  code: err.code,
  method: err.method,
  path: err.path,
});

/** What to change when IMS refused (or could not be asked for) a token. */
export function imsFix(err: unknown, imsUrl: string): string {
  if (!(err instanceof AepError) || err.status === undefined) {
    return `IMS did not answer at ${imsUrl}: check AEP_IMS_URL (Adobe's is https://ims-na1.adobelogin.com) and the network or proxy to it.`;
  }
  const text = `${err.code ?? ''} ${err.message}`;
  if (/client_secret/.test(text)) {
    return "AEP_CLIENT_SECRET is not this credential's secret: copy it again from the Developer Console (project > OAuth Server-to-Server > Retrieve client secret).";
  }
  if (/client_id/.test(text)) {
    return 'AEP_CLIENT_ID is not known to IMS: copy the client id of the OAuth Server-to-Server credential from the Developer Console.';
  }
  if (/scope/.test(text)) {
    return 'IMS refused AEP_SCOPES: copy the scopes of the credential from the Developer Console.';
  }
  return accessHint(refusedCall(err), undefined);
}

export async function tokenCheck(aep: AepClient): Promise<CheckResult> {
  const title = 'IMS token';
  try {
    await aep.ims.getToken();
  } catch (err) {
    return {
      id: 'ims-token',
      title,
      status: 'fail',
      detail: `IMS refused: ${reason(err)}`,
      fix: imsFix(err, aep.config.imsUrl),
    };
  }
  const grant = aep.ims.grant?.();
  const life = grant ? `, expires in ${grant.expiresInS} s` : '';
  if (!grant?.scopes) {
    return {
      id: 'ims-token',
      title,
      status: 'ok',
      detail: `issued${life}; IMS did not say which scopes it granted (requested: ${aep.config.scopes})`,
    };
  }
  const granted = new Set(grant.scopes);
  const wanted = [...new Set([...aep.config.scopes.split(/[\s,]+/).filter(Boolean), ...AEP_SCOPES])];
  const missing = wanted.filter((s) => !granted.has(s));
  if (missing.length) {
    return {
      id: 'ims-token',
      title,
      status: 'fail',
      detail: `issued${life}, without the scope(s) ${missing.join(', ')} (granted: ${grant.scopes.join(',')})`,
      fix: 'Add the Experience Platform API to the Developer Console project (it grants these scopes), and set AEP_SCOPES to the scopes the credential lists.',
    };
  }
  return {
    id: 'ims-token',
    title,
    status: 'ok',
    detail: `issued${life}; scopes ${grant.scopes.join(',')} (from the ${grant.scopesFrom})`,
  };
}

const skip = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail: `skipped: ${why}`,
});

/** Org and sandbox from the Sandbox API: the gateway judges the org, the lookup the sandbox. */
async function orgAndSandbox(aep: AepClient, sandbox: string): Promise<[CheckResult, CheckResult]> {
  const org = aep.config.orgId;
  const orgTitle = 'Org';
  const sbTitle = 'Sandbox';
  if (!/^[A-Za-z0-9]+@AdobeOrg$/.test(org)) {
    return [
      {
        id: 'org',
        title: orgTitle,
        status: 'fail',
        detail: `AEP_ORG_ID "${org}" is not an org id`,
        fix: 'Set AEP_ORG_ID to the org id of the Developer Console project (XXXX@AdobeOrg).',
      },
      skip('sandbox', sbTitle, 'no valid org'),
    ];
  }
  const orgOk: CheckResult = { id: 'org', title: orgTitle, status: 'ok', detail: `${org} accepted` };
  try {
    const found = await aep.sandboxes.getSandbox(sandbox);
    const kind = `${found.type ?? 'unknown type'}, ${found.state ?? 'unknown state'}`;
    if (found.state && found.state !== 'active') {
      return [
        orgOk,
        {
          id: 'sandbox',
          title: sbTitle,
          status: 'fail',
          detail: `"${sandbox}" exists but is ${found.state} (${kind})`,
          fix: `Use an active sandbox (AEP_SANDBOX / --sandbox), or wait until "${sandbox}" is provisioned.`,
        },
      ];
    }
    return [
      orgOk,
      {
        id: 'sandbox',
        title: sbTitle,
        status: 'ok',
        detail: `"${sandbox}" exists (${kind})`,
        ...(found.type ? { value: found.type } : {}),
      },
    ];
  } catch (err) {
    if (err instanceof AepError && (GATEWAY_CODES.has(err.code ?? '') || err.status === 401)) {
      return [
        {
          id: 'org',
          title: orgTitle,
          status: 'fail',
          detail: `the gateway refused ${org}: ${reason(err)}`,
          fix: accessHint(refusedCall(err), sandbox),
        },
        skip('sandbox', sbTitle, 'the org was refused'),
      ];
    }
    if (err instanceof AepError && err.status === 404) {
      return [
        orgOk,
        {
          id: 'sandbox',
          title: sbTitle,
          status: 'fail',
          detail: `org ${org} has no sandbox "${sandbox}" (${reason(err)})`,
          fix: `Check the name (AEP_SANDBOX / --sandbox; lower case, e.g. prod or dev) in Experience Platform > Sandboxes, or create the sandbox.`,
        },
      ];
    }
    if (!(err instanceof AepError) || err.status === undefined || err.status === 0) {
      return [
        {
          id: 'org',
          title: orgTitle,
          status: 'fail',
          detail: `AEP did not answer at ${aep.config.platformUrl}: ${reason(err)}`,
          fix: 'Check AEP_PLATFORM_URL (https://platform.adobe.io) and the network or proxy to it.',
        },
        skip('sandbox', sbTitle, 'AEP did not answer'),
      ];
    }
    const forbidden = err.status === 403;
    return [
      orgOk,
      {
        id: 'sandbox',
        title: sbTitle,
        status: 'warn',
        detail: forbidden
          ? `could not look "${sandbox}" up (${reason(err)}); the tenant read below shows whether it may be used`
          : `the Sandbox API did not answer (${reason(err)})`,
        fix: forbidden
          ? "Looking sandboxes up needs the 'Sandbox Administration' permission; not needed for onboarding."
          : 'Try again later; the other checks still say whether the sandbox may be used.',
      },
    ];
  }
}

async function tenantCheck(aep: AepClient, sandbox: string): Promise<CheckResult> {
  const title = 'Tenant';
  try {
    const stats = await aep.schemaRegistry.getStats();
    if (stats.imsOrg && stats.imsOrg !== aep.config.orgId) {
      return {
        id: 'tenant',
        title,
        status: 'fail',
        detail: `tenant ${stats.tenantId} belongs to ${stats.imsOrg}, not AEP_ORG_ID ${aep.config.orgId}`,
        fix: 'Set AEP_ORG_ID to the org of the credential.',
      };
    }
    return {
      id: 'tenant',
      title,
      status: 'ok',
      detail: `${stats.tenantId} (GET /schemaregistry/stats in "${sandbox}": the sandbox may be used)`,
      value: stats.tenantId,
    };
  } catch (err) {
    return {
      id: 'tenant',
      title,
      status: 'fail',
      detail: `GET /schemaregistry/stats in "${sandbox}" failed: ${reason(err)}`,
      fix:
        err instanceof AepError && err.status !== undefined && err.status < 500
          ? accessHint(refusedCall(err), sandbox)
          : 'AEP did not answer: try again; check AEP_PLATFORM_URL and the network.',
    };
  }
}

/**
 * The onboarding's own pre-write rule (checkSourceSpecs, the one home of it), shown as two checklist lines with a fix
 * each: a preset that passes here passes the onboarding's first check too.
 */
async function presetChecks(aep: AepClient, preset: SourcePreset): Promise<CheckResult[]> {
  const cs = preset.connectionSpec.id;
  const fs = preset.flowSpec.id;
  const csId = `preset:${preset.id}:connection-spec`;
  const fsId = `preset:${preset.id}:flow-spec`;
  const csTitle = `${preset.displayName} connection spec`;
  const fsTitle = `${preset.displayName} flow spec`;
  let problems: SpecProblem[];
  try {
    problems = await checkSourceSpecs(aep.flowService, preset);
  } catch (err) {
    // Not a missing spec: AEP refused the read (credential, sandbox) or did not answer.
    const fix =
      err instanceof AepError && err.status !== undefined && err.status < 500
        ? accessHint(refusedCall(err), aep.config.sandbox)
        : 'AEP did not answer: try again.';
    const detail = `reading the specs failed: ${reason(err)}`;
    return [
      { id: csId, title: csTitle, status: 'fail', detail, fix },
      { id: fsId, title: fsTitle, status: 'fail', detail, fix },
    ];
  }
  const about = (field: SpecProblem['field']) =>
    problems
      .filter((p) => p.field === field)
      .map((p) => p.message)
      .join('; ');
  const csProblem = about('connectionSpec.id');
  const fsProblem = about('flowSpec.id');
  return [
    csProblem
      ? {
          id: csId,
          title: csTitle,
          status: 'fail',
          detail: `the org has no connection spec ${cs}: ${csProblem}`,
          fix: `The ${preset.displayName} source is not available to this org or sandbox: check Sources > Catalog in the sandbox (the source may need a licence or be in beta), or fix the preset's connectionSpec.id.`,
        }
      : { id: csId, title: csTitle, status: 'ok', detail: `${cs} is provisioned` },
    fsProblem
      ? {
          id: fsId,
          title: fsTitle,
          status: 'fail',
          detail: fsProblem,
          fix: `Give the preset a flow spec that exists and whose sourceConnectionSpecIds lists ${cs} (GET /flowSpecs?property=sourceConnectionSpecIds==${cs}).`,
        }
      : { id: fsId, title: fsTitle, status: 'ok', detail: `${fs} exists and lists the connection spec` },
  ];
}

export function clockCheck(date: ServerDate | undefined): CheckResult {
  const title = 'Clock';
  if (!date) {
    return {
      id: 'clock',
      title,
      status: 'warn',
      detail: 'no AEP answer carried a Date header to compare with',
    };
  }
  // The header has whole seconds: up to 1 s of the difference is its rounding.
  const skew = date.localMs - date.serverMs;
  const s = (Math.abs(skew) / 1000).toFixed(0);
  if (Math.abs(skew) > CLOCK_SKEW_WARN_MS) {
    return {
      id: 'clock',
      title,
      status: 'warn',
      detail: `this machine's clock is ${s} s ${skew > 0 ? 'ahead of' : 'behind'} AEP's`,
      fix: 'Synchronise the clock (NTP: timedatectl set-ntp true); token expiry and run times are compared with it.',
    };
  }
  return {
    id: 'clock',
    title,
    status: 'ok',
    detail: `within ${Math.max(1, Number(s))} s of AEP's Date header`,
  };
}

export async function aepChecks(input: AepCheckInput): Promise<CheckResult[]> {
  const { aep, sandbox } = input;
  const token = await tokenCheck(aep);
  const presetTitles = input.presets.flatMap((p) => [
    [`preset:${p.id}:connection-spec`, `${p.displayName} connection spec`],
    [`preset:${p.id}:flow-spec`, `${p.displayName} flow spec`],
  ]);
  if (token.status === 'fail') {
    return [
      token,
      skip('org', 'Org', 'no IMS token'),
      skip('sandbox', 'Sandbox', 'no IMS token'),
      skip('tenant', 'Tenant', 'no IMS token'),
      ...presetTitles.map(([id, title]) => skip(id!, title!, 'no IMS token')),
      skip('clock', 'Clock', 'no AEP answer'),
    ];
  }
  const [org, sb] = await orgAndSandbox(aep, sandbox);
  if (org.status === 'fail' || sb.status === 'fail') {
    const why = org.status === 'fail' ? 'no org' : `no sandbox "${sandbox}"`;
    return [
      token,
      org,
      sb,
      skip('tenant', 'Tenant', why),
      ...presetTitles.map(([id, title]) => skip(id!, title!, why)),
      clockCheck(input.lastDate()),
    ];
  }
  const tenant = await tenantCheck(aep, sandbox);
  const presets: CheckResult[] = [];
  for (const p of input.presets) presets.push(...(await presetChecks(aep, p)));
  return [token, org, sb, tenant, ...presets, clockCheck(input.lastDate())];
}
