// Host names and `host:port` bind addresses, read the way a URL reads them (WHATWG normalisation), so that the
// loopback rule gives one answer whether it judges a bind address, a Host header or a configured URL.

export interface HostPort {
  /** Without brackets: `127.0.0.1`, `::1`, `localhost`. */
  host: string;
  port: number;
}

/** `127.0.0.1:8888`, `localhost:8888`, `[::1]:8888`. A bare IPv6 address without brackets is ambiguous: refused. */
export function parseHostPort(value: string, name: string): HostPort {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65_535) {
    throw new Error(
      `${name} must be host:port or [ipv6]:port (e.g. 127.0.0.1:8888, [::1]:8888), got "${value}"`,
    );
  }
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && canonicalHost(host) === undefined)
    throw new Error(`${name}: bad IPv6 address "${host}"`);
  return { host, port };
}

/** `host:port` as it goes into a URL or a Host header (IPv6 in brackets). */
export function formatHostPort({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The host as a URL normalises it (lower case, IPv4 shorthands like `127.1` expanded, IPv6 compressed, brackets
 * dropped), or undefined when it is no valid host.
 */
export function canonicalHost(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  try {
    return new URL(`http://${bare.includes(':') ? `[${bare}]` : bare}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped 127.x) and `localhost`: addresses that never leave the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = canonicalHost(host);
  if (h === undefined) return false;
  if (h === 'localhost' || h === '::1') return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(h)) return true;
  // ::ffff:127.0.0.1 is written ::ffff:7f00:1 once normalised.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
}

/** A URL as it may be printed: user name and password (`https://user:pass@host`) replaced by `***`. */
export function redactUrlUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1***@');
}
