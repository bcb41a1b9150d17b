import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { eventStoreContract } from '#event-store/testing/event-store.contract';
import { tempDir } from '../support/temp-dir';

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((cleanup) => cleanup()));

function freshFile(): string {
  const dir = tempDir('embedded-store-');
  dirs.push(dir.cleanup);
  return join(dir.path, 'events.sqlite');
}

const files = new WeakMap<object, string>();

eventStoreContract('embedded SQLite', {
  multiStreamAppends: true,
  open: async () => {
    const filename = freshFile();
    const store = new SqliteEventStore({ filename });
    files.set(store, filename);
    return store;
  },
  reopen: async (closed) => {
    await closed.close();
    const filename = files.get(closed)!;
    const store = new SqliteEventStore({ filename });
    files.set(store, filename);
    return store;
  },
});

describe('embedded SQLite event store', () => {
  const event = (type: string) => ({ id: randomUUID(), type, data: {}, metadata: {} });

  it('commits concurrent appends in shared transactions (group commit)', async () => {
    const store = new SqliteEventStore({ filename: freshFile() });
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, i) => store.appendToStream(`groupCommit-${i}`, 'no_stream', [event('A')])));
    expect(outcomes.every(E.isRight)).toBe(true);
    const stats = store.groupCommitStats;
    expect(stats.appends).toBe(500);
    expect(stats.transactions).toBeLessThan(50);
    expect(stats.largestBatch).toBeGreaterThan(50);
    await store.close();
  });

  it('caps a batch at maxBatchSize and still commits everything queued', async () => {
    const store = new SqliteEventStore({ filename: freshFile(), maxBatchSize: 7 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendToStream(`capped-${i}`, 'no_stream', [event('A')])));
    expect(outcomes.every(E.isRight)).toBe(true);
    expect(store.groupCommitStats.largestBatch).toBe(7);
    expect(store.groupCommitStats.transactions).toBeGreaterThanOrEqual(Math.ceil(50 / 7));
    await store.close();
  });

  it('runs in WAL mode with synchronous=FULL so acknowledged appends survive power loss', async () => {
    const filename = freshFile();
    const store = new SqliteEventStore({ filename });
    await store.appendToStream('durability-1', 'no_stream', [event('A')]);
    const peek = new Database(filename, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    peek.close();
    // synchronous is per connection: ask the writer thread's own connection.
    expect(await store.durability()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    await store.close();
  });

  it('rejects every append of a batch whose transaction fails, and writes none of them', async () => {
    const filename = freshFile();
    const store = new SqliteEventStore({ filename, busyTimeoutMs: 50 });
    await store.appendToStream('ok-before', 'no_stream', [event('A')]);
    // Another connection holds the write lock beyond the busy timeout: the batch cannot commit.
    const blocker = new Database(filename);
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN IMMEDIATE');
    const attempts = await Promise.allSettled([
      store.appendToStream('blocked-1', 'no_stream', [event('A')]),
      store.appendToStream('blocked-2', 'no_stream', [event('A')]),
    ]);
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(attempts.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect((await store.readStream('blocked-1')).events).toEqual([]);
    expect(right(await store.appendToStream('blocked-1', 'no_stream', [event('A')])).nextRevision).toBe(0n);
    await store.close();
  });

  it('refuses an in-memory database', () => {
    expect(() => new SqliteEventStore({ filename: ':memory:' })).toThrow(/needs a file/);
  });
});

function right<A>(e: E.Either<unknown, A>): A {
  if (E.isLeft(e)) throw new Error('expected Right');
  return e.right;
}
