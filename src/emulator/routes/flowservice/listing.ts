// Flow Service listing (§5.4): property filters, orderby, count, limit and continuation tokens. Every page is the
// request's own filters and order, sliced at the token's offset: the token carries the position only.
import type { Reply, RequestContext } from '../../core/types';
import { FilterError, filterItems, parseOrderBy, parseProperty, sortItems } from '../../logic/filters';
import { bad, type Entity } from './helpers';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

interface PageToken {
  o: number;
}

function positiveInt(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) bad(`Invalid ${what} '${raw}'.`);
  return Number(raw);
}

export function listReply(ctx: RequestContext, resource: string, all: Entity[]): Reply {
  const q = ctx.query;
  const count = q.get('count')?.toLowerCase() === 'true';
  if (count && q.has('limit')) bad("'count' cannot be combined with 'limit'.", 'FLOW-1401-400');
  let items: Entity[];
  try {
    const filters = q.getAll('property');
    // The error catalogue: FLOW-1440-400 "Operator '~' not implemented." (Catalog has `~`, Flow Service does not).
    if (filters.some((f) => parseProperty(f).op === '~'))
      bad("Operator '~' not implemented.", 'FLOW-1440-400');
    // sort-and-filter.md: an array in the path must carry `[]` (`sourceConnectionIds[]==X`).
    items = filterItems(all, filters, { bracketedArrays: true });
    const orderby = q.get('orderby');
    if (orderby) {
      try {
        items = sortItems(items, parseOrderBy(orderby));
      } catch (err) {
        if (err instanceof FilterError) bad(err.message, 'FLOW-1432-400');
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof FilterError) bad(err.message);
    throw err;
  }
  if (count) return { status: 200, body: { count: items.length } };

  const limit = Math.min(
    q.has('limit') ? positiveInt(q.get('limit') ?? '', 'limit') : DEFAULT_LIMIT,
    MAX_LIMIT,
  );
  let offset = 0;
  const token = q.get('continuationToken');
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
      if (!Number.isInteger(parsed.o) || parsed.o < 0) throw new Error('bad offset');
      offset = parsed.o;
    } catch {
      bad('Invalid continuationToken.');
    }
  }
  const page = items.slice(offset, offset + limit);
  const links: Record<string, { href: string }> = {};
  if (offset + limit < items.length) {
    // Only the token, as AEP's PageLink example (`/connections?continuationToken=…`): the filters, `orderby` and
    // `limit` of a page are those of its own request, which a client must send again (src/emulator/README.md).
    const next = new URLSearchParams({
      continuationToken: Buffer.from(JSON.stringify({ o: offset + limit })).toString('base64url'),
    });
    links['next'] = { href: `/${resource}?${next.toString()}` };
  }
  return { status: 200, body: { items: page, _links: links } };
}
