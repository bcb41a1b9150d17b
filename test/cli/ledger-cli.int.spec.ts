import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openSqliteReadModels } from '#read-models/database';
import { LEDGER_PROJECTION, Projector, readCheckpoint } from '#read-models/projector';
import { customerBalance } from '#read-models/queries';
import { migrate } from '#read-models/migrator';
import { generateLedger } from '../../bench/ledger-generator';
import { tempDir } from '../support/temp-dir';

/** The built `ledger` CLI, run as a script would run it: exit codes, output, effects. */
const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');

function ledger(args: string[], dataDir: string) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LEDGER_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('ledger CLI', () => {
  const dir = tempDir('ledger-cli-');
  afterAll(() => dir.cleanup());

  it('prints help with exit 0, and refuses an unknown command with usage and exit 2', () => {
    const help = ledger(['--help'], dir.path);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('projections rebuild');
    const commandHelp = ledger(['projections', 'rebuild', '--help'], dir.path);
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain('--batch-size');
    const unknown = ledger(['projections', 'explode'], dir.path);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: projections explode');
    expect(ledger([], dir.path).code).toBe(2);
  });

  it('exits 2 on a bad option or bad configuration, naming it', () => {
    const badOption = ledger(['projections', 'rebuild', '--batch-size', 'lots'], dir.path);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--batch-size');
    const badConfig = spawnSync(process.execPath, [CLI, 'projections', 'status'], {
      env: { ...process.env, LEDGER_READ_DB_URL: 'mysql://nope' },
      encoding: 'utf8',
    });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('LEDGER_READ_DB_URL');
  });

  it('rebuilds the read models from the log, replacing corrupted rows, with progress on stderr', async () => {
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    await generateLedger(store, { events: 6_000, customers: 300, seed: 3 });
    const head = await store.headPosition();
    const database = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    await migrate(database.db);
    await new Projector(store, database).catchUp();
    await store.close();
    const someone = (await database.db.selectFrom('customer_balances').select('customer_id').limit(1).executeTakeFirstOrThrow()).customer_id;
    const truth = await customerBalance(database.db, someone);
    await database.db.updateTable('customer_balances').set({ available: 999_999 }).where('customer_id', '=', someone).execute();
    await database.close();

    const rebuilt = ledger(['projections', 'rebuild', '--batch-size', '500'], dir.path);
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ rebuilt: LEDGER_PROJECTION, position: head.toString(), events: Number(head) });
    expect(rebuilt.stderr).toMatch(/events\s+\d+\/s\s+ETA/);

    const after = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    expect(await customerBalance(after.db, someone)).toEqual(truth);
    expect(await readCheckpoint(after.db, LEDGER_PROJECTION)).toBe(head);
    await after.close();

    const status = ledger(['projections', 'status'], dir.path);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      head: head.toString(),
      projections: [{ name: LEDGER_PROJECTION, checkpoint: head.toString(), lag: '0' }],
    });
  }, 120_000);
});

describe('ledger CLI started twice at once on a fresh data directory', () => {
  const dir = tempDir('ledger-cli-race-');
  afterAll(() => dir.cleanup());

  it('lets both processes migrate the new read-model database and succeed', async () => {
    const runOnce = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'projections', 'status'], { env: { ...process.env, LEDGER_DATA_DIR: dir.path }, stdio: 'ignore' });
        child.on('exit', resolve);
      });
    expect(await Promise.all([runOnce(), runOnce(), runOnce()])).toEqual([0, 0, 0]);
  }, 60_000);
});
