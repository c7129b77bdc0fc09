// `npm run emulator:compare -- <file>`: replays the requests of a `doctor --record` file (same method, path
// template, query and Accept) against an in-process emulator, and lists every difference between the recorded
// shapes and the emulator's (missing keys, extra keys, other types, another status), per operation. Exit 1 when
// there is any: that is how a user with a real org shows what the emulator gets wrong.
import { readFileSync } from 'node:fs';
import { createAepClient, AepError, type AepClient, type AepService } from '../src/aep';
import {
  dataLakeTargetBody,
  datasetBody,
  fieldGroupBody,
  flowBody,
  mappingSetBody,
  schemaBody,
  sourceConnectionBody,
} from '../src/aep/bodies';
import { createEmulator } from '../src/emulator/app';
import { PresetRegistry } from '../src/presets/registry';
import { withTenant } from '../src/shared/tenant';
import {
  diffShapes,
  kindOf,
  shapeOf,
  SHAPES_FORMAT,
  type RecordedOperation,
  type Shape,
  type ShapeDifference,
  type ShapeRecording,
} from '../src/shared/shapes';

export interface OperationComparison {
  operation: string;
  recordedStatus: number;
  emulatorStatus?: number;
  /** Why it could not be replayed (a placeholder the emulator run has no id for). */
  notReplayed?: string;
  differences: ShapeDifference[];
}

/** What an onboarding leaves in the emulator, made with the client's own bodies: the ids a recording names. */
async function seed(
  aep: AepClient,
  source = 'chatlio',
): Promise<{ ids: Record<string, string>; tenantId: string }> {
  const preset = PresetRegistry.fromEnv({}).get(source)!;
  const { tenantId } = await aep.schemaRegistry.getStats();
  const title = `Compare ${Date.now()}`;
  // The onboarding describes everything it creates; so does the seed, for the answers to carry a description.
  const description = 'emulator:compare';
  const fg = await aep.schemaRegistry.createFieldGroup(
    fieldGroupBody({
      tenantId,
      title: `${title} fields`,
      description,
      schemaClass: preset.schemaClass,
      fieldGroup: preset.fieldGroup,
    }),
  );
  const schema = await aep.schemaRegistry.createSchema(
    schemaBody({ title, description, schemaClass: preset.schemaClass, fieldGroupIds: [fg.$id] }),
  );
  const dataset = await aep.catalog.createDataset(
    datasetBody({ name: title, description, schemaId: schema.$id }),
  );
  const mappings = preset.mappings.map((m) => ({ ...m, destination: withTenant(m.destination, tenantId) }));
  const mappingSet = await aep.dataPrep.createMappingSet(
    mappingSetBody({ name: `compare_${Date.now()}`, schemaId: schema.$id, mappings }),
  );
  const source_ = await aep.flowService.create(
    'sourceConnections',
    sourceConnectionBody({
      name: title,
      description,
      providerId: preset.providerId,
      connectionSpec: preset.connectionSpec,
      dataFormat: preset.dataFormat,
    }),
  );
  const target = await aep.flowService.create(
    'targetConnections',
    dataLakeTargetBody({ name: title, description, schemaId: schema.$id, datasetId: dataset.id }),
  );
  const flow = await aep.flowService.create(
    'flows',
    flowBody({
      name: title,
      description,
      flowSpec: preset.flowSpec,
      sourceConnectionId: source_.id,
      targetConnectionId: target.id,
      mappingSetId: mappingSet.id,
      mappingVersion: mappingSet.version,
    }),
  );
  const inletUrl = (await aep.flowService.get('flows', flow.id)).options?.inletUrl;
  const sample = Object.values(preset.samples)[0];
  if (inletUrl && sample) await aep.inlet.send(inletUrl, flow.id, sample);
  const runId = (await aep.flowService.listRuns(flow.id))[0]?.id;
  return {
    tenantId,
    ids: {
      fieldGroupId: fg.$id,
      schemaId: schema.$id,
      schemaAltId: schema['meta:altId'],
      datasetId: dataset.id,
      mappingSetId: mappingSet.id,
      sourceConnectionId: source_.id,
      targetConnectionId: target.id,
      flowId: flow.id,
      ...(runId ? { runId } : {}),
    },
  };
}

const PLACEHOLDER = /\{(\w+)\}/g;

const label = (s: RecordedOperation['response']): string => (typeof s === 'string' ? s : kindOf(s));

function fill(template: string, ids: Record<string, string>, encode: boolean): string | { missing: string } {
  let missing: string | undefined;
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = ids[name];
    if (v === undefined) missing ??= name;
    return v === undefined ? '' : encode ? encodeURIComponent(v) : v;
  });
  return missing ? { missing } : out;
}

async function replay(aep: AepClient, op: RecordedOperation, ids: Record<string, string>) {
  const path = fill(op.path, ids, true);
  if (typeof path !== 'string') return { notReplayed: `no id for {${path.missing}}` };
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(op.query ?? {})) {
    const filled = fill(v, ids, false);
    if (typeof filled !== 'string') return { notReplayed: `no id for {${filled.missing}}` };
    query[k] = filled;
  }
  const m = /^\/data\/foundation\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return { notReplayed: `not a Platform API path` };
  try {
    const res = await aep.transport.request<unknown>({
      method: op.method,
      service: m[1] as AepService,
      path: m[2] ?? '',
      query,
      ...(op.accept ? { accept: op.accept } : {}),
    });
    return { status: res.status, body: res.data };
  } catch (err) {
    if (err instanceof AepError && err.status !== undefined) return { status: err.status, body: err.problem };
    throw err;
  }
}

/** Every operation of the recording, replayed against a fresh in-process emulator. */
export async function compareRecording(recording: ShapeRecording): Promise<OperationComparison[]> {
  if (recording.format !== SHAPES_FORMAT)
    throw new Error(`not a ${SHAPES_FORMAT} file (format: ${String(recording.format)})`);
  const emulator = createEmulator();
  const server = await emulator.listen(0, '127.0.0.1');
  const o = emulator.options;
  const aep = createAepClient({
    platformUrl: server.url,
    imsUrl: server.url,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    orgId: o.orgId,
    sandbox: o.sandboxes[0] ?? 'prod',
    scopes: 'openid,AdobeID,read_organizations,additional_info.projectedProductContext',
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
  });
  try {
    const seeded = await seed(aep);
    const { tenantId } = seeded;
    const ids = { ...seeded.ids, sandbox: aep.config.sandbox };
    const keyNames: Record<string, string> = { [`_${tenantId}`]: '_{TENANT}' };
    for (const [name, value] of Object.entries(seeded.ids)) keyNames[value] = `{${name}}`;
    const out: OperationComparison[] = [];
    for (const op of recording.operations) {
      const r = await replay(aep, op, ids);
      const base = { operation: op.operation, recordedStatus: op.status };
      if ('notReplayed' in r) {
        out.push({ ...base, notReplayed: r.notReplayed, differences: [] });
        continue;
      }
      const differences: ShapeDifference[] = [];
      if (r.status !== op.status) {
        differences.push({
          at: '(status)',
          kind: 'type',
          recorded: String(op.status),
          emulator: String(r.status),
        });
      } else if (typeof op.response === 'object' || typeof op.response === 'string') {
        const actual: Shape | 'empty' = r.body === undefined ? 'empty' : shapeOf(r.body, keyNames);
        if (op.response === 'empty' || op.response === 'not-json' || actual === 'empty') {
          if (op.response !== actual)
            differences.push({
              at: '$',
              kind: 'type',
              recorded: label(op.response),
              emulator: label(actual),
            });
        } else {
          differences.push(...diffShapes(op.response, actual));
        }
      }
      out.push({ ...base, emulatorStatus: r.status, differences });
    }
    return out;
  } finally {
    await aep.close();
    await server.close();
  }
}

export function formatComparison(results: OperationComparison[]): string {
  const lines = results.flatMap((r) => {
    if (r.notReplayed) return [`! ${r.operation} (${r.recordedStatus}): not replayed, ${r.notReplayed}`];
    if (!r.differences.length) return [`✓ ${r.operation} (${r.recordedStatus})`];
    return [
      `✗ ${r.operation} (${r.recordedStatus}): ${r.differences.length} difference(s)`,
      ...r.differences.map((d) =>
        d.kind === 'missing'
          ? `    missing ${d.at} (${d.recorded}): AEP sends it, the emulator does not`
          : d.kind === 'extra'
            ? `    extra   ${d.at} (${d.emulator}): the emulator sends it, AEP did not`
            : `    type    ${d.at}: AEP ${d.recorded}, emulator ${d.emulator}`,
      ),
    ];
  });
  const bad = results.filter((r) => r.differences.length || r.notReplayed).length;
  lines.push(
    '',
    bad ? `${bad} of ${results.length} operation(s) differ.` : `All ${results.length} operation(s) match.`,
  );
  return lines.join('\n');
}

/** 0: no difference; 1: differences (or an operation that could not be replayed); 2: usage. */
export async function main(argv: string[], out: (t: string) => void = console.log): Promise<number> {
  const file = argv.find((a) => !a.startsWith('-'));
  if (!file) {
    out('Usage: npm run emulator:compare -- <file recorded by aep-onboard doctor --record> [--json]');
    return 2;
  }
  let recording: ShapeRecording;
  try {
    recording = JSON.parse(readFileSync(file, 'utf8')) as ShapeRecording;
  } catch (err) {
    out(`Cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const results = await compareRecording(recording);
  out(argv.includes('--json') ? JSON.stringify(results, null, 2) : formatComparison(results));
  return results.some((r) => r.differences.length || r.notReplayed) ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
