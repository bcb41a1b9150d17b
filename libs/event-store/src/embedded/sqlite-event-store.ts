import Database from 'better-sqlite3';
import * as E from 'fp-ts/Either';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  StreamRevision,
  WrongExpectedRevision,
} from '../event-store.port';

export interface SqliteEventStoreOptions {
  /** Path of the SQLite file; `:memory:` is refused, because an acknowledged append must be durable. */
  readonly filename: string;
  /** Upper bound on appends committed in one transaction (one fsync). */
  readonly maxBatchSize?: number;
}

/** Counters for the benchmark and for `/metrics` later: how well group commit is batching. */
export interface GroupCommitStats {
  readonly transactions: number;
  readonly appends: number;
  readonly largestBatch: number;
}

type AppendOutcome = E.Either<WrongExpectedRevision, AppendResult>;

interface PendingAppend {
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly rows: readonly EventRow[];
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface EventRow {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

interface StoredRow {
  position: bigint;
  stream_name: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_name TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  UNIQUE (stream_name, revision)
);
`;

/**
 * The embedded event store: one SQLite file in WAL mode with `synchronous=FULL`, so an
 * acknowledged append survives power loss.
 *
 * Group commit: appends are queued and every queued append is committed in one
 * transaction on the next turn of the event loop. While one transaction fsyncs, the
 * requests that arrive meanwhile queue up for the next one, so throughput is bounded by
 * events per fsync rather than one fsync per command. Each append in a batch is checked
 * against its expected revision on its own: one conflict does not fail its neighbours.
 *
 * Positions come from an AUTOINCREMENT key: never reused, and with one writer at a time
 * (SQLite's write lock) they become visible in increasing order, so a reader that has seen
 * position N will never later find an event below N.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly maxBatchSize: number;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private stats = { transactions: 0, appends: 0, largestBatch: 0 };

  private readonly selectStreamRevision: Database.Statement<[string], { revision: bigint }>;
  private readonly selectStream: Database.Statement<[string, bigint, bigint], StoredRow>;
  private readonly selectIdsFrom: Database.Statement<[string, bigint, bigint], { event_id: string; position: bigint }>;
  private readonly selectAll: Database.Statement<[bigint, bigint], StoredRow>;
  private readonly selectHead: Database.Statement<[], { head: bigint | null }>;
  private readonly insertEvent: Database.Statement<[string, bigint, string, string, string, string]>;
  private readonly commitBatch: (batch: readonly PendingAppend[]) => AppendOutcome[];

  constructor(options: SqliteEventStoreOptions) {
    if (options.filename === ':memory:' || options.filename === '') {
      throw new Error('SqliteEventStore needs a file: an in-memory store would acknowledge appends it can lose');
    }
    mkdirSync(dirname(options.filename), { recursive: true });
    this.maxBatchSize = options.maxBatchSize ?? 2_000;
    this.db = new Database(options.filename);
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Other processes (a projector, the CLI) may hold the write lock briefly.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);

    this.selectStreamRevision = this.db.prepare(
      'SELECT revision FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1',
    );
    this.selectStream = this.db.prepare(
      `SELECT position, stream_name, revision, event_id, type, data, metadata
         FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    );
    this.selectIdsFrom = this.db.prepare(
      'SELECT event_id, position FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision LIMIT ?',
    );
    this.selectAll = this.db.prepare(
      `SELECT position, stream_name, revision, event_id, type, data, metadata
         FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    );
    this.selectHead = this.db.prepare('SELECT MAX(position) AS head FROM events');
    this.insertEvent = this.db.prepare(
      'INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // IMMEDIATE: take the write lock up front so the revision checks inside see the final state.
    this.commitBatch = this.db.transaction((batch: readonly PendingAppend[]) => batch.map((p) => this.applyOne(p))).immediate;
  }

  get groupCommitStats(): GroupCommitStats {
    return { ...this.stats };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    const from = options.fromRevision ?? 0n;
    const limit = options.maxCount === undefined ? -1n : BigInt(options.maxCount);
    const rows = this.selectStream.all(streamName, from, limit);
    return { events: rows.map(toRecorded), revision: this.currentRevision(streamName) };
  }

  appendToStream(
    streamName: string,
    expected: ExpectedRevision,
    events: readonly NewEvent[],
  ): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.assertOpen();
      if (events.length === 0) {
        reject(new Error('appendToStream needs at least one event'));
        return;
      }
      // Serialise now, outside the transaction, so a bad payload fails its own caller only.
      const rows = events.map((e) => ({
        id: e.id,
        type: e.type,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(e.metadata),
      }));
      this.queue.push({ streamName, expected, rows, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    this.assertOpen();
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount <= 0) {
      throw new RangeError('readAll maxCount must be a positive integer');
    }
    return this.selectAll.all(options.after ?? 0n, BigInt(options.maxCount)).map(toRecorded);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.selectHead.get()?.head ?? 0n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (batch.length === 0) return;
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // Nothing of this batch was committed (the transaction rolled back): every caller learns it.
      for (const p of batch) p.reject(error);
      return;
    }
    this.stats.transactions += 1;
    this.stats.appends += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
  }

  private currentRevision(streamName: string): StreamRevision {
    return this.selectStreamRevision.get(streamName)?.revision ?? 'no_stream';
  }

  /** Runs inside the batch transaction. */
  private applyOne(p: PendingAppend): AppendOutcome {
    const actual = this.currentRevision(p.streamName);
    if (!expectationHolds(p.expected, actual)) {
      const replay = this.alreadyAppended(p, actual);
      return replay ? E.right(replay) : E.left({ _tag: 'WrongExpectedRevision', streamName: p.streamName, expected: p.expected, actual });
    }
    let revision = actual === 'no_stream' ? -1n : actual;
    let position = 0n;
    for (const row of p.rows) {
      revision += 1n;
      const info = this.insertEvent.run(p.streamName, revision, row.id, row.type, row.data, row.metadata);
      position = BigInt(info.lastInsertRowid);
    }
    return E.right({ nextRevision: revision, position });
  }

  /**
   * A retried append: the same event ids already sit right after the expected revision.
   * Report the original result instead of a conflict, as EventStoreDB does.
   */
  private alreadyAppended(p: PendingAppend, actual: StreamRevision): AppendResult | undefined {
    if (typeof p.expected !== 'bigint' && p.expected !== 'no_stream') return undefined;
    if (actual === 'no_stream') return undefined;
    const first = p.expected === 'no_stream' ? 0n : p.expected + 1n;
    const stored = this.selectIdsFrom.all(p.streamName, first, BigInt(p.rows.length));
    if (stored.length !== p.rows.length) return undefined;
    if (!stored.every((s, i) => s.event_id === p.rows[i]!.id)) return undefined;
    return { nextRevision: first + BigInt(p.rows.length) - 1n, position: stored[stored.length - 1]!.position };
  }
}

function expectationHolds(expected: ExpectedRevision, actual: StreamRevision): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}

function toRecorded(row: StoredRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    streamName: row.stream_name,
    revision: row.revision,
    position: row.position,
  };
}
