import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import { LEDGER_PROJECTION, Projector, readCheckpoint } from '#read-models/projector';
import { migrate } from '#read-models/migrator';
import { PROJECTED_TABLES } from '#read-models/tables';
import { generateLedger } from '../../bench/ledger-generator';
import { tempDir } from '../support/temp-dir';

/**
 * Runs the real ledger-projector process (built by `npm test` before Jest) and SIGKILLs it at
 * random moments while it projects, restarting it each time, until it has caught up. The
 * tables it leaves must equal those of one clean, uninterrupted projection of the same log.
 */
const PROJECTOR = join(__dirname, '../../dist/apps/ledger-projector/src/main.js');
const KILLS = Number(process.env['LEDGER_CRASH_KILLS'] ?? 12);

describe('ledger-projector killed with SIGKILL mid-batch', () => {
  const dir = tempDir('projector-crash-');
  afterAll(() => dir.cleanup());

  it('ends with tables identical to a clean projection, after many kills and restarts', async () => {
    if (!existsSync(PROJECTOR)) throw new Error(`${PROJECTOR} is missing: run "npm run build" first (npm test does)`);
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    await generateLedger(store, { events: 40_000, customers: 2_000, seed: 7, timezone: 'America/New_York' });
    const head = await store.headPosition();
    await store.close();

    let kills = 0;
    let checkpoint = 0n;
    const live = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    await migrate(live.db);
    while (checkpoint < head) {
      const killAfterMs = kills < KILLS ? 150 + Math.floor(Math.random() * 400) : undefined;
      const exited = await runProjector(dir.path, killAfterMs, head);
      if (exited === 'killed') kills += 1;
      checkpoint = await readCheckpoint(live.db, LEDGER_PROJECTION);
    }
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 5));
    expect(checkpoint).toBe(head);

    // The reference: one uninterrupted projection of the same log into a fresh database.
    const reference = openSqliteReadModels(join(dir.path, 'reference.sqlite'));
    await migrate(reference.db);
    const readOnly = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite'), readOnly: true });
    await new Projector(readOnly, reference, { batchSize: 2000 }).catchUp();
    await readOnly.close();

    for (const table of PROJECTED_TABLES) {
      expect({ table, rows: await dump(live, table) }).toEqual({ table, rows: await dump(reference, table) });
    }
    await live.close();
    await reference.close();
  }, 240_000);
});

/** Starts the projector; kills it after `killAfterMs`, or lets it run until it reports `head`. */
function runProjector(dataDir: string, killAfterMs: number | undefined, head: bigint): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = fork(PROJECTOR, [], {
      env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_PROJECTOR_BATCH_SIZE: '250', LEDGER_PROJECTOR_POLL_MS: '50' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let outcome: 'killed' | 'finished' = 'finished';
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            outcome = 'killed';
            child.kill('SIGKILL');
          }, killAfterMs);
    child.on('message', (message: { checkpoint?: string }) => {
      if (killAfterMs === undefined && message.checkpoint !== undefined && BigInt(message.checkpoint) >= head) child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

async function dump(database: ReadModelDatabase, table: string): Promise<unknown[]> {
  const rows = await database.db
    .selectFrom(table as never)
    .selectAll()
    .execute();
  return rows.map((r) => JSON.stringify(r)).sort();
}
