// What an onboarding owns in AEP, per step: how to find this run's resources of a name, and how to delete one.
// The undos, the teardown and the sweep all delete through here, so the one ownership rule holds everywhere: a
// resource is deleted only by the id a create returned, or by name *and* the run's marker; never by a name alone.
import { ApplicationFailure, sleep } from '@temporalio/activity';
import {
  AepError,
  AepNotFoundError,
  isAccessRefusal,
  propertyEq,
  type AepClient,
  type DataPrep,
} from '../aep';
import { carriesMarker, mappingSetName } from '../shared/naming';
import { FAILURE_TYPES } from '../shared/onboarding';
import { RESOURCE_STEPS, type ResourceStep } from '../shared/contracts/resources';
import type * as T from './types';

export { RESOURCE_STEPS, type ResourceStep };

export interface OwnedResource {
  id: string;
  etag?: string;
  /** XDM resources: `$id` and version besides the altId in `id`. */
  $id?: string;
  version?: string | null;
  schemaRef?: string;
}

export interface ResourceKind {
  /** This run's resources of this exact name (marker-checked), in no particular order. */
  ours(sandbox: string, name: string, marker: string): Promise<OwnedResource[]>;
  /** Everything of this exact name that is not this run's, for a conflict message. */
  others(sandbox: string, name: string, marker: string): Promise<OwnedResource[]>;
  del(sandbox: string, id: string): Promise<void>;
}

/** A mapping set's name is the run's marker in identifier form (mappingSetName), so the name is the marker. */
const ownsMappingSet = (name: string, marker: string) =>
  name.endsWith(mappingSetName({ source: '', marker }));

export function createResourceKinds(aep: AepClient): Record<ResourceStep, ResourceKind> {
  const api = (sandbox: string) => aep.withSandbox(sandbox);

  const split = async <R>(
    items: R[],
    isOurs: (r: R) => boolean | Promise<boolean>,
    toOwned: (r: R) => OwnedResource,
  ) => {
    const ours: OwnedResource[] = [];
    const others: OwnedResource[] = [];
    for (const r of items) ((await isOurs(r)) ? ours : others).push(toOwned(r));
    return { ours, others };
  };

  const xdm = (type: 'fieldgroups' | 'schemas') => {
    const list = async (sandbox: string, title: string, marker: string) => {
      const sr = api(sandbox).schemaRegistry;
      const found =
        type === 'schemas' ? await sr.findSchemasByTitle(title) : await sr.findFieldGroupsByTitle(title);
      return split(
        found.filter((r) => r.title === title),
        // The id listing carries no description: a title a person chose is checked on the full resource.
        async (r) =>
          carriesMarker(r, marker) ||
          carriesMarker(
            type === 'schemas'
              ? await sr.getSchema(r['meta:altId'], r.version)
              : await sr.getFieldGroup(r['meta:altId'], r.version),
            marker,
          ),
        (r) => ({ id: r['meta:altId'], $id: r.$id, version: r.version }),
      );
    };
    return {
      ours: async (s: string, n: string, m: string) => (await list(s, n, m)).ours,
      others: async (s: string, n: string, m: string) => (await list(s, n, m)).others,
      del: (sandbox: string, id: string) =>
        type === 'schemas'
          ? api(sandbox).schemaRegistry.deleteSchema(id)
          : api(sandbox).schemaRegistry.deleteFieldGroup(id),
    };
  };

  const flowEntity = (
    kind: 'connections' | 'sourceConnections' | 'targetConnections' | 'flows',
  ): ResourceKind => {
    const list = async (sandbox: string, name: string, marker: string) =>
      split(
        (await api(sandbox).flowService.listAll(kind, { property: [propertyEq('name', name)] })).filter(
          (e) => e.name === name,
        ),
        (e) => carriesMarker(e, marker),
        (e) => ({ id: e.id, etag: e.etag }),
      );
    return {
      ours: async (s, n, m) => (await list(s, n, m)).ours,
      others: async (s, n, m) => (await list(s, n, m)).others,
      del: (sandbox, id) => api(sandbox).flowService.delete(kind, id),
    };
  };

  const datasets = async (sandbox: string, name: string, marker: string) =>
    split(
      await api(sandbox).catalog.findDatasetsByName(name),
      (d) => carriesMarker(d, marker),
      (d) => ({ id: d.id, schemaRef: d.schemaRef?.id }),
    );
  const mappingSets = async (sandbox: string, name: string, marker: string) =>
    split(
      (await api(sandbox).dataPrep.listMappingSets({ name, limit: 100, start: 0 })).filter(
        (m) => m.name === name,
      ),
      (m) => ownsMappingSet(m.name ?? '', marker),
      (m) => ({ id: m.id, version: String(m.version ?? 0) }),
    );

  return {
    flow: flowEntity('flows'),
    targetConnection: flowEntity('targetConnections'),
    sourceConnection: flowEntity('sourceConnections'),
    baseConnection: flowEntity('connections'),
    mappingSet: {
      ours: async (s, n, m) => (await mappingSets(s, n, m)).ours,
      others: async (s, n, m) => (await mappingSets(s, n, m)).others,
      del: (sandbox, id) => deleteMappingSetConfirmed(api(sandbox).dataPrep, id),
    },
    dataset: {
      ours: async (s, n, m) => (await datasets(s, n, m)).ours,
      others: async (s, n, m) => (await datasets(s, n, m)).others,
      del: (sandbox, id) => api(sandbox).catalog.deleteDataset(id),
    },
    schema: xdm('schemas'),
    fieldGroup: xdm('fieldgroups'),
  };
}

const isNotFound = (err: unknown) => err instanceof AepNotFoundError && !isAccessRefusal(err);

/**
 * Data Prep publishes no DELETE on mapping sets (data-prep.yaml has GET, PUT and the sub-resources only; aepp calls
 * one), so its answer is not taken on trust. 405/501 (method not supported): AEP offers no delete, the set stays,
 * unused; non-retryable, so the undo or teardown reports it as left, never as done. 404: confirmed by a GET, since a
 * route that is not there can also answer 404; still found means the delete did not happen (left). Any other error
 * is thrown as is.
 */
export async function deleteMappingSetConfirmed(
  dataPrep: Pick<DataPrep, 'deleteMappingSet' | 'getMappingSet'>,
  id: string,
): Promise<void> {
  try {
    await dataPrep.deleteMappingSet(id);
  } catch (err) {
    if (err instanceof AepError && (err.status === 405 || err.status === 501)) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.deleteNotOffered,
        nonRetryable: true,
        message: `AEP offers no mapping-set delete (DELETE answered HTTP ${err.status}); mapping set ${id} stays, unused`,
      });
    }
    if (!isNotFound(err)) throw err;
    try {
      await dataPrep.getMappingSet(id);
    } catch (getErr) {
      if (isNotFound(getErr)) throw err;
      throw getErr;
    }
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.deleteNotConfirmed,
      nonRetryable: true,
      message: `DELETE of mapping set ${id} answered HTTP 404, but a GET still finds it: the delete did not happen, it stays`,
    });
  }
}

const isDeleteRefusal = (err: unknown): err is ApplicationFailure =>
  err instanceof ApplicationFailure &&
  (err.type === FAILURE_TYPES.deleteNotOffered || err.type === FAILURE_TYPES.deleteNotConfirmed);

/** 404 means already gone: done. */
async function deleteIfThere(kind: ResourceKind, sandbox: string, id: string): Promise<boolean> {
  try {
    await kind.del(sandbox, id);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * An undo or a teardown: deletes by id when the create returned one, else this run's resources of the name (a
 * create whose answer was lost). Nothing else of that name is ever touched.
 */
export async function removeOwned(
  settleMs: number,
  kind: ResourceKind,
  input: T.RemoveInput,
): Promise<T.RemoveOutput> {
  if (input.id) return { existed: await deleteIfThere(kind, input.sandbox, input.id), id: input.id };
  if (!input.name || !input.marker) return { existed: false };
  const { name, marker } = input;
  let ids: string[];
  try {
    const find = async () => (await kind.ours(input.sandbox, name, marker)).map((r) => r.id);
    ids = await find();
    // A create that may still land (no answer yet): look again until it had the settle time to.
    const until =
      input.unsettledForMs === undefined ? 0 : Date.now() + Math.max(0, settleMs - input.unsettledForMs);
    while (ids.length === 0 && Date.now() < until) {
      await sleep(Math.max(1, Math.min(1_000, until - Date.now())));
      ids = await find();
    }
  } catch (err) {
    // Refused access to look: distinguishable from a failed undo, since then no create of the run can have landed
    // either when nothing of the run was ever accepted (the workflow decides, see the saga).
    if (isAccessRefusal(err)) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.accessRefused,
        nonRetryable: true,
        message: `AEP refused the look-up of "${input.name}": ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    throw err;
  }
  let existed = false;
  for (const id of ids) existed = (await deleteIfThere(kind, input.sandbox, id)) || existed;
  return { existed, id: ids[0] };
}

/**
 * The reconcile half of "submit, then reconcile": every resource that carries the run's marker under a step's
 * name, other than the one the run keeps, is a create that landed twice (or late); it is deleted and reported.
 */
export async function sweepOwned(
  kinds: Record<ResourceStep, ResourceKind>,
  input: T.SweepInput,
): Promise<T.SweepOutput> {
  const removed: T.SweepOutput['removed'] = [];
  let refused: ApplicationFailure | undefined;
  // In dependency order, so a duplicate flow goes before the connections it uses. A failure is thrown (and
  // retried by Temporal): the sweep is idempotent, and what it already removed is simply not found again. A delete
  // AEP refuses for good (no delete offered, or not done) does not stop the rest: thrown once everything was tried.
  for (const step of RESOURCE_STEPS) {
    for (const target of input.steps.filter((s) => s.step === step)) {
      const kind = kinds[step];
      for (const r of await kind.ours(input.sandbox, target.name, input.marker)) {
        if (r.id === target.keep) continue;
        try {
          if (await deleteIfThere(kind, input.sandbox, r.id)) removed.push({ step, id: r.id });
        } catch (err) {
          if (!isDeleteRefusal(err)) throw err;
          refused ??= err;
        }
      }
    }
  }
  if (refused) throw refused;
  return { removed };
}
