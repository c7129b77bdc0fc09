import type { Handler } from './types';

/** `org`: the gateway's checks without the sandbox's (an org-wide API such as the Sandbox API). */
export type GatewayMode = 'platform' | 'org' | 'none';

export interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
  gateway: GatewayMode;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Method + path pattern table; ':name' segments capture (decoded) params. First registered match wins. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, opts?: { gateway?: GatewayMode }): void {
    this.routes.push({
      method: method.toUpperCase(),
      pattern,
      segments: split(pattern),
      handler,
      gateway: opts?.gateway ?? 'platform',
    });
  }

  match(method: string, path: string): RouteMatch {
    // Split the raw path so an encoded '/' (%2F, e.g. a schema $id) stays inside its segment.
    const parts = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method.toUpperCase()) {
        pathMatched = true;
        continue;
      }
      return { kind: 'found', route, params };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = decode(v);
    else if (p !== v) return undefined;
  }
  return params;
}
