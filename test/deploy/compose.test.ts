// Static checks of the deployment files (no Docker engine needed): docker-compose.yml is parsed and checked
// against what the Temporal images, the worker's own config loaders and the Dockerfile expect; the Dockerfile against
// package.json, tsconfig.build.json and the import graph of the sources. When the `docker compose` CLI exists, it
// validates the file as well.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { parse } from 'yaml';
import { WORKER_IMAGE_ENV } from '../support/infra';
import { DEFAULT_BUNDLE_PATH } from '../../scripts/bundle-workflows';
import { AepConfigError, loadAepConfig } from '../../src/aep';
import { EMULATOR_DEFAULTS } from '../../src/shared/aep-constants';
import { DEFAULT_TASK_QUEUE } from '../../src/shared/naming';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { codecFromEnv } from '../../src/temporal/codec';
import { loadObservabilityConfig } from '../../src/temporal/observability';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

// ---------- docker-compose.yml ----------

interface Dependency {
  condition: string;
  required?: boolean;
}
interface Service {
  image?: string;
  build?: { context: string; target?: string };
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, Dependency>;
  healthcheck?: { test: string[] | string };
  restart?: string;
  profiles?: string[];
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_TEXT = read('docker-compose.yml');
// Compose applies YAML merge keys (`<<: *anchor`); duplicate keys are errors.
const compose = parse(COMPOSE_TEXT, { merge: true }) as Compose;
const services = compose.services;

function service(name: string): Service {
  const s = services[name];
  assert.ok(s, `service ${name} is defined`);
  return s;
}

type Env = Record<string, string | undefined>;

/** Compose interpolation: `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `$$` -> `$`. */
function interpolate(value: string, env: Env = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (m, name, op, dflt) => {
    if (m === '$$') return '$';
    const v = env[name as string];
    if (op === ':-') return v ? v : (dflt as string);
    if (op === '-') return v ?? (dflt as string);
    return v ?? '';
  });
}

/** Every `${VAR...}` of every string in the file (not in comments, not `$${...}`), with its default if any. */
function interpolations(): Array<{ name: string; dflt: string | undefined; where: string }> {
  const found: Array<{ name: string; dflt: string | undefined; where: string }> = [];
  const walk = (v: unknown, where: string): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g)) {
        found.push({ name: m[1]!, dflt: m[2], where });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
  };
  walk(compose, 'compose');
  return found;
}

function parseEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read(file).split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** The environment a service's container gets: interpolated values, pass-through (null) keys only when set. */
function containerEnv(name: string, env: Env = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(service(name).environment ?? {})) {
    if (v === null) {
      if (env[k] !== undefined) out[k] = env[k];
    } else out[k] = interpolate(String(v), env);
  }
  return out;
}

function containerPort(mapping: string): number {
  const parts = interpolate(mapping).split(':');
  return Number(parts[parts.length - 1]);
}

const LOCAL_ENV = parseEnvFile('deploy/local.env');
const LONG_RUNNING = ['postgresql', 'temporal', 'temporal-ui', 'worker', 'aep-emulator'];
const JOBS = ['temporal-admin-tools', 'temporal-create-namespace', 'temporal-search-attributes'];

// ---------- Dockerfile ----------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

const DOCKERFILE = read('Dockerfile');

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const ins = { op: op.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (ins.op === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM ${ins.args}`);
      stages.push({ from: m[1]!, name: m[2] ?? String(stages.length), steps: [] });
    } else if (stages.length === 0) {
      const m = /^ARG (\w+)=(\S+)$/.exec(line);
      if (m) args[m[1]!] = m[2]!;
    } else stages[stages.length - 1]!.steps.push(ins);
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(DOCKERFILE);

function stage(name: string): Stage {
  const s = dockerfile.stages.find((x) => x.name === name);
  assert.ok(s, `Dockerfile stage ${name}`);
  return s;
}

function steps(s: Stage, op: string): string[] {
  return s.steps.filter((x) => x.op === op).map((x) => x.args);
}

/** The stage's exec-form CMD / HEALTHCHECK CMD as an argv. */
function execForm(s: Stage, op: 'CMD' | 'HEALTHCHECK'): string[] {
  const [last] = steps(s, op).slice(-1);
  assert.ok(last, `${s.name} has a ${op}`);
  const json = op === 'CMD' ? last : last.slice(last.indexOf('CMD ') + 4);
  const argv = JSON.parse(json) as unknown;
  assert.ok(Array.isArray(argv), `${s.name} ${op} uses the exec form`);
  return argv as string[];
}

/** Files a stage COPYs from the build context (not `--from`). */
function contextCopies(s: Stage): string[] {
  return steps(s, 'COPY')
    .filter((a) => !a.includes('--from='))
    .flatMap((a) => a.replace(/--\S+/g, '').trim().split(' ').slice(0, -1));
}

/** A stage's ENV settings (`ENV A=b C="d e"`), later ones winning. */
function stageEnv(s: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of steps(s, 'ENV')) {
    for (const m of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Maps a dist/ path of the build back to its source, the way `npm run build` (tsconfig.build.json) compiles. */
function sourceOf(distFile: string): string {
  const build = JSON.parse(read('tsconfig.build.json')) as {
    compilerOptions: { rootDir: string; outDir: string };
  };
  const { rootDir, outDir } = build.compilerOptions;
  assert.ok(distFile.startsWith(`${outDir}/`), `${distFile} is under ${outDir}/`);
  return path.join(rootDir, distFile.slice(outDir.length + 1)).replace(/\.js$/, '.ts');
}

/** Runtime imports reachable from the roots: relative ones followed, bare ones returned (type-only ones skipped). */
function importGraph(roots: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const resolve = (from: string, spec: string): string => {
    const base = path.resolve(path.dirname(from), spec);
    const hit = [base, `${base}.ts`, path.join(base, 'index.ts')].find(
      (p) => existsSync(p) && statSync(p).isFile(),
    );
    assert.ok(hit, `${spec} imported by ${path.relative(ROOT, from)} resolves`);
    return hit;
  };
  const queue = roots.map((r) => path.join(ROOT, r));
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/require\('([^']+)'\)/g),
    ].map((m) => m[1]!);
    for (const spec of specs) {
      if (spec.startsWith('.')) queue.push(resolve(file, spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { files, packages };
}

function assertRuntimeDepsOnly(roots: string[], forbiddenDirs: string[]): void {
  const { files, packages } = importGraph(roots);
  for (const f of files) {
    for (const dir of forbiddenDirs) {
      assert.ok(
        !f.startsWith(path.join(ROOT, dir) + path.sep),
        `${path.relative(ROOT, f)} is not under ${dir}/`,
      );
    }
  }
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const p of packages) {
    if (builtins.has(p)) continue;
    assert.ok(pkg.dependencies[p], `${p} (imported at run time) is a dependency, not a devDependency`);
  }
}

/** .dockerignore semantics for plain patterns: last match wins, `!` re-includes, a directory covers its contents. */
function dockerignored(file: string): boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let ignored = false;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/^\/|\/$/g, '');
    // `**/` is any number of directories (none included), `*` and `?` stay within one path segment.
    const body = pattern
      .split('**/')
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]'),
      )
      .join('(?:.*/)?');
    const re = new RegExp(`^${body}(?:/.*)?$`);
    if (re.test(file)) ignored = !negate;
  }
  return ignored;
}

// ---------- the tests ----------

void describe('docker-compose.yml', () => {
  void it('defines the cluster, the worker and the emulator; the emulator only in the local profile', () => {
    assert.deepEqual(Object.keys(services).sort(), [...LONG_RUNNING, ...JOBS].sort());
    for (const [name, s] of Object.entries(services)) {
      if (name === 'aep-emulator') assert.deepEqual(s.profiles, ['local']);
      else assert.equal(s.profiles, undefined, `${name} runs without a profile`);
    }
  });

  void it('uses current official images with pinned, overridable tags (no auto-setup)', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.doesNotMatch(
        s.image ?? '',
        /auto-setup/,
        `${name} does not use the deprecated temporalio/auto-setup`,
      );
    }
    const expected: Record<string, string> = {
      postgresql: 'postgres:${POSTGRES_VERSION:-',
      'temporal-admin-tools': 'temporalio/admin-tools:${TEMPORAL_VERSION:-',
      temporal: 'temporalio/server:${TEMPORAL_VERSION:-',
      'temporal-create-namespace': 'temporalio/admin-tools:${TEMPORAL_VERSION:-',
      'temporal-search-attributes': 'temporalio/admin-tools:${TEMPORAL_VERSION:-',
      'temporal-ui': 'temporalio/ui:${TEMPORAL_UI_VERSION:-',
    };
    for (const [name, prefix] of Object.entries(expected)) {
      const image = service(name).image ?? '';
      assert.ok(image.startsWith(prefix), `${name}: ${image}`);
      const tag = interpolate(image).split(':').pop()!;
      assert.match(tag, /^\d+(\.\d+)*$/, `${name} pins a version by default, got ${tag}`);
    }
    // One server version for the server and the tools that create its schema.
    assert.equal(
      interpolate(service('temporal').image!).split(':')[1],
      interpolate(service('temporal-admin-tools').image!).split(':')[1],
    );
    assert.equal(
      interpolate(service('temporal').image!, { TEMPORAL_VERSION: '9.9.9' }),
      'temporalio/server:9.9.9',
      'TEMPORAL_VERSION overrides the tag',
    );
  });

  void it('gives each variable one default everywhere', () => {
    const defaults = new Map<string, string | undefined>();
    for (const { name, dflt, where } of interpolations()) {
      if (!defaults.has(name)) defaults.set(name, dflt);
      else assert.equal(dflt, defaults.get(name), `default of ${name} at ${where}`);
    }
    assert.ok(defaults.size > 10);
  });

  void it('orders start-up with depends_on conditions that fit what each dependency is', () => {
    const hasHealthcheck = (name: string): boolean => {
      const s = service(name);
      if (s.healthcheck) return true;
      return s.build ? steps(stage(s.build.target!), 'HEALTHCHECK').length > 0 : false;
    };
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on the defined service ${dep}`);
        if (condition === 'service_healthy')
          assert.ok(hasHealthcheck(dep), `${dep} has a health check (${name} waits for it)`);
        else if (condition === 'service_completed_successfully')
          assert.ok(JOBS.includes(dep), `${dep} is a one-shot job`);
        else assert.fail(`${name} -> ${dep}: unexpected condition ${condition}`);
      }
    }
    const conditions = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(service(name).depends_on ?? {}).map(([d, v]) => [d, v.condition]));
    assert.deepEqual(conditions('temporal-admin-tools'), { postgresql: 'service_healthy' });
    assert.deepEqual(conditions('temporal'), { 'temporal-admin-tools': 'service_completed_successfully' });
    assert.deepEqual(conditions('temporal-create-namespace'), { temporal: 'service_healthy' });
    assert.deepEqual(conditions('temporal-search-attributes'), {
      'temporal-create-namespace': 'service_completed_successfully',
    });
    assert.deepEqual(conditions('temporal-ui'), { temporal: 'service_healthy' });
    assert.deepEqual(conditions('worker'), {
      temporal: 'service_healthy',
      'temporal-search-attributes': 'service_completed_successfully',
      'aep-emulator': 'service_healthy',
    });
    // The emulator is in a profile: without it the worker must still start.
    assert.equal(service('worker').depends_on?.['aep-emulator']?.required, false);
    // No cycles: every service can be started.
    const started = new Set<string>();
    while (started.size < Object.keys(services).length) {
      const next = Object.keys(services).filter(
        (n) => !started.has(n) && Object.keys(services[n]!.depends_on ?? {}).every((d) => started.has(d)),
      );
      assert.ok(next.length > 0, 'depends_on has no cycle');
      next.forEach((n) => started.add(n));
    }
  });

  void it('has health checks and restart policies: long-running services restart, jobs retry a few times', () => {
    for (const name of LONG_RUNNING) assert.equal(service(name).restart, 'unless-stopped', name);
    for (const name of JOBS) assert.match(service(name).restart ?? '', /^on-failure:\d+$/, name);
    assert.match(JSON.stringify(service('postgresql').healthcheck?.test), /pg_isready -h 127\.0\.0\.1/);
    // `$$` reaches the container as `$`: the check reads the container's own POSTGRES_USER.
    assert.match(interpolate(String(service('postgresql').healthcheck?.test)), /-U "\$\{POSTGRES_USER\}"/);
    const temporalCheck = service('temporal').healthcheck?.test as string[];
    assert.equal(temporalCheck[0], 'CMD');
    assert.ok(temporalCheck.includes('http://127.0.0.1:7243/api/v1/cluster-info'), temporalCheck.join(' '));
    assert.ok(
      (service('temporal-ui').healthcheck?.test as string[]).includes('http://127.0.0.1:8080/healthz'),
    );
    for (const name of ['worker', 'aep-emulator']) {
      const target = service(name).build?.target;
      assert.ok(
        target && steps(stage(target), 'HEALTHCHECK').length === 1,
        `${name}'s image has a HEALTHCHECK`,
      );
    }
  });

  void it('publishes Temporal 7233, the UI 8080, worker metrics 9464 and the emulator 8090 on loopback only, and nothing else', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, s]) => s.ports?.length)
        .map(([n, s]) => [n, s.ports!.map((p) => interpolate(p))]),
    );
    assert.deepEqual(published, {
      temporal: ['127.0.0.1:7233:7233'],
      'temporal-ui': ['127.0.0.1:8080:8080'],
      worker: ['127.0.0.1:9464:9464'],
      'aep-emulator': ['127.0.0.1:8090:8090'],
    });
    assert.equal(interpolate(service('temporal').ports![0]!, { PUBLISH_IP: '0.0.0.0' }), '0.0.0.0:7233:7233');
  });

  void it('configures the Temporal server for the PostgreSQL service and ships its dynamic config', () => {
    const env = containerEnv('temporal');
    assert.equal(env.DB, 'postgres12');
    assert.equal(env.DB_PORT, '5432');
    assert.ok(services[env.POSTGRES_SEEDS!], 'POSTGRES_SEEDS names the database service');
    const pg = containerEnv('postgresql');
    assert.equal(env.POSTGRES_USER, pg.POSTGRES_USER);
    assert.equal(env.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
    assert.equal(
      containerEnv('temporal', { POSTGRES_PASSWORD: 's3cret' }).POSTGRES_PWD,
      containerEnv('postgresql', { POSTGRES_PASSWORD: 's3cret' }).POSTGRES_PASSWORD,
    );
    assert.equal(env.BIND_ON_IP, '0.0.0.0');
    assert.ok(
      service('postgresql').volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data')),
      'data volume',
    );

    const [mount] = (service('temporal').volumes ?? []).filter((v) => v.includes('dynamicconfig'));
    const [hostDir, containerDir] = mount!.split(':') as [string, string];
    const dynamicConfig = (env2: Env): Record<string, unknown> => {
      const file = containerEnv('temporal', env2).DYNAMIC_CONFIG_FILE_PATH!;
      assert.ok(file.startsWith(`${containerDir}/`), `${file} is in the mounted ${containerDir}`);
      const local = path.join(ROOT, hostDir, file.slice(containerDir.length + 1));
      assert.ok(existsSync(local), `${local} exists`);
      return parse(readFileSync(local, 'utf8')) as Record<string, unknown>;
    };
    const production = dynamicConfig({});
    assert.deepEqual(production['limit.maxIDLength'], [{ value: 255, constraints: {} }]);
    assert.equal(production['system.forceSearchAttributesCacheRefreshOnRead'], undefined, 'dev-only setting');
    const development = dynamicConfig(LOCAL_ENV);
    assert.deepEqual(development['system.forceSearchAttributesCacheRefreshOnRead'], [
      { value: true, constraints: {} },
    ]);
  });

  void it('runs the setup jobs from scripts shipped in deploy/temporal', () => {
    const script = (name: string): { text: string; args: string[] } => {
      const s = service(name);
      const [shell, file, ...args] = s.entrypoint ?? [];
      assert.equal(shell, '/bin/sh');
      const mount = (s.volumes ?? [])
        .map((v) => v.split(':'))
        .find(([, target]) => file!.startsWith(`${target}/`));
      assert.ok(mount, `${file} is mounted into ${name}`);
      assert.equal(mount[2], 'ro');
      const local = path.join(ROOT, mount[0]!, file!.slice(mount[1]!.length + 1));
      return { text: readFileSync(local, 'utf8'), args };
    };
    const schema = script('temporal-admin-tools');
    assert.match(schema.text, /temporal-sql-tool --plugin postgres12/);
    for (const word of [
      'create',
      'setup-schema -v 0.0',
      'update-schema -d "\\$SCHEMA_DIR/\\$schema/versioned"',
    ]) {
      assert.match(schema.text, new RegExp(`sql --db "\\$db" ${word}`));
    }
    assert.match(schema.text, /temporal_visibility/);
    // The password reaches temporal-sql-tool through its SQL_PASSWORD variable, never on a command line.
    assert.equal(
      containerEnv('temporal-admin-tools').SQL_PASSWORD,
      containerEnv('postgresql').POSTGRES_PASSWORD,
    );
    assert.doesNotMatch(schema.text, /--pw|--password/);

    for (const [name, command] of [
      ['temporal-create-namespace', 'namespace'],
      ['temporal-search-attributes', 'search-attributes'],
    ] as const) {
      const { text, args } = script(name);
      assert.deepEqual(args, [command]);
      assert.match(text, new RegExp(`^\\s*${command}\\)$`, 'm'), `the script handles "${command}"`);
      const env = containerEnv(name);
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(env.TEMPORAL_NAMESPACE, containerEnv('worker').TEMPORAL_NAMESPACE, 'the worker namespace');
    }
  });

  void it('creates exactly the search attributes the workflow sets, with their types', () => {
    const pairs = containerEnv('temporal-search-attributes').SEARCH_ATTRIBUTES!.split(/\s+/);
    assert.deepEqual(
      pairs.map((p) => p.split('=')).map(([n, t]) => [n, t!.toUpperCase()]),
      ONBOARDING_SEARCH_ATTRIBUTES.map((k) => [k.name, k.type]),
    );
  });

  void it('connects the worker to the compose cluster by default, and its env feeds the real config loaders', () => {
    const env = containerEnv('worker');
    const temporal = loadClientConnectConfig({ disableFile: true, overrideEnvVars: env });
    assert.equal(temporal.connectionOptions.address, 'temporal:7233');
    assert.equal(containerPort(service('temporal').ports![0]!), 7233);
    assert.equal(temporal.namespace, 'default');
    assert.equal(env.TEMPORAL_TASK_QUEUE, DEFAULT_TASK_QUEUE);
    // Unset TLS / API key settings are not passed as empty strings.
    for (const k of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_PROFILE', 'AEP_SCOPES'])
      assert.ok(!(k in env), k);
    assert.equal(containerEnv('worker', { TEMPORAL_API_KEY: 'k' }).TEMPORAL_API_KEY, 'k');
    // Without credentials the worker stops at once and names what is missing.
    assert.throws(
      () => loadAepConfig(env),
      (err: unknown) => {
        assert.ok(err instanceof AepConfigError);
        assert.match(err.message, /missing AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID/);
        return true;
      },
    );
    const real = loadAepConfig(
      containerEnv('worker', {
        AEP_CLIENT_ID: 'id',
        AEP_CLIENT_SECRET: 'secret',
        AEP_ORG_ID: 'ORG@AdobeOrg',
      }),
    );
    assert.equal(real.platformUrl, 'https://platform.adobe.io');
    assert.equal(real.imsUrl, 'https://ims-na1.adobelogin.com');
    assert.equal(real.sandbox, 'prod');
    // Temporal Cloud: address and namespace come from the environment.
    const cloud = loadClientConnectConfig({
      disableFile: true,
      overrideEnvVars: containerEnv('worker', {
        TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'ns.acct',
        TEMPORAL_API_KEY: 'key',
      }),
    });
    assert.equal(cloud.connectionOptions.address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(cloud.namespace, 'ns.acct');
    assert.ok(cloud.connectionOptions.tls, 'an API key turns TLS on');
  });

  void it('lets the worker turn on payload encryption, serve metrics and set its logs', () => {
    const env = containerEnv('worker', {
      PAYLOAD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      PAYLOAD_ENCRYPTION_KEY_ID: 'k2',
      PAYLOAD_ENCRYPTION_PREVIOUS_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'text',
    });
    // The worker's own loaders read what compose hands over.
    const codec = codecFromEnv(env);
    assert.ok(codec, 'payload encryption is on');
    assert.equal(env.PAYLOAD_ENCRYPTION_KEY_ID, 'k2');
    assert.ok(env.PAYLOAD_ENCRYPTION_PREVIOUS_KEYS?.startsWith('k1:'));
    const obs = loadObservabilityConfig(env);
    assert.deepEqual(obs, { metricsBind: '0.0.0.0:9464', logLevel: 'DEBUG', logFormat: 'text' });
    // Reachable from outside the container: bound to every interface, on the port that is exposed and published.
    const port = Number(obs.metricsBind.split(':')[1]);
    assert.ok(service('worker').expose?.includes(String(port)));
    assert.equal(containerPort(service('worker').ports![0]!), port);
    // Unset, nothing is passed: encryption stays off, the loaders' defaults apply.
    const bare = containerEnv('worker');
    for (const k of ['PAYLOAD_ENCRYPTION_KEY', 'PAYLOAD_ENCRYPTION_KEY_ID', 'LOG_LEVEL', 'LOG_FORMAT'])
      assert.ok(!(k in bare), k);
    assert.equal(codecFromEnv(bare), undefined);
    assert.equal(containerEnv('worker', { WORKER_METRICS_BIND: 'off' }).WORKER_METRICS_BIND, 'off');
  });

  void it('passes the worker every variable its code reads from process.env', () => {
    const passed = new Set(Object.keys(service('worker').environment ?? {}));
    // Set by the image, or read by the CLI/npm start only.
    const notCompose = new Set(['WORKFLOW_BUNDLE_PATH']);
    for (const file of ['src/worker.ts', 'src/temporal/observability.ts', 'src/temporal/codec.ts']) {
      for (const m of read(file).matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) {
        if (!notCompose.has(m[1]!)) assert.ok(passed.has(m[1]!), `${file} reads ${m[1]}, compose passes it`);
      }
    }
    assert.ok(passed.has('AEP_ALLOW_INSECURE_HTTP'));
  });

  void it('points the worker at the emulator with deploy/local.env, with the emulator credentials', () => {
    const aep = loadAepConfig(containerEnv('worker', LOCAL_ENV));
    const command = service('aep-emulator').command!;
    const flag = (f: string): string | undefined => command[command.indexOf(f) + 1];
    const origin = `http://aep-emulator:${flag('--port')}`;
    assert.equal(aep.platformUrl, origin);
    assert.equal(aep.imsUrl, origin);
    // The emulator is not on the worker's loopback: plain HTTP to it needs the opt-out, set here and passed through.
    assert.equal(LOCAL_ENV.AEP_ALLOW_INSECURE_HTTP, 'true');
    assert.throws(() => loadAepConfig(containerEnv('worker', { ...LOCAL_ENV, AEP_ALLOW_INSECURE_HTTP: '' })));
    assert.equal(flag('--host'), '0.0.0.0', 'reachable from the worker container');
    assert.equal(containerPort(service('aep-emulator').ports![0]!), Number(flag('--port')));
    assert.deepEqual(
      { clientId: aep.clientId, clientSecret: aep.clientSecret, orgId: aep.orgId },
      {
        clientId: EMULATOR_DEFAULTS.clientId,
        clientSecret: EMULATOR_DEFAULTS.clientSecret,
        orgId: EMULATOR_DEFAULTS.orgId,
      },
    );
    assert.ok((EMULATOR_DEFAULTS.sandboxes as readonly string[]).includes(aep.sandbox));
    // Webhook URLs are for the host, where the port is published.
    assert.equal(interpolate(flag('--public-origin')!), 'http://localhost:8090');
    const dataFile = flag('--data-file')!;
    assert.ok(
      service('aep-emulator').volumes?.some((v) => dataFile.startsWith(`${v.split(':')[1]}/`)),
      'persisted',
    );
  });

  void it('documents every setting in deploy/compose.env.example with the same default', () => {
    const example = read('deploy/compose.env.example');
    const documented = (name: string, value?: string): boolean =>
      example
        .split('\n')
        .some((l) =>
          value === undefined
            ? l.replace(/^#\s*/, '').startsWith(`${name}=`)
            : l.replace(/^#\s*/, '') === `${name}=${value}`,
        );
    for (const { name, dflt } of interpolations()) {
      assert.ok(documented(name, dflt ?? ''), `${name}=${dflt ?? ''} is in the example`);
    }
    for (const [name, value] of Object.entries(service('worker').environment ?? {})) {
      if (value === null) assert.ok(documented(name), `pass-through ${name} is in the example`);
    }
  });

  void it('is valid for `docker compose config` when the CLI is installed', (t) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      t.skip('docker compose is not installed');
      return;
    }
    for (const extra of [[], ['--env-file', 'deploy/local.env', '--profile', 'local']]) {
      const res = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', ...extra, 'config', '-q'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(res.status, 0, `docker compose ${extra.join(' ')} config: ${res.stderr}`);
    }
  });
});

void describe('Dockerfile', () => {
  void it('builds on Debian node 20 (the Temporal core bridge has no musl build) in named stages', () => {
    assert.equal(dockerfile.args.NODE_IMAGE, 'node:20-bookworm-slim');
    assert.deepEqual(
      dockerfile.stages.map((s) => [s.name, s.from]),
      [
        ['base', '${NODE_IMAGE}'],
        ['build', 'base'],
        ['prod-deps', 'base'],
        ['emulator', 'base'],
        ['worker', 'base'],
      ],
    );
    // `docker build .` without --target gives the last stage: the worker.
    assert.equal(dockerfile.stages[dockerfile.stages.length - 1]!.name, 'worker');
    for (const name of ['worker', 'aep-emulator']) {
      const build = service(name).build!;
      assert.equal(build.context, '.');
      stage(build.target!);
    }
  });

  void it('installs from the lockfile and builds with the package.json build script', () => {
    const build = stage('build');
    const runs = steps(build, 'RUN');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    assert.ok(
      ci >= 0 && !/--omit=dev/.test(runs[ci]!),
      'the build stage installs devDependencies (typescript)',
    );
    const copiedBeforeCi = build.steps.slice(
      0,
      build.steps.findIndex((s) => s.op === 'RUN' && /\bnpm ci\b/.test(s.args)),
    );
    assert.ok(
      copiedBeforeCi.some((s) => s.op === 'COPY' && s.args.includes('package-lock.json')),
      'package-lock.json is there for npm ci',
    );
    assert.ok(
      runs.some((r) => r.startsWith('npm run build')),
      'npm run build',
    );
    assert.match(pkg.scripts.build!, /^tsc -p tsconfig\.build\.json$/);
    // What the build compiles is in the image before it runs.
    const copied = contextCopies(build);
    for (const f of ['tsconfig.json', 'tsconfig.build.json', 'src'])
      assert.ok(copied.includes(f), `COPY ${f}`);
    const tsbuild = JSON.parse(read('tsconfig.build.json')) as { extends: string; include: string[] };
    assert.equal(path.normalize(tsbuild.extends), 'tsconfig.json');
    assert.deepEqual(tsbuild.include, ['src/**/*.ts']);

    const prod = stage('prod-deps');
    assert.ok(contextCopies(prod).includes('package-lock.json'));
    assert.ok(
      steps(prod, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
      'runtime dependencies only',
    );
  });

  void it('runs dist/worker.js, compiled from src/worker.ts, as the non-root node user', () => {
    const worker = stage('worker');
    const cmd = execForm(worker, 'CMD');
    assert.deepEqual(cmd, ['node', 'dist/worker.js']);
    assert.ok(existsSync(path.join(ROOT, sourceOf(cmd[1]!))), `${sourceOf(cmd[1]!)} exists`);
    assert.deepEqual(steps(worker, 'USER'), ['node']);
    // The worker loads its workflows with require.resolve('../workflows') from dist/temporal/: dist/workflows/.
    assert.match(read('src/temporal/worker-factory.ts'), /require\.resolve\('\.\.\/workflows'\)/);
    assert.ok(existsSync(path.join(ROOT, 'src/workflows/index.ts')));
    assert.ok(steps(worker, 'COPY').some((c) => c.startsWith('--from=prod-deps /app/node_modules ')));
    assert.ok(steps(worker, 'COPY').some((c) => /^--from=build \/out\/worker \.\/dist$/.test(c)));

    const emulator = stage('emulator');
    const ecmd = execForm(emulator, 'CMD');
    assert.deepEqual(ecmd.slice(0, 2), ['node', 'dist/emulator/main.js']);
    assert.ok(existsSync(path.join(ROOT, sourceOf(ecmd[1]!))));
    assert.deepEqual(steps(emulator, 'USER'), ['node']);
  });

  void it('bakes the workflow bundle into the worker image and points WORKFLOW_BUNDLE_PATH at it', () => {
    const build = stage('build');
    const script = /^tsx (scripts\/bundle-workflows\.ts)$/.exec(pkg.scripts['build:bundle'] ?? '')?.[1];
    assert.ok(script, `build:bundle runs scripts/bundle-workflows.ts, got ${pkg.scripts['build:bundle']}`);
    assert.ok(contextCopies(build).includes(script), `COPY ${script} into the build stage`);
    const run = steps(build, 'RUN').find((r) => r.startsWith('npm run build '))!;
    const commands = run.split(' && ');
    const bundled = commands.indexOf('npm run build:bundle');
    assert.ok(bundled > 0, 'the build stage runs `npm run build:bundle` (to its default file)');
    // Written where the script writes by default, checked, and then copied with dist/ into the worker's tree only.
    const inDist = path.relative(ROOT, DEFAULT_BUNDLE_PATH);
    assert.equal(inDist, 'dist/workflow-bundle.js');
    assert.ok(commands.indexOf(`test -s ${inDist}`) > bundled, `test -s ${inDist}`);
    assert.ok(commands.indexOf('cp -a dist /out/worker') > bundled);
    const removed = commands.filter((c) => c.startsWith('rm ')).join(' ');
    assert.match(removed, /\/out\/emulator\/workflow-bundle\.js/, 'the emulator image does without it');
    assert.doesNotMatch(removed, /\/out\/worker\/(workflow-bundle\.js)?(\s|$)/);

    const worker = stage('worker');
    assert.ok(steps(worker, 'COPY').includes('--from=build /out/worker ./dist'));
    const [workdir] = steps(stage('base'), 'WORKDIR');
    assert.equal(stageEnv(worker).WORKFLOW_BUNDLE_PATH, path.posix.join(workdir!, inDist));
    assert.equal(stageEnv(stage('emulator')).WORKFLOW_BUNDLE_PATH, undefined);
    // The variable is the worker's: src/worker.ts reads it.
    assert.match(read('src/worker.ts'), /process\.env\.WORKFLOW_BUNDLE_PATH/);
  });

  void it('gives the worker the environment the benchmark measures it with', () => {
    const { WORKFLOW_BUNDLE_PATH, ...env } = stageEnv(stage('worker'));
    assert.ok(WORKFLOW_BUNDLE_PATH);
    assert.deepEqual(env, WORKER_IMAGE_ENV);
  });

  void it('keeps the emulator and the dev launcher out of the worker image, which needs runtime dependencies only', () => {
    const buildRun = steps(stage('build'), 'RUN').join(' ');
    assert.match(buildRun, /rm -rf \/out\/worker\/emulator \/out\/worker\/dev/);
    const presets = readdirSync(path.join(ROOT, 'src/presets'))
      .filter((f) => /\.preset\.ts$/.test(f))
      .map((f) => `src/presets/${f}`);
    // The worker, the CLI it also carries, the workflow bundle and the presets loaded by file name.
    assertRuntimeDepsOnly(
      ['src/worker.ts', 'src/cli/main.ts', 'src/workflows/index.ts', ...presets],
      ['src/emulator', 'src/dev'],
    );
    assertRuntimeDepsOnly(['src/emulator/main.ts'], ['src/dev']);
  });

  void it('health-checks the worker with a script shipped in the image', () => {
    const worker = stage('worker');
    const check = execForm(worker, 'HEALTHCHECK');
    assert.deepEqual(check, ['node', 'deploy/worker-healthcheck.mjs']);
    assert.ok(contextCopies(worker).includes('deploy/worker-healthcheck.mjs'));
    assertRuntimeDepsOnly(['deploy/worker-healthcheck.mjs'], []);
    const text = read('deploy/worker-healthcheck.mjs');
    // Same settings as the worker: envconfig and the task queue variable with the same default.
    assert.match(text, /loadClientConnectConfig\(\)/);
    assert.match(text, new RegExp(`process\\.env\\.TEMPORAL_TASK_QUEUE \\|\\| '${DEFAULT_TASK_QUEUE}'`));
    const emulatorCheck = execForm(stage('emulator'), 'HEALTHCHECK').join(' ');
    assert.match(emulatorCheck, /http:\/\/127\.0\.0\.1:8090\/__emulator\//);
  });

  void it('has a .dockerignore that keeps secrets and local state out but lets in what the build copies', () => {
    for (const f of ['node_modules', 'dist/worker.js', '.git/config', '.env', '.temporal/python', 'x/.env']) {
      assert.ok(dockerignored(f), `${f} is ignored`);
    }
    const copied = dockerfile.stages.flatMap(contextCopies);
    assert.ok(copied.length >= 6);
    for (const f of copied) assert.ok(!dockerignored(f), `${f} (copied by the Dockerfile) is in the context`);
    assert.ok(!dockerignored('src/worker.ts'));
    // Its comment lists what the build copies: each file it names exists.
    for (const [f] of read('.dockerignore').matchAll(/[\w-]+\/[\w./-]+\.[cm]?[jt]s\b/g))
      assert.ok(existsSync(path.join(ROOT, f)), `.dockerignore names ${f}, which exists`);
  });
});
