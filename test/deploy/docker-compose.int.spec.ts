import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECTOR_VARIABLES } from '../../apps/ledger-projector/src/projector-options';
import { loadConfig } from '#runtime/config';

/**
 * docker-compose.yml and the Dockerfile, checked without Docker (none runs here): the services
 * and their health checks, loopback-only ports, named volumes, start order, and that every
 * variable given to the ledger's processes is one they read, with a value they accept.
 */
const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number };
}
// Compose reads YAML with merge keys (<<), as the file uses them.
const compose = load(read('docker-compose.yml'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** `${NAME:-default}` as compose would substitute it with NAME unset; `${NAME}` as empty. */
const interpolate = (value: string | number | boolean): string =>
  String(value).replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');

/** The variables libs/runtime/src/config.ts decodes: the keys of its EnvC codec. */
function configVariables(): Set<string> {
  const source = read('libs/runtime/src/config.ts');
  const codec = /const EnvC = t\.partial\(\{([\s\S]*?)\n\}\);/.exec(source);
  if (codec === null) throw new Error('EnvC not found in libs/runtime/src/config.ts');
  return new Set([...codec[1]!.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

/** Node's own. */
const NODE_VARIABLES = ['NODE_ENV'];

describe('docker-compose.yml', () => {
  it('runs EventStoreDB, PostgreSQL, the API and the projector', () => {
    expect(Object.keys(services).sort()).toEqual(['eventstore', 'ledger-api', 'ledger-projector', 'postgres']);
  });

  it('gives every service a health check, except the projector, which serves no HTTP and says so', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'ledger-projector') expect(service.healthcheck).toEqual({ disable: true });
      else
        expect({ name, command: service.healthcheck?.test?.[0], args: service.healthcheck?.test?.length }).toEqual({
          name,
          command: expect.stringMatching(/^CMD(-SHELL)?$/),
          args: expect.any(Number),
        });
    }
    expect(services['ledger-api']!.healthcheck!.test!.join(' ')).toContain('/health/live');
    expect(services['postgres']!.healthcheck!.test!.join(' ')).toContain('pg_isready');
    expect(services['eventstore']!.healthcheck!.test!.join(' ')).toContain('/health/live');
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const ports = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+(-\d+)?:\d+$/);
  });

  it('keeps data in named volumes, declared at the top level', () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
    for (const mount of mounts) expect(Object.keys(compose.volumes)).toContain(mount.split(':')[0]);
    expect(services['eventstore']!.volumes).toContain('eventstore-data:/var/lib/eventstore');
    expect(services['postgres']!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
  });

  it('runs EventStoreDB insecure, on disk, without server-side projections', () => {
    expect(services['eventstore']!.environment).toMatchObject({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_MEM_DB: 'false' });
    expect(services['postgres']!.image).toMatch(/^postgres:16/);
  });

  it('starts the ledger once both databases are healthy, from one image built here', () => {
    for (const name of ['ledger-api', 'ledger-projector']) {
      const service = services[name]!;
      expect(service.depends_on).toEqual({ eventstore: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
      expect(service).toMatchObject({ build: '.', image: services['ledger-api']!.image });
    }
    expect(services['ledger-api']!.command).toBeUndefined();
    expect(services['ledger-projector']!.command).toEqual(['node', 'dist/apps/ledger-projector/src/main.js']);
    expect(existsSync(join(ROOT, 'dist/apps/ledger-projector/src/main.js'))).toBe(true);
    expect(services['ledger-api']!.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('gives the ledger only variables it reads, with values its configuration accepts', () => {
    const known = new Set([...configVariables(), ...NODE_VARIABLES]);
    for (const name of ['ledger-api', 'ledger-projector']) {
      const variables = Object.keys(services[name]!.environment ?? {});
      const allowed = name === 'ledger-projector' ? new Set([...known, ...PROJECTOR_VARIABLES]) : known;
      expect({ name, unknown: variables.filter((v) => !allowed.has(v)) }).toEqual({ name, unknown: [] });
    }
    const api = Object.fromEntries(Object.entries(services['ledger-api']!.environment!).map(([k, v]) => [k, interpolate(v)]));
    const config = loadConfig({ ...dockerfileEnvironment(), ...api, LEDGER_API_KEYS: 'ops:admin:a-secret-long-enough-0123456789' });
    expect(config).toMatchObject({
      store: { kind: 'eventstoredb', connectionString: 'esdb://eventstore:2113?tls=false' },
      environment: 'production',
      projector: 'off',
      host: '0.0.0.0',
      port: 3000,
      readDbUrl: expect.stringMatching(/^postgres:\/\/ledger:[^@]+@postgres:5432\/ledger$/),
    });
    expect(api).toMatchObject({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://eventstore:2113?tls=false', LEDGER_API_KEYS: '' });
  });
});

/** The ENV lines of the Dockerfile's last stage (the runtime image). */
function dockerfileEnvironment(): Record<string, string> {
  const stages = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split(/^FROM /m);
  const runtime = stages.at(-1)!;
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.matchAll(/([A-Z_]+)=(\S+)/g)) env[name!] = value!;
  }
  return env;
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on node:20-bookworm and runs on node:20-bookworm-slim as a non-root user', () => {
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual(['node:20-bookworm', 'node:20-bookworm-slim']);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('sets only variables the processes read, production defaults among them', () => {
    const env = dockerfileEnvironment();
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', LEDGER_ENV: 'production' });
    const known = new Set([...configVariables(), ...NODE_VARIABLES]);
    expect(Object.keys(env).filter((v) => !known.has(v))).toEqual([]);
  });

  it('starts the API by default and probes /health/live with node (the slim image has no curl)', () => {
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/ledger-api\/src\/main\.js"\]$/m);
    expect(existsSync(join(ROOT, 'dist/apps/ledger-api/src/main.js'))).toBe(true);
    expect(dockerfile).toMatch(
      /^HEALTHCHECK .*\n\s+CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| 3000\) \+ '\/health\/live'/m,
    );
  });
});
