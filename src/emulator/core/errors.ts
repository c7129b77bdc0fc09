// The one place for every error body shape of the reference (§0.3, §0.4, §1, §7).
import { uuid } from './ids';
import { HttpError } from './types';

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Resource not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Version not matching',
  413: 'Payload too large',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? 'Error';
}

/** §0.4 shape, shared by Flow Service and the [U] Catalog / Data Prep variants. */
function platformError(status: number, code: string, message: string, report?: object): HttpError {
  return new HttpError({
    status,
    body: {
      type: `https://ns.adobe.com/aep/errors/${code}`,
      title: statusTitle(status),
      status,
      report: { 'detailed-message': message, ...report },
      errorMessage: message,
      errorDetails: message,
    },
  });
}

/** Flow Service error (§0.4). The app adds report['request-id']. */
export function flowError(status: number, code: string, message: string, report?: object): HttpError {
  return platformError(status, code, message, report);
}

/** Catalog has no published error body [U]: §0.4 shape with CAT- codes. */
export function catalogError(status: number, code: string, message: string): HttpError {
  return platformError(status, code, message);
}

/** Sandbox API: no published error body [U]: §0.4 shape with SANDBOX- codes. */
export function sandboxError(status: number, code: string, message: string): HttpError {
  return platformError(status, code, message);
}

/** Data Prep: §0.4 shape with DATAPREP- codes [U]. */
export function dataPrepError(status: number, code: string, message: string): HttpError {
  return platformError(status, code, message);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Schema Registry variant of §0.4: http:// type, registryRequestId, timestamp MM-DD-YYYY hh:mm:ss, top-level detail. */
export function xdmError(status: number, code: string, title: string, detail: string): HttpError {
  const d = new Date();
  const timestamp =
    `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return new HttpError({
    status,
    body: {
      type: `http://ns.adobe.com/aep/errors/${code}`,
      title,
      status,
      report: { registryRequestId: uuid(), timestamp, 'detailed-message': detail, 'sub-errors': [] },
      detail,
    },
  });
}

/** Observability Insights: {errorCode, httpStatus, title, details} [U] (src/emulator/README.md). */
export function insightsError(status: number, code: string, details: string): HttpError {
  return new HttpError({
    status,
    body: { errorCode: code, httpStatus: status, title: statusTitle(status), details },
  });
}

/** Adobe I/O gateway body (§0.3): {error_code, message}. */
export function gatewayError(status: number, errorCode: string, message: string): HttpError {
  return new HttpError({ status, body: { error_code: errorCode, message } });
}

/** The gateway's Content-Type refusal uses yet another shape (§0.3). */
export function contentTypeError(): HttpError {
  return new HttpError({
    status: 400,
    body: {
      type: '/placeholder/type/uri',
      status: 400,
      title: 'BadRequestError',
      detail: 'A valid content-type must be specified',
    },
  });
}

/** IMS OAuth error (§1). */
export function imsError(status: number, error: string, description: string): HttpError {
  return new HttpError({ status, body: { error, error_description: description } });
}

export const INLET_PROBLEM_TYPE = 'http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet';

/** DCS problem body (§7). The documented 401 carries its status as a string, so we do too. */
export function inletError(status: number, title: string, message: string, type?: string): HttpError {
  return new HttpError({
    status,
    body: {
      type: type ?? INLET_PROBLEM_TYPE,
      status: status === 401 ? String(status) : status,
      title,
      report: { message },
    },
  });
}

export type Service = 'flow' | 'xdm' | 'catalog' | 'dataprep' | 'inlet' | 'ims' | 'other';

export function serviceOf(path: string): Service {
  if (path.startsWith('/data/foundation/flowservice')) return 'flow';
  if (path.startsWith('/data/foundation/schemaregistry')) return 'xdm';
  if (path.startsWith('/data/foundation/catalog')) return 'catalog';
  if (path.startsWith('/data/foundation/conversion') || path.startsWith('/data/foundation/mappingSets'))
    return 'dataprep';
  if (path.startsWith('/collection')) return 'inlet';
  if (path.startsWith('/ims')) return 'ims';
  return 'other';
}

/**
 * A generic error in the style of the service owning `path` (bad JSON, injected faults, crashes, unknown
 * routes). Codes are [U] except Flow Service's documented ones: 1100-400 invalid request, 1101-404 not found,
 * 1102-500, 1103-503, 1104-504 (flow-service-errors.md; its 1400 is a 500, "Internal Error", not a 400).
 */
export function serviceError(path: string, status: number, message: string): HttpError {
  const s3 = String(status);
  switch (serviceOf(path)) {
    case 'flow': {
      const known: Record<number, string> = { 404: '1101', 500: '1102', 503: '1103', 504: '1104' };
      return flowError(status, `FLOW-${known[status] ?? (status >= 500 ? '1102' : '1100')}-${s3}`, message);
    }
    case 'xdm':
      return xdmError(status, `XDM-${status >= 500 ? '1000' : '1001'}-${s3}`, statusTitle(status), message);
    case 'catalog':
      return catalogError(status, `CAT-${status >= 500 ? '1000' : '1001'}-${s3}`, message);
    case 'dataprep':
      return dataPrepError(status, `DATAPREP-${status >= 500 ? '1000' : '1001'}-${s3}`, message);
    case 'inlet':
      return inletError(status, statusTitle(status), message);
    case 'ims':
      return imsError(status, status >= 500 ? 'server_error' : 'invalid_request', message);
    default:
      return gatewayError(status, `${s3}000`, message);
  }
}

/**
 * A request that breaks the owning service's spec (./spec-validation.ts): 400 in that service's shape, with the code
 * its own routes give a malformed request: FLOW-1100-400 "Invalid request" (flow-service-errors.md), XDM-1001-400,
 * CAT-1002-400, DATAPREP-1002-400, INSGHT-1001-400, SANDBOX-1400-400 [U]; the inlet's "Invalid XDM Message Format".
 */
export function specViolation(path: string, message: string): HttpError {
  if (path.startsWith('/data/infrastructure/observability'))
    return insightsError(400, 'INSGHT-1001-400', message);
  if (path.startsWith('/data/foundation/sandbox-management'))
    return sandboxError(400, 'SANDBOX-1400-400', message);
  switch (serviceOf(path)) {
    case 'flow':
      return flowError(400, 'FLOW-1100-400', message);
    case 'xdm':
      return xdmError(400, 'XDM-1001-400', statusTitle(400), message);
    case 'catalog':
      return catalogError(400, 'CAT-1002-400', message);
    case 'dataprep':
      return dataPrepError(400, 'DATAPREP-1002-400', message);
    case 'inlet':
      return inletError(400, 'Invalid XDM Message Format', message);
    default:
      return serviceError(path, 400, message);
  }
}
