// Schema Registry reads: GET of one field group or schema (Accept variants), and the listings.
import { xdmError } from '../core/errors';
import type { RequestContext } from '../core/types';
import { FilterError, filterItems, parseOrderBy, sortItems, valuesAt } from '../logic/filters';
import { findResource, resolveSchema, type XdmResource } from '../logic/xdm';
import {
  badRequest,
  BASE,
  isRecord,
  notFound,
  publicView,
  SCHEMA_KIND,
  type Kind,
} from './schemaregistry-common';

const LIST_CAP = 300;

const LOOKUP_ACCEPT =
  /^application\/vnd\.adobe\.(xed|xed-full|xed-notext|xed-full-notext|xed-full-desc|xed-deprecatefield)\+json\s*(;\s*version\s*=\s*"?([^";\s]*)"?\s*)?$/i;

function stripText(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripText);
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'title' && k !== 'description') out[k] = stripText(v);
  return out;
}

export function get(kind: Kind) {
  return (ctx: RequestContext) => {
    const accept = ctx.headers.accept?.trim();
    const m = accept ? LOOKUP_ACCEPT.exec(accept) : null;
    if (!m)
      throw xdmError(
        400,
        'XDM-1006-400',
        'Invalid Accept header',
        `Accept must be application/vnd.adobe.xed[-full][-notext]+json; version={major}, got ${accept ? `'${accept}'` : 'none'}.`,
      );
    if (!m[2])
      throw xdmError(
        400,
        'XDM-1007-400',
        'Missing version',
        'The Accept header must carry the major version of the resource, e.g. "; version=1".',
      );
    const id = ctx.params.id ?? '';
    const r = findResource(ctx.tenant, kind.collection, id);
    if (!r || m[3] !== String(r.version).split('.')[0]) throw notFound(kind, id);
    const variant = (m[1] ?? 'xed').toLowerCase();
    let body = publicView(r);
    if (variant.startsWith('xed-full') && kind === SCHEMA_KIND) {
      const resolved = resolveSchema(ctx.tenant, r.$id);
      if (resolved) body = { ...body, properties: resolved.properties, required: resolved.required };
    }
    if (variant.endsWith('notext')) {
      const { properties, definitions, ...top } = body;
      body = { ...top };
      if (properties !== undefined) body.properties = stripText(properties);
      if (definitions !== undefined) body.definitions = stripText(definitions);
    }
    return { status: 200, body, headers: { 'content-type': `${accept};charset=utf-8` } };
  };
}

/** A sort-key value as text (for `start` / `_page.next`). */
function keyText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function compareKey(key: unknown, start: string): number {
  return typeof key === 'number' ? key - Number(start) : keyText(key).localeCompare(start);
}

export function list(kind: Kind, pathName: string) {
  return (ctx: RequestContext) => {
    const accept = (ctx.headers.accept ?? '').split(';')[0]?.trim().toLowerCase();
    const summary = accept === 'application/vnd.adobe.xed-id+json';
    if (!summary && accept !== 'application/vnd.adobe.xed+json')
      throw xdmError(
        400,
        'XDM-1006-400',
        'Invalid Accept header',
        `Listing requires Accept: application/vnd.adobe.xed-id+json (or xed+json), got '${ctx.headers.accept ?? ''}'.`,
      );
    const limitRaw = ctx.query.get('limit');
    const orderbyRaw = ctx.query.get('orderby');
    // schema-registry.yaml, parameters `limit` and `start`: "This parameter cannot be used without an `orderby`
    // parameter present." AEP's error code for it is not published; ours is the generic XDM-1001-400.
    for (const name of ['limit', 'start'])
      if (ctx.query.has(name) && !orderbyRaw)
        throw badRequest(`"${name}" cannot be used without an "orderby" parameter.`);
    const limit = limitRaw === null ? LIST_CAP : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0 || limit > 500)
      throw badRequest('"limit" must be an integer 0..500.');
    let items = [...ctx.tenant.collection<XdmResource>(kind.collection).values()].map(publicView);
    try {
      items = filterItems(items, ctx.query.getAll('property'));
      const order = orderbyRaw ? parseOrderBy(orderbyRaw) : undefined;
      const keyOf = (i: (typeof items)[number]): unknown => (order ? valuesAt(i, order.path)[0] : undefined);
      if (order) {
        items = sortItems(items, order);
        // `start`: the previous page's `_page.next`, i.e. its greatest primary sort key; the page holds the items
        // whose key is strictly greater (ascending) or strictly less (descending) than it (schema-registry.yaml).
        const start = ctx.query.get('start');
        if (start !== null) {
          const sign = order.descending ? -1 : 1;
          const at = items.findIndex((i) => sign * compareKey(keyOf(i), start) > 0);
          items = at < 0 ? [] : items.slice(at);
        }
      }
      let size = Math.min(limit, LIST_CAP, items.length);
      // `limit` is a hint: a page never ends between two items with the same key, or an exclusive `start` would
      // skip the rest of them.
      if (order && size > 0)
        while (size < items.length && keyText(keyOf(items[size]!)) === keyText(keyOf(items[size - 1]!)))
          size++;
      const page = items.slice(0, size);
      const last = page[page.length - 1];
      const next = order && last !== undefined && size < items.length ? keyText(keyOf(last)) : null;
      const base = `${ctx.origin}${BASE}/tenant/${pathName}`;
      const nextQuery = new URLSearchParams(ctx.query);
      if (next !== null) nextQuery.set('start', next);
      return {
        status: 200,
        body: {
          results: page.map((r) =>
            summary ? { $id: r.$id, 'meta:altId': r['meta:altId'], version: r.version, title: r.title } : r,
          ),
          _page: { orderby: orderbyRaw ?? '', next, count: page.length },
          _links: {
            ...(next !== null ? { next: { href: `${base}?${nextQuery.toString()}` } } : {}),
            [`global_${pathName}`]: { href: `${ctx.origin}${BASE}/global/${pathName}` },
          },
        },
      };
    } catch (e) {
      if (e instanceof FilterError) throw badRequest(e.message);
      throw e;
    }
  };
}
