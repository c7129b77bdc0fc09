// `aep-onboard preset new --from-sample event.json --name my-source`: a source preset proposed from sample events
// (src/presets/infer.ts), checked by Data Prep before it is written as `<id>.preset.json` for the person to review.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AepConfigError, createAepClient, loadAepConfig, type MappingOperation } from '../aep';
import {
  inferPreset,
  presetIdFromName,
  sampleJsonSchema,
  sampleName,
  targetJsonSchema,
  type Inference,
} from '../presets/infer';
import { HTTP_API_CONNECTION_SPEC_ID } from '../shared/aep-constants';
import { formatIssues } from '../shared/input';
import { SourcePresetSchema, withTenant, type SourcePresetInput } from '../shared/preset-schema';
import { CliError, EXIT, type Command, type Values } from './context';

/** One Data Prep verdict per mapping, in the mappings' order. */
export interface MappingVerdict {
  source: string;
  destination: string;
  ok: boolean;
  errors: string[];
}

/** `preset new --json`. */
export interface PresetNewDoc {
  status: 'written';
  file: string;
  preset: SourcePresetInput;
  inferred: Pick<Inference, 'eventId' | 'timestamp' | 'identity' | 'renamed' | 'notes'> & {
    fields: Array<{ source: string; path: string; type: string; format?: string }>;
  };
  /** `data-prep`: Data Prep accepted every mapping; `skipped`: --offline. */
  validation: 'data-prep' | 'skipped';
}

/** The samples of the `--from-sample` files: a file holds one event object or an array of them. */
function readSamples(files: string[]): Record<string, Record<string, unknown>> {
  const samples: Record<string, Record<string, unknown>> = {};
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CliError(`--from-sample ${file}: ${(e as Error).message}`, EXIT.usage);
    }
    const list = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    const base =
      path
        .basename(file)
        .replace(/\.json$/i, '')
        .replace(/[^A-Za-z0-9_-]+/g, '_') || 'sample';
    list.forEach((body, i) => {
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new CliError(
          `--from-sample ${file}${Array.isArray(parsed) ? ` [${i}]` : ''}: a sample is a JSON object`,
          EXIT.usage,
        );
      const event = body as Record<string, unknown>;
      const first = sampleName(event, list.length > 1 ? `${base}${i + 1}` : base);
      let name = first;
      for (let n = 2; name in samples; n++) name = `${first}_${n}`;
      samples[name] = event;
    });
  }
  if (!Object.keys(samples).length) throw new CliError('--from-sample: no sample event', EXIT.usage);
  return samples;
}

/**
 * Asks Data Prep to judge the mappings against the schema the onboarding would create (inline: nothing exists yet)
 * and the samples' shape. Only a validation: nothing is created in AEP.
 */
async function dataPrepVerdicts(preset: SourcePresetInput): Promise<MappingVerdict[]> {
  let config;
  try {
    config = loadAepConfig();
  } catch (e) {
    if (!(e instanceof AepConfigError)) throw e;
    throw new CliError(
      `${e.message}. Data Prep checks the proposed mappings before the preset is written: set the AEP ` +
        `credentials (AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID), or pass --offline to skip the check.`,
      EXIT.usage,
    );
  }
  const aep = createAepClient(config);
  try {
    const { tenantId } = await aep.schemaRegistry.getStats();
    const mappings: MappingOperation[] = (preset.mappings ?? []).map((m) => ({
      sourceType: m.sourceType ?? 'ATTRIBUTE',
      source: m.source,
      destination: withTenant(m.destination, tenantId),
    }));
    const res = await aep.dataPrep.validateMappingSet({
      inputSchema: { jsonSchema: sampleJsonSchema(preset.samples) },
      outputSchema: { jsonSchema: targetJsonSchema(preset, tenantId) },
      mappings,
    });
    return mappings.map((m, i) => {
      const v = res.validationResponse[i];
      const errors = Array.isArray(v?.errors)
        ? (v.errors as unknown[]).map((e) =>
            typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : JSON.stringify(e),
          )
        : [];
      const ok = v?.status === 'SUCCESS' || (v !== undefined && !v.status && !errors.length);
      return { source: m.source, destination: preset.mappings[i]!.destination, ok, errors };
    });
  } finally {
    await aep.close();
  }
}

const fieldLine = (f: PresetNewDoc['inferred']['fields'][number]) =>
  `  ${f.source.padEnd(32)} ${`${f.type}${f.format ? ` (${f.format})` : ''}`.padEnd(20)} → ${f.path}`;

function describeNew(doc: PresetNewDoc): string {
  const { inferred, preset } = doc;
  const dir = path.dirname(doc.file);
  return [
    `Wrote ${doc.file} (preset "${preset.id}", field group _{TENANT}.${preset.fieldGroup.key}, ` +
      `${Object.keys(preset.samples).length} sample(s): ${Object.keys(preset.samples).join(', ')}).`,
    '',
    'Fields inferred (sample path, XDM type, field group path):',
    ...inferred.fields.map(fieldLine),
    '',
    `_id        ${inferred.eventId}`,
    `timestamp  ${inferred.timestamp}`,
    `identity   ${inferred.identity ? `${inferred.identity.path} (${inferred.identity.namespace})` : '(none found)'}`,
    ...(inferred.renamed.length
      ? [
          '',
          'Renamed for XDM (the mapping keeps the sample path):',
          ...inferred.renamed.map((r) => `  ${r.source} → ${r.path}`),
        ]
      : []),
    ...(inferred.notes.length ? ['', 'Review:', ...inferred.notes.map((n) => `  - ${n}`)] : []),
    '',
    doc.validation === 'data-prep'
      ? 'Data Prep accepted every mapping.'
      : 'Data Prep was not asked (--offline): the first onboarding will be the check.',
    '',
    'Next steps:',
    '  1. Review the file (titles, types, identity, which fields to keep).',
    `  2. export AEP_PRESET_DIRS=${dir}   (for the CLI and the worker alike)`,
    `  3. aep-onboard sources             (lists "${preset.id}")`,
    `  4. aep-onboard start "My ${preset.displayName}" --source ${preset.id} --verify`,
  ].join('\n');
}

async function presetNew(ctx: Parameters<Command['run']>[0], values: Values): Promise<number> {
  const files = (values['from-sample'] as string[] | undefined) ?? [];
  const name = (values.name as string | undefined)?.trim();
  if (!files.length || !name)
    throw new CliError('preset new needs --from-sample <file.json> and --name <source name>.', EXIT.usage);
  const id = presetIdFromName(name);
  const connectionSpecId = (values['connection-spec'] as string | undefined) ?? HTTP_API_CONNECTION_SPEC_ID;
  const samples = readSamples(files);
  let inference: Inference;
  try {
    inference = inferPreset({ id, displayName: name, connectionSpecId, samples });
  } catch (e) {
    throw new CliError(`Cannot propose a preset: ${(e as Error).message}`, EXIT.usage);
  }
  const { preset } = inference;
  const checked = SourcePresetSchema.safeParse(preset);
  if (!checked.success)
    throw new CliError(
      `The proposed preset is not valid:\n- ${formatIssues(checked.error).join('\n- ')}`,
      EXIT.usage,
    );
  const file = path.resolve((values.out as string | undefined) ?? '.', `${id}.preset.json`);
  if (existsSync(file) && !values.force)
    throw new CliError(`${file} exists: pass --force to overwrite it.`, EXIT.usage, { file });

  let validation: PresetNewDoc['validation'] = 'data-prep';
  if (values.offline) {
    validation = 'skipped';
    ctx.err('Warning: --offline: Data Prep does not check the proposed mappings.');
  } else {
    const verdicts = await dataPrepVerdicts(preset);
    const refused = verdicts.filter((v) => !v.ok);
    if (refused.length)
      throw new CliError(
        [
          `Data Prep refused ${refused.length} of ${verdicts.length} mapping(s); nothing written:`,
          ...refused.map((v) => `- ${v.source} → ${v.destination}: ${v.errors.join('; ') || 'refused'}`),
          'Rename or remove those fields in the sample, then run again.',
        ].join('\n'),
        EXIT.usage,
        { refused },
      );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(preset, null, 2)}\n`, { flag: values.force ? 'w' : 'wx' });
  const doc: PresetNewDoc = {
    status: 'written',
    file,
    preset,
    inferred: {
      fields: inference.fields.map((f) => ({
        source: f.source,
        path: f.path,
        type: f.field.type === 'array' ? `array of ${f.field.items?.type ?? '?'}` : f.field.type,
        ...(f.field.format ? { format: f.field.format } : {}),
      })),
      eventId: inference.eventId,
      timestamp: inference.timestamp,
      identity: inference.identity,
      renamed: inference.renamed,
      notes: inference.notes,
    },
    validation,
  };
  ctx.print(doc, () => describeNew(doc));
  return EXIT.ok;
}

export const presetCommands: Record<string, Command> = {
  preset: {
    summary: 'Propose a source preset from sample events (preset new --from-sample): review it, then use it',
    usage:
      'aep-onboard preset new --from-sample <event.json> [--from-sample ...] --name <source name> [--out <dir>] ' +
      '[--connection-spec <id>] [--force] [--offline] [--json]',
    details: [
      'Infers the fields and XDM types of the sample event(s) (one object, or an array, per file), a field group',
      'under _{TENANT}.<key>, the mappings, _id, timestamp and an identity, and writes <out>/<id>.preset.json.',
      'Data Prep checks the mappings first (AEP credentials needed; --offline skips it). --connection-spec: the',
      `Streaming SDK source's spec id; default the HTTP API streaming source (${HTTP_API_CONNECTION_SPEC_ID}).`,
    ],
    options: {
      'from-sample': { type: 'string', multiple: true },
      name: { type: 'string' },
      out: { type: 'string' },
      'connection-spec': { type: 'string' },
      force: { type: 'boolean' },
      offline: { type: 'boolean' },
    },
    run(ctx, positionals, values) {
      if (positionals[0] !== 'new')
        throw new CliError(`Unknown preset command "${positionals[0] ?? ''}": try 'preset new'.`, EXIT.usage);
      return presetNew(ctx, values);
    },
  },
};
