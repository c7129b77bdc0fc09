// What to fix when AEP or IMS refused the credential: which permission, which sandbox, or which setting. The CLI
// (on a failed run) and the worker (checking its credential at start) say the same thing through here.

/** What is known of the refused call: the AepError's name as `type`, and its status, code, method and path. */
export interface RefusedCall {
  type?: string;
  status?: number;
  code?: string;
  method?: string;
  path?: string;
}

/** Product-profile permissions by API (Adobe Admin Console > Experience Platform > permissions). */
import { FAILURE_TYPES } from '../shared/failures';

const PERMISSIONS: Array<[RegExp, string]> = [
  [/\/flowservice\//, "'View Sources' and 'Manage Sources'"],
  [/\/conversion\//, "'Manage Sources' (Data Prep mapping sets belong to sources)"],
  [/\/schemaregistry\//, "'View Schemas' and 'Manage Schemas'"],
  [/\/catalog\//, "'View Datasets' and 'Manage Datasets'"],
];

const ACCESS_TYPES = new Set<string>([
  FAILURE_TYPES.aep.permission,
  FAILURE_TYPES.aep.authentication,
  FAILURE_TYPES.aep.ims,
]);

/**
 * A refusal of the credential, the org or the sandbox, as opposed to a bad request or a server fault. Only an
 * answer refuses: IMS out of reach is an ImsError too, with no status, and so is an IMS 5xx or 429.
 */
export function isAccessRefusal(call: RefusedCall): boolean {
  const answered =
    call.status !== undefined && call.status >= 400 && call.status < 500 && call.status !== 429;
  return answered && (ACCESS_TYPES.has(call.type ?? '') || /^FLOW-210[01]-404$/.test(call.code ?? ''));
}

export function accessHint(call: RefusedCall, sandbox: string | undefined): string {
  const where = sandbox ? `sandbox "${sandbox}"` : 'the sandbox (AEP_SANDBOX / --sandbox)';
  const what = call.method && call.path ? `${call.method} ${call.path}` : 'the call';
  if (/^FLOW-210[01]/.test(call.code ?? '')) {
    return `AEP does not know ${where} in this org, or the credential's product profile does not include it: check the name, or add the sandbox to the product profile in Adobe Admin Console.`;
  }
  if (call.type === FAILURE_TYPES.aep.ims || call.type === FAILURE_TYPES.aep.authentication) {
    return 'IMS refused the credential: check AEP_CLIENT_ID, AEP_CLIENT_SECRET and AEP_SCOPES against the Developer Console project (OAuth Server-to-Server).';
  }
  switch (call.code) {
    case '403025':
      return 'The credential is not entitled to this org (AEP_ORG_ID): add the Experience Platform API to a product profile of that org in the Developer Console.';
    case '403027':
      return 'The credential has no Experience Platform product profile in this org: add one to the Developer Console project.';
    case '403000':
    case '403003':
      return "The API key (AEP_CLIENT_ID) is missing or not the credential's client id.";
  }
  const permission =
    PERMISSIONS.find(([re]) => re.test(call.path ?? ''))?.[1] ?? 'the permission this API needs';
  return `AEP refused ${what} (HTTP ${call.status ?? 403}${call.code ? ` ${call.code}` : ''}): give the credential's product profile ${permission} for ${where} in Adobe Admin Console.`;
}
