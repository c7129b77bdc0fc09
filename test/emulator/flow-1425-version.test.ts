// FLOW-1425 checks the schema's version as well as its id (docs/aep-api.md §5.6: "same id and version required"):
// the major a mapping set's `schemaRef.contentType` names must be the major of the target dataset's schema.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SCHEMAS } from '../../src/emulator/logic/xdm';
import {
  CHATLIO_CONNECTION_SPEC_ID,
  DATA_LAKE_CONNECTION_SPEC_ID,
  EMULATOR_DEFAULTS,
  GENERIC_STREAMING_FLOW_SPEC_ID,
  STREAMING_PROVIDER_ID,
} from '../../src/shared/aep-constants';
import type { IdEtag, PlatformErrorBody } from '../support/aep-bodies';
import { request, startEmulator, type JsonResponse, type StartedEmulator } from '../support/emulator';

const FS = '/data/foundation/flowservice';
const XED_FULL = 'application/vnd.adobe.xed-full+json';
type Seeded = Record<string, unknown> & { id: string };
const hex = () => randomUUID().replace(/-/g, '');

describe('FLOW-1425: the mapping set must name the version of the dataset’s schema', () => {
  let emu: StartedEmulator;
  let token: string;
  const call = <T = IdEtag & PlatformErrorBody>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<JsonResponse<T>> =>
    request<T>(emu.url + FS + path, { method, headers: emu.headers(token), body });

  before(async () => {
    emu = await startEmulator();
    token = await emu.token();
  });
  after(() => emu.close());

  /**
   * A schema at Schema Registry version `registryVersion` (none: not in the registry), a dataset of it referring to it
   * as `datasetVersion`, a mapping set referring to it as `mappingVersion`; then POST /flows.
   */
  async function flowWith(opts: {
    registryVersion?: string;
    datasetVersion: number;
    mappingVersion: number;
  }) {
    const tenant = emu.state.tenant(EMULATOR_DEFAULTS.orgId, 'prod');
    const h = hex();
    const schemaId = `https://ns.adobe.com/emulatortenant/schemas/${h}`;
    if (opts.registryVersion) {
      const altId = `_emulatortenant.schemas.${h}`;
      tenant.collection<Seeded>(SCHEMAS).set(altId, {
        id: altId,
        $id: schemaId,
        'meta:altId': altId,
        title: `Schema ${h}`,
        type: 'object',
        version: opts.registryVersion,
      });
    }
    const dataSetId = hex().slice(0, 24);
    tenant.collection<Seeded>('dataSets').set(dataSetId, {
      id: dataSetId,
      name: `ds ${dataSetId}`,
      schemaRef: { id: schemaId, contentType: `${XED_FULL};version=${opts.datasetVersion}` },
    });
    const mappingSetId = hex();
    tenant.collection<Seeded>('mappingSets').set(mappingSetId, {
      id: mappingSetId,
      version: 0,
      outputSchema: {
        schemaRef: { id: schemaId, contentType: `${XED_FULL};version=${opts.mappingVersion}` },
      },
      mappings: [],
    });
    tenant.mutated();
    const sc = await call('POST', '/sourceConnections', {
      name: `source ${h}`,
      providerId: STREAMING_PROVIDER_ID,
      connectionSpec: { id: CHATLIO_CONNECTION_SPEC_ID, version: '1.0' },
      data: { format: 'json' },
    });
    const tc = await call('POST', '/targetConnections', {
      name: `target ${h}`,
      connectionSpec: { id: DATA_LAKE_CONNECTION_SPEC_ID, version: '1.0' },
      data: {
        format: 'json',
        schema: { id: schemaId, version: `${XED_FULL};version=${opts.mappingVersion}` },
      },
      params: { dataSetId },
    });
    assert.equal(sc.status, 201, sc.text);
    assert.equal(tc.status, 201, tc.text);
    return call('POST', '/flows', {
      name: `flow ${h}`,
      flowSpec: { id: GENERIC_STREAMING_FLOW_SPEC_ID, version: '1.0' },
      sourceConnectionIds: [sc.body.id],
      targetConnectionIds: [tc.body.id],
      transformations: [{ name: 'Mapping', params: { mappingId: mappingSetId, mappingVersion: 0 } }],
    });
  }

  const refused = (res: JsonResponse<PlatformErrorBody>) => {
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.type, 'https://ns.adobe.com/aep/errors/FLOW-1425-400');
    assert.match(res.body.errorMessage, /version/);
  };

  it('a schema at 2.0 referred to as version=1 by the mapping set: FLOW-1425', async () => {
    refused(await flowWith({ registryVersion: '2.0', datasetVersion: 1, mappingVersion: 1 }));
  });

  it('a schema at 2.0 referred to as version=2: accepted', async () => {
    const res = await flowWith({ registryVersion: '2.0', datasetVersion: 1, mappingVersion: 2 });
    assert.equal(res.status, 201, res.text);
  });

  it('a schema at 1.2 referred to as version=1 (its major): accepted', async () => {
    const res = await flowWith({ registryVersion: '1.2', datasetVersion: 1, mappingVersion: 1 });
    assert.equal(res.status, 201, res.text);
  });

  it('a schema not in the registry: the dataset’s own reference decides', async () => {
    refused(await flowWith({ datasetVersion: 1, mappingVersion: 2 }));
    const res = await flowWith({ datasetVersion: 2, mappingVersion: 2 });
    assert.equal(res.status, 201, res.text);
  });
});
