// Source presets are discovered from preset directories: a new source is one new `*.preset.ts` / `*.preset.json`
// file and nothing else. Built-in presets live next to this file; AEP_PRESET_DIRS (path-delimited) adds more.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { SourcePresetSchema, type SourcePreset } from '../shared/preset-schema';
import { formatIssues } from '../shared/input';

export const BUILTIN_PRESET_DIR = __dirname;

/** Where a preset came from: a pack shipped with the worker, or a file of a user's AEP_PRESET_DIRS directory. */
export interface PresetOrigin {
  kind: 'built-in' | 'user';
  /** The preset file. */
  path: string;
}

export interface PresetEntry {
  preset: SourcePreset;
  origin: PresetOrigin;
}

export class PresetRegistry {
  private cache: Map<string, PresetEntry> | undefined;

  constructor(private readonly dirs: string[] = [BUILTIN_PRESET_DIR]) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): PresetRegistry {
    const extra = (env.AEP_PRESET_DIRS ?? '').split(path.delimiter).filter(Boolean);
    return new PresetRegistry([BUILTIN_PRESET_DIR, ...extra.map((d) => path.resolve(d))]);
  }

  private load(): Map<string, PresetEntry> {
    if (this.cache) return this.cache;
    const presets = new Map<string, PresetEntry>();
    for (const dir of this.dirs) {
      const kind = path.resolve(dir) === path.resolve(BUILTIN_PRESET_DIR) ? 'built-in' : 'user';
      for (const file of readdirSync(dir).sort()) {
        if (!/\.preset\.(ts|js|json)$/.test(file) || file.endsWith('.d.ts')) continue;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(dir, file)) as { default?: unknown };
        const raw = file.endsWith('.json') ? mod : (mod.default ?? mod);
        const parsed = SourcePresetSchema.safeParse(raw);
        if (!parsed.success) {
          throw new Error(
            `Invalid source preset ${path.join(dir, file)}:\n- ${formatIssues(parsed.error).join('\n- ')}`,
          );
        }
        if (presets.has(parsed.data.id))
          throw new Error(`Duplicate source preset id "${parsed.data.id}" in ${dir}`);
        presets.set(parsed.data.id, { preset: parsed.data, origin: { kind, path: path.join(dir, file) } });
      }
    }
    this.cache = presets;
    return presets;
  }

  ids(): string[] {
    return [...this.load().keys()];
  }

  get(id: string): SourcePreset | undefined {
    return this.load().get(id)?.preset;
  }

  /** Every preset with its origin, in load order (built-in packs first). */
  entries(): PresetEntry[] {
    return [...this.load().values()];
  }
}
