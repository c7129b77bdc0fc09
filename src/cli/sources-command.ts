// `aep-onboard sources`: the source presets this machine knows (built-in packs and AEP_PRESET_DIRS files), read
// locally: what `start --source <id>` accepts, each source's event types and identity, and where it came from.
import { PresetRegistry, type PresetEntry } from '../presets/registry';
import type { PresetIdentity } from '../shared/preset-schema';
import { EXIT, type Command } from './context';

/** One line of `sources --json`. */
export interface SourceListing {
  id: string;
  displayName: string;
  connectionSpecId: string;
  /** The sample names: one per webhook event type the source sends (what verify posts). */
  eventTypes: string[];
  identity: PresetIdentity | null;
  origin: PresetEntry['origin'];
}

export function sourceListing({ preset, origin }: PresetEntry): SourceListing {
  return {
    id: preset.id,
    displayName: preset.displayName,
    connectionSpecId: preset.connectionSpec.id,
    eventTypes: Object.keys(preset.samples),
    identity: preset.identity ?? null,
    origin,
  };
}

function formatSources(list: SourceListing[]): string {
  return list
    .map((s) =>
      [
        `${s.id}  ${s.displayName}  (${s.origin.kind === 'built-in' ? 'built-in pack' : `user preset ${s.origin.path}`})`,
        `  connection spec  ${s.connectionSpecId}`,
        `  event types      ${s.eventTypes.join(', ')}`,
        `  identity         ${s.identity ? `${s.identity.path} (${s.identity.namespace})` : '(none)'}`,
      ].join('\n'),
    )
    .join('\n\n');
}

export const sourcesCommands: Record<string, Command> = {
  sources: {
    summary: 'List the source presets: id, name, event types, identity field, built-in or user file',
    usage: 'aep-onboard sources [--json]',
    details: [
      'Built-in packs ship with the worker; AEP_PRESET_DIRS (path-delimited) adds directories of *.preset.json|ts',
      'files. Lists what this machine loads: the worker must see the same AEP_PRESET_DIRS to run them.',
    ],
    run(ctx) {
      const list = PresetRegistry.fromEnv().entries().map(sourceListing);
      ctx.print(list, () => formatSources(list));
      return Promise.resolve(EXIT.ok);
    },
  },
};
