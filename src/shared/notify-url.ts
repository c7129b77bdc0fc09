// The notification hook's URL (AEP_NOTIFY_URL), checked once when the worker starts. It may carry a token in its
// path (chat webhooks do): it stays in the worker's config, never in workflow input, history, logs or errors.
import { isLoopbackHost } from './net';

export const NOTIFY_URL_ENV = 'AEP_NOTIFY_URL';

/**
 * Why `raw` is no usable hook URL, or undefined when it is. https anywhere; plain http only to a loopback host
 * (as for the AEP URLs: nothing leaves the machine in clear). A user name or password in the URL is refused (it
 * would be sent as-is and printed by any proxy log); the message never repeats the URL.
 */
export function notifyUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${NOTIFY_URL_ENV} is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `${NOTIFY_URL_ENV} must be an https:// URL (got ${url.protocol})`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `${NOTIFY_URL_ENV} may use plain http only to a loopback host; use https`;
  if (url.username || url.password)
    return `${NOTIFY_URL_ENV} must not carry a user name or password (put a token in a header-less path instead)`;
  return undefined;
}

/** The URL as it may be printed: scheme and host only. */
export function describeNotifyUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}
