import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';
import { firstAdminSecret, freePort, newcomerEnv, runToExit, startProgram, UNPRIVILEGED_UID, type Program } from '../support/programs';

/**
 * First start and its faults, for the API, the projector and the CLI: a data directory that does
 * not exist yet is made (owner-only); one that cannot be used, a corrupt keys file and a port in
 * use are each one line on stderr and exit code 1, with nothing in the data directory changed.
 */

const root = tempDir('ledger-start-up-');
// Traversable by the unprivileged user the permission cases run as.
chmodSync(root.path, 0o755);
afterAll(() => root.cleanup());

let counter = 0;
const fresh = (name: string) => join(root.path, `${name}-${++counter}`);

/** Every file under a directory with its bytes, to prove a failed start changed nothing. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    out[name] = statSync(path).isDirectory() ? '<dir>' : readFileSync(path).toString('base64');
  }
  return out;
}

/** A start-up failure as an operator should see it: exit 1, one line naming what is wrong, no stack trace. */
function expectOneLineFailure(run: { code: number | null; stderr: string }, ...mentions: string[]) {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: expect.any(String) });
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const mention of mentions) expect(lines[0]).toContain(mention);
}

async function apiEnv(dataDir: string, extra: Record<string, string> = {}) {
  return newcomerEnv({ LEDGER_DATA_DIR: dataDir, PORT: String(await freePort()), ...extra });
}

describe('a data directory that does not exist yet is made, owner-only', () => {
  it('the API makes it (with its parents), prints the first admin secret, and the secret works', async () => {
    const dataDir = join(fresh('api'), 'nested', 'data');
    const env = await apiEnv(dataDir);
    const api = startProgram('api', env);
    try {
      const [, address] = await api.waitFor(/listening on (http:\/\/[\d.:]+)/, 60_000);
      const secret = firstAdminSecret(api.output());
      expect((await fetch(`${address}/health/ready`)).status).toBe(200);
      expect((await fetch(`${address}/program`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'api-keys.json')).mode & 0o777).toBe(0o600);
      expect(api.output()).toContain(`Data: events in ${dataDir}/events.sqlite`);
    } finally {
      await api.stop();
    }
  });

  it('the projector makes it and starts', async () => {
    const dataDir = join(fresh('projector'), 'data');
    const projector = startProgram('projector', newcomerEnv({ LEDGER_DATA_DIR: dataDir }));
    try {
      await projector.waitFor(/ledger-projector started/, 30_000);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(existsSync(join(dataDir, 'read-models.sqlite'))).toBe(true);
    } finally {
      await projector.stop();
    }
  });

  it('the CLI makes it and answers', () => {
    const dataDir = join(fresh('cli'), 'data');
    const status = runToExit('cli', ['projections', 'status'], newcomerEnv({ LEDGER_DATA_DIR: dataDir }));
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(status.stdout)).toEqual(expect.objectContaining({ head: '0' }));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});

describe('a data directory that cannot be used is one line and exit 1, for every program', () => {
  const programs: Array<[Program, string[]]> = [
    ['api', []],
    ['projector', []],
    ['cli', ['projections', 'status']],
  ];

  it.each(programs)('%s: a data directory that is a file', async (program, args) => {
    const file = fresh('file');
    writeFileSync(file, 'not a directory\n');
    const run = runToExit(program, args, await apiEnv(file));
    expectOneLineFailure(run, file, 'not a directory');
    expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
  });

  it.each(programs)('%s: a data directory under a file', async (program, args) => {
    const file = fresh('file');
    writeFileSync(file, '');
    const run = runToExit(program, args, await apiEnv(join(file, 'data')));
    expectOneLineFailure(run, join(file, 'data'), 'ENOTDIR');
  });

  it.each(programs)('%s: a data directory that cannot be created (parent not writable)', async (program, args) => {
    const parent = fresh('locked-parent');
    mkdirSync(parent, { mode: 0o555 });
    chmodSync(parent, 0o555);
    const run = runToExit(program, args, await apiEnv(join(parent, 'data')), { asUser: UNPRIVILEGED_UID });
    expectOneLineFailure(run, join(parent, 'data'), 'cannot be created', 'EACCES');
    expect(readdirSync(parent)).toEqual([]);
  });

  it.each(programs)('%s: a read-only data directory that holds a ledger: nothing in it changes', async (program, args) => {
    // A ledger made by a first start, then made read-only.
    const dataDir = fresh('read-only');
    const first = startProgram('api', await apiEnv(dataDir));
    await first.waitFor(/listening on/, 60_000);
    await first.stop();
    const before = snapshot(dataDir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['api-keys.json', 'events.sqlite', 'read-models.sqlite']));
    chmodSync(dataDir, 0o555);
    try {
      const run = runToExit(program, args, await apiEnv(dataDir), { asUser: UNPRIVILEGED_UID });
      expectOneLineFailure(run, dataDir, 'not writable');
      expect(snapshot(dataDir)).toEqual(before);
    } finally {
      chmodSync(dataDir, 0o700);
    }
  });
});

describe('the API: other first-start faults are one line and exit 1, and change nothing', () => {
  it('a corrupt api-keys.json (never quoted back: it holds key digests)', async () => {
    const dataDir = fresh('corrupt-keys');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'api-keys.json'), '[{"name":"admin", "secret-canary', { mode: 0o600 });
    const before = snapshot(dataDir);
    const run = runToExit('api', [], await apiEnv(dataDir));
    expectOneLineFailure(run, join(dataDir, 'api-keys.json'), 'not valid JSON');
    expect(run.stderr + run.stdout).not.toContain('canary');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a keys file with a malformed entry', async () => {
    const dataDir = fresh('bad-entry');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'api-keys.json'), '[{"name":"admin","role":"root","secretSha256":"x"}]', { mode: 0o600 });
    const run = runToExit('api', [], await apiEnv(dataDir));
    expectOneLineFailure(run, 'entry 1');
    expect(readdirSync(dataDir)).toEqual(['api-keys.json']);
  });

  it('a port in use: no key is made, no store is created', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port }, resolve));
    try {
      const dataDir = join(fresh('port'), 'data');
      const run = runToExit('api', [], newcomerEnv({ LEDGER_DATA_DIR: dataDir, PORT: String(port) }));
      expectOneLineFailure(run, `Port ${port}`, 'already in use', 'PORT');
      expect(existsSync(dataDir)).toBe(false);

      // The same with a data directory that holds a ledger: it is left exactly as it was.
      const used = fresh('port-used');
      const first = startProgram('api', await apiEnv(used));
      await first.waitFor(/listening on/, 60_000);
      await first.stop();
      const before = snapshot(used);
      expectOneLineFailure(runToExit('api', [], newcomerEnv({ LEDGER_DATA_DIR: used, PORT: String(port) })), 'already in use');
      expect(snapshot(used)).toEqual(before);
    } finally {
      blocker.close();
    }
  });

  it('production without keys', async () => {
    const dataDir = fresh('production');
    const run = runToExit('api', [], await apiEnv(dataDir, { LEDGER_ENV: 'production' }));
    expectOneLineFailure(run, 'No API keys', 'LEDGER_API_KEYS');
    expect(existsSync(join(dataDir, 'api-keys.json'))).toBe(false);
  });
});
