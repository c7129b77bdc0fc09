// The checks an onboarding makes before it writes, on the AEP fake: the source's specs in the org
// (checkSourceSpecs, also what `aep-onboard doctor` can reuse) and Data Prep's verdict on the mappings.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { checkSourceSpecs, type Activities } from '../../src/activities';
import { mappingProblems } from '../../src/activities/prerequisites';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  GENERIC_STREAMING_FLOW_SPEC_ID,
} from '../../src/shared/aep-constants';
import { FAILURE_TYPES } from '../../src/shared/failures';
import { aepErrors, fakeActivities } from '../support/fake-aep';
import { rejection } from '../support/failures';

const SPECS = {
  connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
  flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
};

function run<K extends keyof Activities>(
  activities: Activities,
  name: K,
  input: Parameters<Activities[K]>[0],
): Promise<Awaited<ReturnType<Activities[K]>>> {
  const fn = activities[name] as (i: typeof input) => Promise<Awaited<ReturnType<Activities[K]>>>;
  return new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(fn, input);
}

const failure = (p: Promise<unknown>) => rejection(p, ApplicationFailure);

describe('checkSourceSpecs', () => {
  it('passes when the org has the connection spec and the flow spec lists it', async () => {
    const { fake, activities } = fakeActivities();
    assert.deepEqual(await checkSourceSpecs(fake.client.flowService, SPECS), []);
    const out = await run(activities, 'checkSourceSpecs', { sandbox: 'prod', ...SPECS });
    assert.deepEqual(out.checked, [CHATLIO_CONNECTION_SPEC_ID, GENERIC_STREAMING_FLOW_SPEC_ID]);
    assert.deepEqual(fake.methods(), [
      'flowService.getConnectionSpec',
      'flowService.getFlowSpec',
      'flowService.getConnectionSpec',
      'flowService.getFlowSpec',
    ]);
  });

  it('a connection spec not provisioned: one problem on connectionSpec.id, a non-retryable failure', async () => {
    const { fake, activities } = fakeActivities();
    fake.connectionSpecs.delete(CHATLIO_CONNECTION_SPEC_ID);
    const problems = await checkSourceSpecs(fake.client.flowService, SPECS);
    assert.deepEqual(
      problems.map((p) => p.field),
      ['connectionSpec.id'],
    );
    assert.match(problems[0]!.message, /is not provisioned in this org and sandbox/);
    const err = await failure(run(activities, 'checkSourceSpecs', { sandbox: 'prod', ...SPECS }));
    assert.equal(err.type, FAILURE_TYPES.sourceNotProvisioned);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /^The source cannot be onboarded in sandbox prod: connectionSpec\.id: /);
    assert.deepEqual(err.details, [{ problems }]);
  });

  it('a flow spec that does not list the source, or not the data lake, or is missing: problems on flowSpec.id', async () => {
    const { fake } = fakeActivities();
    fake.flowSpecs[GENERIC_STREAMING_FLOW_SPEC_ID] = {
      sourceConnectionSpecIds: ['other'],
      targetConnectionSpecIds: ['other-target'],
    };
    const problems = await checkSourceSpecs(fake.client.flowService, SPECS);
    assert.deepEqual(
      problems.map((p) => p.field),
      ['flowSpec.id', 'flowSpec.id'],
    );
    assert.match(
      problems[0]!.message,
      /does not list connection spec 073127a3-\S+ in sourceConnectionSpecIds \(other\)/,
    );
    assert.match(
      problems[1]!.message,
      new RegExp(`data lake connection spec ${DATA_LAKE_CONNECTION_SPEC_ID}`),
    );
    delete fake.flowSpecs[GENERIC_STREAMING_FLOW_SPEC_ID];
    const missing = await checkSourceSpecs(fake.client.flowService, SPECS);
    assert.match(missing[0]!.message, /^flow spec \S+ does not exist in this org and sandbox/);
  });

  it('a refused sandbox or credential is not a missing spec: thrown as the access error it is', async () => {
    const { fake } = fakeActivities();
    fake.fail('flowService.getConnectionSpec', () =>
      aepErrors.http(404, { code: 'FLOW-2101-404', method: 'GET' }),
    );
    await assert.rejects(checkSourceSpecs(fake.client.flowService, SPECS), /HTTP 404/);
    fake.fail('flowService.getFlowSpec', aepErrors.server());
    await assert.rejects(checkSourceSpecs(fake.client.flowService, SPECS), /HTTP 503/);
  });
});

describe('validateMappings', () => {
  const mappings = [
    { sourceType: 'ATTRIBUTE' as const, source: 'message', destination: '_t.chatlio.message' },
    { sourceType: 'ATTRIBUTE' as const, source: 'visitor.email', destination: '_t.chatlio.nope' },
    { sourceType: 'EXPRESSION' as const, source: 'upper(', destination: '_t.chatlio.name' },
  ];

  it('one message per refused mapping, naming its source and destination; non-retryable', async () => {
    const { fake, activities } = fakeActivities();
    fake.mappingVerdict = (m) =>
      m.destination === '_t.chatlio.nope' ? 'Destination path _t.chatlio.nope not found' : undefined;
    const err = await failure(
      run(activities, 'validateMappings', { sandbox: 'prod', schemaId: 'https://ns/s', mappings }),
    );
    assert.equal(err.type, FAILURE_TYPES.invalidMappings);
    assert.equal(err.nonRetryable, true);
    assert.deepEqual(err.details, [
      {
        problems: [
          'mappings[1] (ATTRIBUTE "visitor.email" → "_t.chatlio.nope"): destination "_t.chatlio.nope": Destination path _t.chatlio.nope not found',
        ],
      },
    ]);
    assert.match(
      err.message,
      /^Data Prep refused 1 of 3 mapping\(s\) against schema https:\/\/ns\/s: mappings\[1\]/,
    );
    // What was validated is what would be written: the schema reference and the three fields of each mapping.
    const body = fake.callsOf('dataPrep.validateMappingSet')[0]!.args[0] as { mappings: unknown[] };
    assert.deepEqual(body.mappings, mappings);
  });

  it('reads either error shape (TransformErrorInfo or {code, message}) and any status but SUCCESS', () => {
    const problems = mappingProblems(mappings, {
      validationResponse: [
        { status: 'SUCCESS', errors: null },
        {
          status: 'FAILURE',
          errors: [{ code: 'DATAPREP-1004-400', message: 'Destination path not found.' }],
        },
        { status: 'FAILED', errors: [{ source: 'upper(', exception: 'Invalid expression' }] },
      ],
    });
    assert.deepEqual(problems, [
      'mappings[1] (ATTRIBUTE "visitor.email" → "_t.chatlio.nope"): Destination path not found.',
      'mappings[2] (EXPRESSION "upper(" → "_t.chatlio.name"): source "upper(": Invalid expression',
    ]);
    // No verdict refuses nothing: Data Prep still checks the create itself.
    assert.deepEqual(mappingProblems(mappings, { validationResponse: [] }), []);
  });
});
