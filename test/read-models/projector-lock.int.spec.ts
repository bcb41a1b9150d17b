import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectorLockKey } from '../../apps/ledger-projector/src/projector-lock';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openPostgresReadModels, type ReadModelDatabase } from '#read-models/database';
import { LEDGER_PROJECTION, readCheckpoint } from '#read-models/projector';
import { sql } from 'kysely';
import { generateLedger } from '../../bench/ledger-generator';
import { freshPostgresDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';

/**
 * Two real ledger-projector processes on one PostgreSQL read-model database: exactly one holds
 * the projection's advisory lock and projects, the other stands by. SIGKILL the active one and
 * the standby takes over (PostgreSQL ends the dead session, releasing its lock) and catches up.
 */
const PROJECTOR = join(__dirname, '../../dist/apps/ledger-projector/src/main.js');
const RETRY_MS = 100;

interface Running {
  readonly child: ChildProcess;
  readonly lines: { seenAt: number; role?: string; message: string }[];
  /** Checkpoints this process reported having committed. */
  readonly checkpoints: bigint[];
  /** Resolves when the process has logged `count` lines with this role, with when the last was seen. */
  waitFor(role: string, count?: number): Promise<number>;
}

function startProjector(dataDir: string, readDbUrl: string): Running {
  const child = fork(PROJECTOR, [], {
    env: {
      ...process.env,
      LEDGER_DATA_DIR: dataDir,
      LEDGER_READ_DB_URL: readDbUrl,
      LEDGER_PROJECTOR_POLL_MS: '50',
      LEDGER_PROJECTOR_LOCK_RETRY_MS: String(RETRY_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const lines: Running['lines'] = [];
  const checkpoints: bigint[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const parsed = JSON.parse(line) as { role?: string; message: string };
    lines.push({ role: parsed.role, message: parsed.message, seenAt: Date.now() });
    for (const waiter of waiters) waiter();
  });
  child.on('message', (message: { checkpoint?: string }) => {
    if (message.checkpoint !== undefined) checkpoints.push(BigInt(message.checkpoint));
  });
  return {
    child,
    lines,
    checkpoints,
    waitFor: (role, count = 1, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.filter((l) => l.role === role)[count - 1];
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.seenAt);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${count} "${role}" line(s) within ${timeoutMs} ms; got ${JSON.stringify(lines)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Backend pids holding the projection's advisory lock (pg_locks splits a bigint key in two halves). */
async function lockHolders(database: ReadModelDatabase): Promise<number[]> {
  const key = BigInt.asUintN(64, projectorLockKey(LEDGER_PROJECTION));
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND objsubid = 1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid = ${String(key >> 32n)}::oid AND objid = ${String(key & 0xffffffffn)}::oid`.execute(database.db);
  return rows.map((r) => r.pid);
}

describe('ledger-projector on PostgreSQL: exactly one active', () => {
  const dir = tempDir('projector-lock-');
  let pg: { url: string; drop: () => Promise<void> };
  let database: ReadModelDatabase;
  const running: Running[] = [];
  const stores: SqliteEventStore[] = [];
  beforeAll(async () => {
    pg = await freshPostgresDatabase();
    database = openPostgresReadModels(pg.url, 2);
  });
  afterAll(async () => {
    for (const { child } of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(running.map(({ child }) => exited(child)));
    for (const store of stores) await store.close();
    await database.close();
    await pg.drop();
    dir.cleanup();
  });

  it('runs one projector and keeps the second on standby; after a SIGKILL the standby takes over and catches up', async () => {
    if (!existsSync(PROJECTOR)) throw new Error(`${PROJECTOR} is missing: run "npm run build" first (npm test does)`);
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    stores.push(store);
    await generateLedger(store, { events: 2_000, customers: 100, seed: 11 });

    const first = startProjector(dir.path, pg.url);
    running.push(first);
    await first.waitFor('active');
    const second = startProjector(dir.path, pg.url);
    running.push(second);
    await second.waitFor('standby');

    const head = await store.headPosition();
    await until(async () => (await readCheckpoint(database.db, LEDGER_PROJECTION)) === head);
    // Several retry intervals later the standby has still neither taken the lock nor projected.
    await new Promise((resolve) => setTimeout(resolve, 5 * RETRY_MS));
    expect(second.lines.some((l) => l.role === 'active')).toBe(false);
    expect(second.checkpoints).toEqual([]);
    expect(first.checkpoints.at(-1)).toBe(head);
    const [holder, ...others] = await lockHolders(database);
    expect(others).toEqual([]);
    expect(holder).toEqual(expect.any(Number));

    // New events while the first is killed: the second must take over and project them.
    const customerId = randomUUID();
    const meta = { recordedAt: '2026-11-23T12:00:00.000Z', actor: 'test', commandId: randomUUID() };
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await store.appendToStream(`loyaltyAccount-${customerId}`, 'no_stream', [
      {
        id: randomUUID(),
        type: 'CustomerEnrolled',
        data: { customerId, enrolledAt: '2026-11-23T12:00:00.000Z', email: 'takeover@example.com' },
        metadata: meta,
      },
    ]);
    const newHead = await store.headPosition();
    expect(await exited(first.child)).toEqual({ code: null, signal: 'SIGKILL' });

    const tookOverAt = await second.waitFor('active');
    expect(tookOverAt).toBeGreaterThanOrEqual(killedAt);
    await until(async () => (await readCheckpoint(database.db, LEDGER_PROJECTION)) === newHead);
    expect(second.checkpoints.at(-1)).toBe(newHead);
    const balance = await database.db.selectFrom('customer_balances').select('customer_id').where('customer_id', '=', customerId).executeTakeFirst();
    expect(balance).toEqual({ customer_id: customerId });
    const holders = await lockHolders(database);
    expect(holders).toHaveLength(1);
    expect(holders[0]).not.toBe(holder);

    // The lock's session dies under the active projector (fail-over, a DBA's pg_terminate_backend):
    // it stops projecting, stands by, and takes the lock again since nobody else holds it.
    await sql`SELECT pg_terminate_backend(${holders[0]!})`.execute(database.db);
    await second.waitFor('standby', 2);
    expect(second.lines.filter((l) => l.role === 'standby').at(-1)?.message).toMatch(/^lost the projector lock/);
    await second.waitFor('active', 2);
    expect(await lockHolders(database)).toHaveLength(1);

    // A clean stop releases the lock.
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toEqual({ code: 0, signal: null });
    expect(await lockHolders(database)).toEqual([]);
  }, 60_000);
});
