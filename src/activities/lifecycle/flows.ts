// Small readers of Flow Service entities that several lifecycle operations share.
import type { Flow } from '../../aep';

/** The flow's mapping transformation: which one it is, its mapping set and the version it points at. */
export function mappingOf(flow: Flow): { index: number; mappingId: string; version: number } | undefined {
  const index = flow.transformations.findIndex((t) => t.params?.mappingId);
  const params = flow.transformations[index]?.params;
  if (index < 0 || !params?.mappingId) return undefined;
  return { index, mappingId: params.mappingId, version: Number(params.mappingVersion ?? 0) };
}
