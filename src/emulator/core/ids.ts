import { randomBytes, randomUUID } from 'node:crypto';

export function uuid(): string {
  return randomUUID();
}

export function hexId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** AEP etags look like "01013ed0-0000-0200-0000-63f314d00000", literal double quotes included. */
export function newEtag(): string {
  return `"${hexId(4)}-0000-0200-0000-${hexId(6)}"`;
}

/** Clients send If-Match quoted, unquoted or with escaped quotes (§5.5): compare the bare value. */
export function stripEtag(v: string): string {
  return v.trim().replace(/^W\//, '').replace(/["\\]/g, '');
}
