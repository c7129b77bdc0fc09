// The create / list / get / PATCH / DELETE routes every Flow Service resource kind shares; what differs per
// kind comes in its KindRules.
import type { Router } from '../../core/router';
import type { RequestContext } from '../../core/types';
import { applyJsonPatch, asPatch, JsonPatchError, type PatchOperation } from '../../logic/jsonpatch';
import {
  bad,
  BASE,
  checkIfMatch,
  commonFields,
  get,
  objectBody,
  touch,
  type Entity,
  type Kind,
} from './helpers';
import { listReply } from './listing';

export interface KindRules {
  /** Validates a create body; returns the kind-specific fields of the stored entity. */
  validate(ctx: RequestContext, body: Record<string, unknown>): Record<string, unknown>;
  /** Adds fields that need the new entity's id (on create). */
  created?(entity: Entity): void;
  /** Re-checks an entity after a PATCH; returns the entity to store. */
  patched?(ctx: RequestContext, patched: Entity): Entity;
  /** How a stored entity is shown on GET. */
  present?(ctx: RequestContext, entity: Entity): Entity;
  /** Throws when the entity may not be deleted yet. */
  checkDelete?(ctx: RequestContext, id: string): void;
}

/** Server-owned fields a PATCH may not touch (FLOW-1455-400, as an unknown path would). */
const READ_ONLY = new Set([
  'id',
  'etag',
  'version',
  'createdAt',
  'createdBy',
  'createdClient',
  'updatedAt',
  'updatedBy',
  'updatedClient',
  'imsOrgId',
  'sandboxId',
  'sandboxName',
  'state',
  'flowSpec',
  'inheritedAttributes',
  'lastOperation',
  'runs',
  'providerRefId',
  'baseConnectionId',
]);

export function registerKind(router: Router, kind: Kind, rules: KindRules): void {
  const present = (ctx: RequestContext, e: Entity): Entity => (rules.present ? rules.present(ctx, e) : e);

  router.add('POST', `${BASE}/${kind}`, (ctx) => {
    const body = objectBody(ctx);
    const entity = { ...commonFields(ctx, body), ...rules.validate(ctx, body) };
    rules.created?.(entity);
    ctx.tenant.collection<Entity>(kind).set(entity.id, entity);
    ctx.tenant.mutated();
    return { status: 201, body: { id: entity.id, etag: entity['etag'] } };
  });

  router.add('GET', `${BASE}/${kind}`, (ctx) =>
    listReply(
      ctx,
      kind,
      [...ctx.tenant.collection<Entity>(kind).values()].map((e) => present(ctx, e)),
    ),
  );

  router.add('GET', `${BASE}/${kind}/:id`, (ctx) => ({
    status: 200,
    body: { items: [present(ctx, get(ctx.tenant, kind, ctx.params['id'] ?? ''))] },
  }));

  router.add('PATCH', `${BASE}/${kind}/:id`, (ctx) => {
    const current = get(ctx.tenant, kind, ctx.params['id'] ?? '');
    checkIfMatch(ctx, current, true);
    let ops: PatchOperation[];
    let patched: Entity;
    try {
      ops = asPatch(ctx.json());
      for (const { path } of ops) {
        const top = path.split('/')[1] ?? '';
        if (top === 'connectionSpec')
          bad('The connection spec of a connection cannot be updated.', 'FLOW-1414-400');
        if (READ_ONLY.has(top)) bad(`Path ${path} cannot be updated.`, 'FLOW-1455-400');
      }
      patched = applyJsonPatch(current, ops);
    } catch (err) {
      if (!(err instanceof JsonPatchError)) throw err;
      if (err.reason === 'unsupported-op') bad(err.message, 'FLOW-1434-400');
      if (err.reason === 'unknown-path') bad(err.message, 'FLOW-1455-400');
      bad(err.message);
    }
    if (rules.patched) patched = rules.patched(ctx, patched);
    const updated = touch(ctx, patched);
    ctx.tenant.collection<Entity>(kind).set(updated.id, updated);
    ctx.tenant.mutated();
    return { status: 200, body: { id: updated.id, etag: updated['etag'] } };
  });

  router.add('DELETE', `${BASE}/${kind}/:id`, (ctx) => {
    const id = ctx.params['id'] ?? '';
    get(ctx.tenant, kind, id);
    rules.checkDelete?.(ctx, id);
    ctx.tenant.collection(kind).delete(id);
    ctx.tenant.mutated();
    return { status: 204 };
  });
}
