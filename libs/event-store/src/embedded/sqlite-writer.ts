import type BetterSqlite3 from 'better-sqlite3';
import type * as WorkerThreads from 'node:worker_threads';
/**
 * The writer thread of the embedded store. It owns the only write connection, commits each
 * batch it is sent in one IMMEDIATE transaction (one fsync) and answers with one outcome per
 * append. Running it off the main thread means the fsync never stalls request handling: while
 * a batch is being made durable, the API keeps accepting requests and queues the next batch.
 *
 * This function is shipped to the worker as source (`writerMain.toString()`), so it must be
 * self-contained: no imports, no references to anything outside its body.
 */
export function writerMain(): void {
  // require, not import: this body runs on its own in the worker (the types above are erased).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parentPort, workerData } = require('node:worker_threads') as typeof WorkerThreads;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require(workerData.betterSqlite3Path) as typeof BetterSqlite3;
  const db = new Database(workerData.filename as string);
  db.defaultSafeIntegers(true);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Number(workerData.busyTimeoutMs)}`);

  type Expected = bigint | 'no_stream' | 'stream_exists' | 'any';
  type Row = { id: string; type: string; data: string; metadata: string };
  type Single = { streamName: string; expected: Expected; rows: Row[] };
  /** Several streams, all or nothing: a multi-stream append. */
  type Item = Single | { atomic: Single[] };

  const selectRevision = db.prepare('SELECT revision FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1');
  const selectIdsFrom = db.prepare('SELECT event_id, position FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision LIMIT ?');
  const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');

  const revisionOf = (stream: string): bigint | 'no_stream' => (selectRevision.get(stream) as { revision: bigint } | undefined)?.revision ?? 'no_stream';
  const holds = (expected: Expected, actual: bigint | 'no_stream') =>
    expected === 'any' || (expected === 'no_stream' ? actual === 'no_stream' : expected === 'stream_exists' ? actual !== 'no_stream' : actual === expected);

  /** A retried append: the same ids already sit right after the expected revision. */
  const replayOf = (item: Single, actual: bigint | 'no_stream') => {
    if (actual === 'no_stream' || (typeof item.expected !== 'bigint' && item.expected !== 'no_stream')) return undefined;
    const first = item.expected === 'no_stream' ? 0n : item.expected + 1n;
    const stored = selectIdsFrom.all(item.streamName, first, BigInt(item.rows.length)) as { event_id: string; position: bigint }[];
    if (stored.length !== item.rows.length || !stored.every((s, i) => s.event_id === item.rows[i]!.id)) return undefined;
    return { nextRevision: first + BigInt(item.rows.length) - 1n, position: stored[stored.length - 1]!.position };
  };

  const applySingle = (item: Single) => {
    const actual = revisionOf(item.streamName);
    if (!holds(item.expected, actual)) {
      const replay = replayOf(item, actual);
      return replay
        ? { _tag: 'Right', right: replay }
        : { _tag: 'Left', left: { _tag: 'WrongExpectedRevision', streamName: item.streamName, expected: item.expected, actual } };
    }
    let revision = actual === 'no_stream' ? -1n : actual;
    let position = 0n;
    for (const row of item.rows) {
      revision += 1n;
      position = BigInt(insert.run(item.streamName, revision, row.id, row.type, row.data, row.metadata).lastInsertRowid);
    }
    return { _tag: 'Right', right: { nextRevision: revision, position } };
  };

  /** Raised inside a savepoint to undo the parts of a multi-stream append already inserted. */
  class Refused extends Error {
    constructor(readonly outcome: unknown) {
      super('refused');
    }
  }
  // Nested inside the batch transaction, better-sqlite3 runs this in a SAVEPOINT.
  const applyAtomic = db.transaction((parts: Single[]) =>
    parts.map((part) => {
      const outcome = applySingle(part);
      if (outcome._tag === 'Left') throw new Refused(outcome);
      return outcome.right;
    }),
  );
  const applyOne = (item: Item) => {
    if (!('atomic' in item)) return applySingle(item);
    try {
      return { _tag: 'Right', right: applyAtomic(item.atomic) };
    } catch (error) {
      if (error instanceof Refused) return error.outcome;
      throw error;
    }
  };

  const commit = db.transaction((items: Item[]) => items.map(applyOne)).immediate;
  // One row, rewritten by each probe: a real commit (lock, WAL append, fsync) that holds no event.
  // Made on the first probe, so a store that is never probed keeps its schema as it was.
  const commitProbe = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), probed_at TEXT NOT NULL)');
    db.prepare('INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at').run(
      new Date().toISOString(),
    );
  }).immediate;
  const failure = (error: unknown) => ({
    kind: 'failed',
    message: error instanceof Error ? error.message : String(error),
    code: typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined,
  });

  parentPort!.on('message', (message: { kind: 'batch'; items: Item[] } | { kind: 'inspect' } | { kind: 'probe' } | { kind: 'close' }) => {
    if (message.kind === 'close') {
      db.close();
      parentPort!.close();
      return;
    }
    if (message.kind === 'inspect') {
      parentPort!.postMessage({
        kind: 'inspected',
        journalMode: db.pragma('journal_mode', { simple: true }),
        synchronous: db.pragma('synchronous', { simple: true }),
      });
      return;
    }
    if (message.kind === 'probe') {
      try {
        commitProbe();
        parentPort!.postMessage({ kind: 'probed' });
      } catch (error) {
        parentPort!.postMessage({ ...failure(error), kind: 'probe-failed' });
      }
      return;
    }
    try {
      parentPort!.postMessage({ kind: 'committed', outcomes: commit(message.items) });
    } catch (error) {
      // The transaction rolled back: nothing of this batch is stored.
      parentPort!.postMessage(failure(error));
    }
  });
}
