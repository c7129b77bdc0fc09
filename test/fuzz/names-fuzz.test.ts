// Names fuzzed (issue 10, "Must show"): onboarding names, schemaTitle and datasetName drawn from an alphabet made
// to break look-ups by name — AEP filter syntax, quotes, accents precomposed and decomposed, CJK, full-width
// letters, Cyrillic and Greek look-alikes of Latin letters, odd whitespace. A refused input creates nothing. An
// accepted one, run while every create commits and then answers 500 (so every step must find its own lost create
// by name), ends with exactly one of each resource carrying its own run's marker, and a neighbour onboarding of a
// look-alike name keeps every resource untouched. Names equal after normalisation are one onboarding.
// FUZZ_SEED=<n> replays another draw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DuplicateOnboardingError, InvalidInputError, startOnboarding } from '../../src/client/onboarding';
import { carriesMarker, normaliseName, ONBOARDING_WORKFLOW_TYPE, runMarker } from '../../src/shared/naming';
import type { OnboardingResult } from '../../src/shared/onboarding';
import type { TenantView } from '../support/emulator';
import { useHarness, resourcesIn } from '../support/onboarding';
import { seeded } from '../support/prng';
import { uniqueName } from '../support/temporal';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const { random, int, pick } = seeded(SEED);

/** A piece of a name, and whether the input schema must accept it. */
type Piece = [text: string, ok: boolean];

const OK_PIECES: readonly string[] = [
  'Chat',
  'events',
  'Support',
  'x',
  '42',
  '_',
  '.',
  ':',
  '(beta)',
  "O'Brien",
  '&',
  '-',
  // Precomposed, and decomposed into a letter and a combining mark (NFC composes them back).
  'Chät',
  'café',
  'Ñandú',
  'Cha\u0308t',
  'cafe\u0301',
  'N\u0303andu\u0301',
  '日本語',
  '中文',
  '한국어',
  // Scripts written with combining marks that do not compose away: Devanagari, Thai, a dotted q.
  'हिन्दी',
  'ภาษาไทย',
  'q\u0307',
  // Full-width letters and digits: letters to the schema, different from their ASCII twins (no NFKC folding).
  'Ｃｈａｔ',
  '１２',
  // Cyrillic а, о, е, р, с and Greek Α, ο, Ε, where a Latin letter would be.
  'Сhаt',
  'сорео',
  'Αlpha',
  'Εvents',
  'ο',
];
const BAD_PIECES: readonly string[] = [
  ',',
  'a,b',
  '*',
  'Chat*',
  '"',
  'say "hi"',
  '~',
  'a~b',
  '==',
  'name!=x',
  '[]',
  '[0]',
  '\\',
  'a\\b',
  '“curly”',
  '’',
  // Full-width comma and asterisk: punctuation, not letters.
  '，',
  '＊',
  // A zero-width space (a format character, not whitespace to \s).
  '\u200b',
];
/** Whitespace that normalisation collapses (runs of it, tabs, no-break and ideographic spaces) or trims. */
const GAPS: readonly string[] = [' ', ' ', ' ', '  ', '\t', '\u00a0', '\u3000', ' \n '];

function piece(allowBad: boolean): Piece {
  return allowBad && random() < 0.15 ? [pick(BAD_PIECES), false] : [pick(OK_PIECES), true];
}

/** A name of 1 to 4 pieces, maybe with whitespace around it; ok when every piece is and it is not blank. */
function fuzzName(allowBad: boolean): Piece {
  const pieces = Array.from({ length: int(1, 4) }, () => piece(allowBad));
  const edge = () => (random() < 0.25 ? pick(GAPS) : '');
  const text = edge() + pieces.map(([t]) => t).join(pick(GAPS)) + edge();
  return [text, pieces.every(([, ok]) => ok) && normaliseName(text) !== ''];
}

/** Latin letters swapped for their Cyrillic look-alikes: a different name that reads the same. */
const CONFUSABLE: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', C: 'С' };
function lookAlike(name: string): string {
  const swapped = [...name].map((ch) => CONFUSABLE[ch] ?? ch).join('');
  return swapped === name ? `${name} Сhаt` : swapped;
}

/** The same name in another spelling that normalises to it: decomposed, with extra and odd whitespace. */
function sameNameOtherwise(name: string): string {
  return `\u00a0 ${normaliseName(name).normalize('NFD').replace(/ /g, '  \t')} \u3000`;
}

interface FuzzInput {
  source: 'chatlio';
  name: string;
  schemaTitle?: string;
  datasetName?: string;
}

/** Collections holding an onboarding's resources, each with its id field and the field compared with the input. */
const COLLECTIONS = {
  fieldgroups: 'meta:altId',
  schemas: 'meta:altId',
  dataSets: 'id',
  sourceConnections: 'id',
  targetConnections: 'id',
  mappingSets: 'id',
  flows: 'id',
} as const;
type Item = Record<string, unknown>;

function resultIdOf(collection: keyof typeof COLLECTIONS, r: OnboardingResult): string {
  const ids = r.ids;
  return {
    fieldgroups: ids.fieldGroupId,
    schemas: ids.schemaAltId,
    dataSets: ids.datasetId,
    sourceConnections: ids.sourceConnectionId,
    targetConnections: ids.targetConnectionId,
    mappingSets: ids.mappingSetId,
    flows: ids.flowId,
  }[collection];
}

/** A mapping set carries the marker in its identifier-form name (`chatlio_aepo_…`), everything else `[aepo-…]`. */
function carries(collection: string, item: Item, marker: string): boolean {
  return collection === 'mappingSets'
    ? typeof item['name'] === 'string' && item['name'].endsWith(`_${marker.replace('-', '_')}`)
    : carriesMarker(item, marker);
}

const POST_CREATE =
  '^/data/foundation/(flowservice/(sourceConnections|targetConnections|flows)|schemaregistry/tenant/(fieldgroups|schemas)|catalog/dataSets|conversion/mappingSets)$';

describe(`names fuzz (seed ${SEED})`, { timeout: 180_000 }, () => {
  const h = useHarness();

  const start = (taskQueue: string, input: unknown) =>
    // The CLI's way: no workflow id given, so the id is derived from the normalised name.
    startOnboarding(h.env.client, input, {
      orgId: h.emu.options.orgId,
      defaultSandbox: 'prod',
      taskQueue,
    });

  it('refused names create nothing, through the CLI or a direct workflow start', async (t) => {
    await h.emu.control.reset();
    const refused: FuzzInput[] = [];
    while (refused.length < 16) {
      const [name, nameOk] = fuzzName(true);
      const [title, titleOk] = fuzzName(true);
      const [dataset, datasetOk] = fuzzName(true);
      if (nameOk && titleOk && datasetOk) continue;
      refused.push({ source: 'chatlio', name, schemaTitle: title, datasetName: dataset });
    }
    t.diagnostic(`refused: ${JSON.stringify(refused)}`);
    await h.withWorker(async (tq) => {
      for (const input of refused) {
        await assert.rejects(
          () => start(tq, input),
          (e: unknown) => e instanceof InvalidInputError,
          JSON.stringify(input),
        );
        // The Web UI and `temporal workflow start` skip the CLI: the workflow's own check refuses it.
        const handle = await h.env.client.workflow.start(ONBOARDING_WORKFLOW_TYPE, {
          taskQueue: tq,
          workflowId: uniqueName('names-fuzz-refused'),
          args: [input],
        });
        const err = await handle.result().then(
          () => assert.fail(`accepted: ${JSON.stringify(input)}`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError, String(err));
        assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
        assert.equal(err.cause.type, 'InvalidOnboardingInput', JSON.stringify(input));
      }
    });
    assert.deepEqual(
      (await h.emu.control.calls()).filter((c) => !c.path.startsWith('/ims')),
      [],
      'the emulator saw no API call',
    );
    assert.deepEqual(await resourcesIn(h.emu), {});
  });

  it('accepted names under commit-then-fail on every create: one of each resource per onboarding, its own, and a look-alike neighbour untouched', async (t) => {
    await h.emu.control.reset();
    // Distinct after normalisation, each field on its own (titles are unique across the Schema Registry).
    const seen = { name: new Set<string>(), schemaTitle: new Set<string>(), datasetName: new Set<string>() };
    const fresh = (field: keyof typeof seen): string => {
      for (;;) {
        const [text, ok] = fuzzName(false);
        if (ok && !seen[field].has(normaliseName(text))) {
          seen[field].add(normaliseName(text));
          return text;
        }
      }
    };
    const inputs: FuzzInput[] = Array.from({ length: 10 }, (_, i) => ({
      source: 'chatlio',
      name: fresh('name'),
      // The first always names both, so the neighbour can take their look-alikes; the others sometimes.
      ...(i === 0 || random() < 0.6 ? { schemaTitle: fresh('schemaTitle') } : {}),
      ...(i === 0 || random() < 0.6 ? { datasetName: fresh('datasetName') } : {}),
    }));
    const first = inputs[0]!;
    // The neighbour takes look-alikes of the first one's three names: a look-up that folded scripts would find it.
    const neighbourInput: FuzzInput = {
      source: 'chatlio',
      name: lookAlike(normaliseName(first.name)),
      schemaTitle: lookAlike(normaliseName(first.schemaTitle!)),
      datasetName: lookAlike(normaliseName(first.datasetName!)),
    };
    assert.ok(!seen.name.has(neighbourInput.name), 'the neighbour’s name is another name');
    t.diagnostic(`accepted: ${JSON.stringify(inputs)}; neighbour: ${JSON.stringify(neighbourInput)}`);

    await h.withWorker(async (tq) => {
      // The neighbour first, without faults: the state the fuzz runs must leave alone.
      const neighbour = await (await start(tq, neighbourInput)).handle.result();
      const before = tenant(await h.emu.control.state());

      await h.emu.control.fault({
        method: 'POST',
        path: POST_CREATE,
        kind: 'commit-then-fail',
        status: 500,
        count: -1,
      });
      const started = await Promise.all(inputs.map((input) => start(tq, input)));
      // The same names spelled otherwise are the same onboardings: refused while they run...
      for (const input of inputs) {
        await assert.rejects(
          () => start(tq, { ...input, name: sameNameOtherwise(input.name) }),
          (e: unknown) => e instanceof DuplicateOnboardingError,
          JSON.stringify(input.name),
        );
      }
      const results = await Promise.all(started.map((s) => s.handle.result()));
      // ...and once they completed.
      for (const input of inputs) {
        await assert.rejects(
          () => start(tq, { ...input, name: sameNameOtherwise(input.name) }),
          (e: unknown) => e instanceof DuplicateOnboardingError,
          JSON.stringify(input.name),
        );
      }
      await h.emu.control.clearFaults();

      const after = tenant(await h.emu.control.state());
      for (const collection of Object.keys(COLLECTIONS) as Array<keyof typeof COLLECTIONS>) {
        const items = after[collection];
        // Nothing but one per onboarding and the neighbour's: no duplicate, no orphan of any name.
        assert.equal(before[collection].length, 1, `${collection} before: the neighbour's only`);
        assert.equal(items.length, inputs.length + 1, `${collection}: ${JSON.stringify(items)}`);
        results.forEach((result, i) => {
          const marker = runMarker({
            workflowId: started[i]!.workflowId,
            runId: started[i]!.handle.firstExecutionRunId,
          });
          const ours = items.filter((item) => carries(collection, item, marker));
          assert.equal(ours.length, 1, `${collection} of ${JSON.stringify(inputs[i]!.name)}`);
          assert.equal(ours[0]![COLLECTIONS[collection]], resultIdOf(collection, result));
        });
      }
      // What a person chose is what AEP holds, in its normal form.
      results.forEach((result, i) => {
        const input = inputs[i]!;
        assert.equal(result.name, normaliseName(input.name));
        const byId = (c: keyof typeof COLLECTIONS) =>
          after[c].find((item) => item[COLLECTIONS[c]] === resultIdOf(c, result))!;
        if (input.schemaTitle) assert.equal(byId('schemas')['title'], normaliseName(input.schemaTitle));
        if (input.datasetName) assert.equal(byId('dataSets')['name'], normaliseName(input.datasetName));
      });
      // The neighbour's resources, every field of them (ids, etags, versions, timestamps), are as they were.
      for (const collection of Object.keys(COLLECTIONS) as Array<keyof typeof COLLECTIONS>) {
        const id = resultIdOf(collection, neighbour);
        const was = before[collection].find((item) => item[COLLECTIONS[collection]] === id);
        assert.ok(was, `the neighbour's ${collection} existed`);
        assert.deepEqual(
          after[collection].find((item) => item[COLLECTIONS[collection]] === id),
          was,
          `the neighbour's ${collection} is untouched`,
        );
      }
    });
  });
});

/** The default tenant's resource collections. */
function tenant(state: { tenants: TenantView[] }): Record<keyof typeof COLLECTIONS, Item[]> {
  const t = state.tenants.find((x) => x.sandbox === 'prod');
  return Object.fromEntries(
    Object.keys(COLLECTIONS).map((c) => [c, (t?.collections[c] ?? []) as Item[]]),
  ) as Record<keyof typeof COLLECTIONS, Item[]>;
}
