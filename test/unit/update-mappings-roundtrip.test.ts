// updateMappings over the real client and an undici MockAgent answering as Data Prep does: an onboarding's mapping
// set, whose `uuid()` / `now()` expressions come back as `text/x.aep-xl` and its attributes as `text/x.schema-path`,
// is read back and updated; the PUT must send the expressions as EXPRESSION, not as attribute paths.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createAepClient } from '../../src/aep';
import { createUpdateMappingsActivities } from '../../src/activities/lifecycle/update-mappings';
import { FAILURE_TYPES } from '../../src/shared/failures';
import { JSON_HEADERS, PLATFORM, mockAgent, mockIms, testConfig } from '../support/aep-mock';
import { rejection } from '../support/failures';

const agent = mockAgent();
mockIms(agent, ['tok-update']);
const client = createAepClient(testConfig(), { dispatcher: agent });
const activities = createUpdateMappingsActivities({ aep: client });
after(async () => {
  await client.close();
  await agent.close();
});

const SET = '/data/foundation/conversion/mappingSets/ms-1';
const SCHEMA_ID = 'https://ns.adobe.com/acme/schemas/abc';
const CONTENT_TYPE = 'application/vnd.adobe.xed-full+json;version=1';

function echoed(sourceType: string, source: string, destination: string): Record<string, unknown> {
  return {
    id: `m-${destination}`,
    version: 0,
    sourceType,
    source,
    destination,
    sourceAttribute: source,
    destinationXdmPath: destination,
  };
}

/** The Chatlio preset's mapping set as Data Prep answers a GET of it. */
function storedSet(extra: Record<string, unknown>[] = []) {
  return {
    id: 'ms-1',
    version: 0,
    name: 'Chatlio mapping',
    createdDate: 1614901254724,
    modifiedDate: 1614901254724,
    outputSchema: { id: SCHEMA_ID, version: '1', schemaRef: { id: SCHEMA_ID, contentType: CONTENT_TYPE } },
    mappings: [
      echoed('text/x.aep-xl', 'uuid()', '_id'),
      echoed('text/x.aep-xl', 'now()', 'timestamp'),
      echoed('text/x.schema-path', 'message', '_acme.chatlio.message'),
      echoed('text/x.schema-path', 'visitor.email', '_acme.chatlio.chatlio_email'),
      ...extra,
    ],
  };
}

function answerRead(set: unknown): void {
  const pool = agent.get(PLATFORM);
  pool.intercept({ path: SET, method: 'GET' }).reply(200, JSON.stringify(set), { headers: JSON_HEADERS });
  pool
    .intercept({ path: '/data/foundation/schemaregistry/stats', method: 'GET' })
    .reply(200, JSON.stringify({ tenantId: 'acme', imsOrg: 'UNIT0000@AdobeOrg' }), { headers: JSON_HEADERS });
}

/** Captures the PUT body and answers the new version, echoed as Data Prep does. */
function capturePut(): unknown[] {
  const bodies: unknown[] = [];
  agent
    .get(PLATFORM)
    .intercept({ path: SET, method: 'PUT' })
    .reply((opts) => {
      bodies.push(JSON.parse(typeof opts.body === 'string' ? opts.body : 'null'));
      return {
        statusCode: 200,
        data: JSON.stringify({ ...storedSet(), version: 1 }),
        responseOptions: { headers: JSON_HEADERS },
      };
    });
  return bodies;
}

void describe('updateMappings: a round trip of an onboarding mapping set', () => {
  void it('keeps uuid() and now() as EXPRESSION and attributes as ATTRIBUTE in the PUT', async () => {
    answerRead(storedSet());
    const puts = capturePut();
    const out = await activities.updateMappings({
      sandbox: 'dev',
      mappingSetId: 'ms-1',
      overrides: [
        { sourceType: 'EXPRESSION', source: 'upper(message)', destination: '_{TENANT}.chatlio.message' },
      ],
      drop: [],
    });
    assert.deepEqual(out, { version: 1, changed: true, mappings: 4 });
    assert.equal(puts.length, 1);
    assert.deepEqual(puts[0], {
      name: 'Chatlio mapping',
      outputSchema: { schemaRef: { id: SCHEMA_ID, contentType: CONTENT_TYPE } },
      mappings: [
        { sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' },
        { sourceType: 'EXPRESSION', source: 'now()', destination: 'timestamp' },
        { sourceType: 'EXPRESSION', source: 'upper(message)', destination: '_acme.chatlio.message' },
        { sourceType: 'ATTRIBUTE', source: 'visitor.email', destination: '_acme.chatlio.chatlio_email' },
      ],
    });
  });

  void it('sees an update already made as no change (the echoed types compare equal to what was sent)', async () => {
    answerRead(storedSet());
    const out = await activities.updateMappings({
      sandbox: 'dev',
      mappingSetId: 'ms-1',
      overrides: [{ sourceType: 'EXPRESSION', source: 'uuid()', destination: '_id' }],
      drop: [],
    });
    assert.deepEqual(out, { version: 0, changed: false, mappings: 4 });
  });

  void it('refuses, without a PUT, a set holding a sourceType it does not know', async () => {
    answerRead(storedSet([echoed('text/plain', 'metadata.segment.alias', '_acme.chatlio.alias')]));
    const err = await rejection(
      activities.updateMappings({
        sandbox: 'dev',
        mappingSetId: 'ms-1',
        overrides: [],
        drop: ['_{TENANT}.chatlio.message'],
      }),
      ApplicationFailure,
    );
    assert.equal(err.type, FAILURE_TYPES.invalidMappingSet);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /"text\/plain"/);
    assert.match(err.message, /_acme\.chatlio\.alias/);
    // No PUT interceptor is registered: one would have failed the call with a MockNotMatchedError, not this.
  });
});
