import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EXPERIENCE_EVENT_CLASS } from '../../src/shared/aep-constants';
import type { RegistryStatsBody, XdmBody, XdmErrorBody, XdmListBody } from '../support/aep-bodies';
import {
  CATALOG,
  SR,
  XED_FULL,
  XED_ID,
  chatlioFieldGroup,
  createDataset,
  createSchemaChain,
  startPlatform,
  type Platform,
} from './schemaregistry-fixtures';

describe('Schema Registry', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(() => p.close());

  it('GET /stats answers the tenant id and counts', async () => {
    const res = await p.call<RegistryStatsBody>('GET', `${SR}/stats`);
    assert.equal(res.status, 200);
    assert.equal(res.body.tenantId, p.emu.options.tenantId);
    assert.equal(res.body.imsOrg, p.emu.options.orgId);
    assert.equal(typeof res.body.counts.schemas, 'number');
    assert.ok(Array.isArray(res.body.recentlyCreatedResources));
  });

  it('GET /stats answers classUsage as the array schema-registry.yaml declares', async () => {
    const { schemaId } = await createSchemaChain(p, 'Stats');
    const res = await p.call<RegistryStatsBody>('GET', `${SR}/stats`);
    assert.ok(Array.isArray(res.body.classUsage), JSON.stringify(res.body.classUsage));
    const ee = res.body.classUsage.find((c) => c.$id === EXPERIENCE_EVENT_CLASS);
    assert.equal(ee?.title, 'XDM ExperienceEvent');
    assert.equal(ee?.numberOfSchemas, ee?.schemas.length);
    assert.ok(ee?.schemas.some((s) => s.$id === schemaId));
  });

  it('creates, lists, looks up and deletes a field group and a schema', async () => {
    const t = p.tenantId;
    const fg = await p.call<XdmBody>(
      'POST',
      `${SR}/tenant/fieldgroups`,
      chatlioFieldGroup(t, 'FG lifecycle'),
    );
    assert.equal(fg.status, 201, JSON.stringify(fg.body));
    assert.match(fg.body.$id, new RegExp(`^https://ns\\.adobe\\.com/${t}/mixins/[0-9a-f]{48}$`));
    const hash = fg.body.$id.split('/').pop();
    assert.equal(fg.body['meta:altId'], `_${t}.mixins.${hash}`);
    assert.equal(fg.body.version, '1.0');
    assert.equal(fg.body['meta:containerId'], 'tenant');
    assert.equal(fg.body['meta:tenantNamespace'], `_${t}`);
    assert.equal(fg.body.imsOrg, p.emu.options.orgId);
    assert.equal(typeof fg.body['meta:registryMetadata'].eTag, 'string');
    assert.equal(fg.body.id, undefined);

    const schema = await p.call<XdmBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'Schema lifecycle',
      description: 'd',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: fg.body.$id }],
    });
    assert.equal(schema.status, 201, JSON.stringify(schema.body));
    assert.match(schema.body['meta:altId'], new RegExp(`^_${t}\\.schemas\\.[0-9a-f]{48}$`));
    assert.equal(schema.body['meta:class'], EXPERIENCE_EVENT_CLASS);
    assert.deepEqual(schema.body['meta:extends'], [EXPERIENCE_EVENT_CLASS, fg.body.$id]);
    assert.equal(schema.body['meta:resourceType'], 'schemas');

    const list = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/schemas?property=title==Schema%20lifecycle`,
      undefined,
      {
        accept: XED_ID,
      },
    );
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.results, [
      {
        $id: schema.body.$id,
        'meta:altId': schema.body['meta:altId'],
        version: '1.0',
        title: 'Schema lifecycle',
      },
    ]);
    assert.equal(list.body._page.count, 1);
    assert.ok(list.body._links.global_schemas.href.endsWith('/global/schemas'));

    const mixins = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/mixins?property=title==FG%20lifecycle`,
      undefined,
      {
        accept: XED_ID,
      },
    );
    assert.deepEqual(
      mixins.body.results.map((r) => r.$id),
      [fg.body.$id],
    );

    const byAlt = await p.call<XdmBody>(
      'GET',
      `${SR}/tenant/schemas/${schema.body['meta:altId']}`,
      undefined,
      {
        accept: XED_FULL,
      },
    );
    assert.equal(byAlt.status, 200);
    assert.equal(byAlt.body.title, 'Schema lifecycle');
    assert.equal(byAlt.body.properties![`_${t}`]!.properties!.message!.type, 'string');
    assert.deepEqual(byAlt.body.required, ['_id', 'timestamp']);
    const byId = await p.call<XdmBody>(
      'GET',
      `${SR}/tenant/schemas/${encodeURIComponent(schema.body.$id)}`,
      undefined,
      {
        accept: 'application/vnd.adobe.xed+json; version=1',
      },
    );
    assert.equal(byId.status, 200);
    assert.equal(byId.body.$id, schema.body.$id);
    assert.equal(byId.body.properties, undefined);
    const notext = await p.call<XdmBody>(
      'GET',
      `${SR}/tenant/schemas/${schema.body['meta:altId']}`,
      undefined,
      {
        accept: 'application/vnd.adobe.xed-full-notext+json; version=1',
      },
    );
    assert.equal(notext.body.properties![`_${t}`]!.properties!.message!.title, undefined);

    // Compensation order matters: the field group is in use until the schema is gone.
    const early = await p.call<XdmErrorBody>('DELETE', `${SR}/tenant/fieldgroups/${fg.body['meta:altId']}`);
    assert.equal(early.status, 400);
    assert.equal(early.body.type, 'http://ns.adobe.com/aep/errors/XDM-1033-400');
    assert.match(early.body.detail, new RegExp(schema.body.$id));

    const del = await p.call('DELETE', `${SR}/tenant/schemas/${encodeURIComponent(schema.body.$id)}`);
    assert.equal(del.status, 204);
    assert.equal(del.body, undefined);
    const gone = await p.call<XdmErrorBody>(
      'GET',
      `${SR}/tenant/schemas/${schema.body['meta:altId']}`,
      undefined,
      {
        accept: XED_FULL,
      },
    );
    assert.equal(gone.status, 404);
    assert.equal(gone.body.type, 'http://ns.adobe.com/aep/errors/XDM-1012-404');
    assert.equal(gone.body.status, 404);
    assert.equal(typeof gone.body.detail, 'string');
    assert.equal(typeof gone.body.report.registryRequestId, 'string');
    assert.match(gone.body.report.timestamp, /^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(gone.body.report['sub-errors'], []);
    assert.equal(gone.body.errorMessage, undefined);

    assert.equal((await p.call('DELETE', `${SR}/tenant/mixins/${fg.body['meta:altId']}`)).status, 204);
    const fgGone = await p.call<XdmErrorBody>('DELETE', `${SR}/tenant/fieldgroups/${fg.body['meta:altId']}`);
    assert.equal(fgGone.status, 404);
    assert.equal(fgGone.body.type, 'http://ns.adobe.com/aep/errors/XDM-1011-404');
  });

  it('enforces the Accept rules', async () => {
    const noAccept = await p.call<XdmErrorBody>('GET', `${SR}/tenant/schemas`);
    assert.equal(noAccept.status, 400);
    assert.equal(noAccept.body.type, 'http://ns.adobe.com/aep/errors/XDM-1006-400');
    const wrong = await p.call<XdmErrorBody>('GET', `${SR}/tenant/schemas`, undefined, {
      accept: 'application/json',
    });
    assert.equal(wrong.body.type, 'http://ns.adobe.com/aep/errors/XDM-1006-400');
    const fg = await p.call<XdmBody>(
      'POST',
      `${SR}/tenant/fieldgroups`,
      chatlioFieldGroup(p.tenantId, 'FG accept'),
    );
    const path = `${SR}/tenant/fieldgroups/${fg.body['meta:altId']}`;
    const noVersion = await p.call<XdmErrorBody>('GET', path, undefined, {
      accept: 'application/vnd.adobe.xed-full+json',
    });
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.body.type, 'http://ns.adobe.com/aep/errors/XDM-1007-400');
    const missing = await p.call<XdmErrorBody>('GET', path, undefined, { accept: '' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.type, 'http://ns.adobe.com/aep/errors/XDM-1006-400');
    const v2 = await p.call('GET', path, undefined, {
      accept: 'application/vnd.adobe.xed-full+json; version=2',
    });
    assert.equal(v2.status, 404);
    assert.equal((await p.call('GET', path, undefined, { accept: XED_FULL })).status, 200);
  });

  it('refuses duplicate titles across schemas and field groups', async () => {
    const first = await p.call(
      'POST',
      `${SR}/tenant/fieldgroups`,
      chatlioFieldGroup(p.tenantId, 'Shared title'),
    );
    assert.equal(first.status, 201);
    const dupFg = await p.call<XdmErrorBody>(
      'POST',
      `${SR}/tenant/fieldgroups`,
      chatlioFieldGroup(p.tenantId, 'Shared title'),
    );
    assert.equal(dupFg.status, 400);
    assert.equal(dupFg.body.type, 'http://ns.adobe.com/aep/errors/XDM-1521-400');
    assert.equal(dupFg.body.title, 'Title not unique');
    assert.match(dupFg.body.detail, new RegExp(`already exists with the same title`));
    const dupSchema = await p.call<XdmErrorBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'Shared title',
      description: 'test schema',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
    });
    assert.equal(dupSchema.status, 400);
    assert.equal(dupSchema.body.type, 'http://ns.adobe.com/aep/errors/XDM-1521-400');
  });

  it('keeps custom fields inside the tenant namespace', async () => {
    const body = chatlioFieldGroup('someoneelse', 'Wrong namespace');
    const res = await p.call<XdmErrorBody>('POST', `${SR}/tenant/fieldgroups`, body);
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'http://ns.adobe.com/aep/errors/XDM-1021-400');
    assert.match(res.body.detail, /_someoneelse/);
  });

  it('requires what schema-registry.yaml requires, and no more', async () => {
    const { 'meta:intendedToExtend': _extend, ...noExtend } = chatlioFieldGroup(
      p.tenantId,
      'No intendedToExtend',
    );
    const fgNoExtend = await p.call<XdmErrorBody>('POST', `${SR}/tenant/fieldgroups`, noExtend);
    assert.equal(fgNoExtend.status, 400, JSON.stringify(fgNoExtend.body));
    assert.match(fgNoExtend.body.detail, /meta:intendedToExtend/);
    const { type: _type, ...noType } = chatlioFieldGroup(p.tenantId, 'No type');
    assert.equal((await p.call('POST', `${SR}/tenant/fieldgroups`, noType)).status, 400);
    // createFieldGroup does not require definitions: a field group may start empty.
    const empty = await p.call<XdmBody>('POST', `${SR}/tenant/fieldgroups`, {
      type: 'object',
      title: 'No definitions yet',
      'meta:intendedToExtend': [EXPERIENCE_EVENT_CLASS],
    });
    assert.equal(empty.status, 201, JSON.stringify(empty.body));
    const noDescription = await p.call<XdmErrorBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'No description',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
    });
    assert.equal(noDescription.status, 400, JSON.stringify(noDescription.body));
    assert.match(noDescription.body.detail, /description/);
  });

  it('validates schema composition', async () => {
    const noClass = await p.call<XdmErrorBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'No class',
      description: 'test schema',
      allOf: [],
    });
    assert.equal(noClass.status, 400);
    assert.match(noClass.body.detail, /exactly one class/);
    const ghost = await p.call<XdmErrorBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'Ghost field group',
      description: 'test schema',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }, { $ref: `https://ns.adobe.com/${p.tenantId}/mixins/0000` }],
    });
    assert.equal(ghost.status, 400);
    assert.match(ghost.body.detail, /does not exist/);
  });

  it('refuses to delete a schema still used by a dataset', async () => {
    const schema = await p.call<XdmBody>('POST', `${SR}/tenant/schemas`, {
      type: 'object',
      title: 'Schema with dataset',
      description: 'test schema',
      allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
    });
    const dataSetId = await createDataset(p, schema.body.$id, 'uses schema');
    const refused = await p.call<XdmErrorBody>('DELETE', `${SR}/tenant/schemas/${schema.body['meta:altId']}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.detail, new RegExp(dataSetId));
    assert.equal((await p.call('DELETE', `${CATALOG}/dataSets/${dataSetId}`)).status, 200);
    assert.equal((await p.call('DELETE', `${SR}/tenant/schemas/${schema.body['meta:altId']}`)).status, 204);
  });

  it('lists with operators, orderby and paging', async () => {
    for (const title of ['Page A', 'Page B', 'Page C'])
      await p.call('POST', `${SR}/tenant/schemas`, {
        type: 'object',
        title,
        description: 'test schema',
        allOf: [{ $ref: EXPERIENCE_EVENT_CLASS }],
      });
    const first = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/schemas?orderby=title&limit=2&property=title~%5EPage`,
      undefined,
      {
        accept: XED_ID,
      },
    );
    assert.deepEqual(
      first.body.results.map((r) => r.title),
      ['Page A', 'Page B'],
    );
    assert.equal(first.body._page.next, 'Page B');
    const nextHref = new URL(first.body._links.next!.href);
    const second = await p.call<XdmListBody>('GET', `${nextHref.pathname}${nextHref.search}`, undefined, {
      accept: XED_ID,
    });
    assert.deepEqual(
      second.body.results.map((r) => r.title),
      ['Page C'],
    );
    assert.equal(second.body._page.next, null);
    const notB = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/schemas?property=title!=Page%20B&property=title~Page`,
      undefined,
      {
        accept: XED_ID,
      },
    );
    assert.deepEqual(notB.body.results.map((r) => r.title).sort(), ['Page A', 'Page C']);
    const full = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/schemas?property=title==Page%20A`,
      undefined,
      {
        accept: 'application/vnd.adobe.xed+json',
      },
    );
    assert.equal(full.body.results[0]!['meta:class'], EXPERIENCE_EVENT_CLASS);
  });

  it('PATCH and PUT bump the minor version', async () => {
    const fg = await p.call<XdmBody>(
      'POST',
      `${SR}/tenant/fieldgroups`,
      chatlioFieldGroup(p.tenantId, 'Versioned'),
    );
    const path = `${SR}/tenant/fieldgroups/${fg.body['meta:altId']}`;
    const patched = await p.call<XdmBody>('PATCH', path, [
      { op: 'replace', path: '/description', value: 'new' },
    ]);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.version, '1.1');
    assert.equal(patched.body.description, 'new');
    const put = await p.call<XdmBody>('PUT', path, {
      ...chatlioFieldGroup(p.tenantId, 'Versioned'),
      description: 'put',
    });
    assert.equal(put.body.version, '1.2');
    assert.equal(put.body.$id, fg.body.$id);
  });

  it('isolates tenants by sandbox', async () => {
    await p.call('POST', `${SR}/tenant/fieldgroups`, chatlioFieldGroup(p.tenantId, 'Prod only'));
    const dev = await p.call<XdmListBody>(
      'GET',
      `${SR}/tenant/fieldgroups?property=title==Prod%20only`,
      undefined,
      {
        accept: XED_ID,
        'x-sandbox-name': 'dev',
      },
    );
    assert.equal(dev.status, 200);
    assert.deepEqual(dev.body.results, []);
  });
});
