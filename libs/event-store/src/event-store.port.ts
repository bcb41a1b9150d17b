import type { Either } from 'fp-ts/Either';

/**
 * The event-store port: the one seam between the ledger and its store of record.
 * Two adapters implement it (the embedded SQLite store and EventStoreDB) and both
 * pass the same contract suite (`libs/event-store/src/testing/event-store.contract.ts`).
 *
 * Glossary
 * - stream: the ordered events of one thing (a customer's ledger, the program, a reservation).
 * - revision: an event's 0-based index within its stream. BigInt, never a JS number.
 * - position: an event's place in the single global order of all events (`$all`). BigInt,
 *   strictly increasing in commit order; gaps are allowed, so never count with it.
 */

/** A JSON value as stored in an event's data or metadata. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** An event as proposed to the store. The id is chosen by the writer so retries are recognisable. */
export interface NewEvent {
  /** UUID, deterministic for a given command so a retried append carries the same ids. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/** An event as read back from the store. */
export interface RecordedEvent extends NewEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
}

/**
 * What the writer believes the stream's current revision is.
 * - `no_stream`: the stream must not exist yet (reservations, enrolment);
 * - a bigint: the revision of the stream's last event (optimistic concurrency);
 * - `stream_exists`, `any`: weaker checks, never used for ledger appends (EventStoreDB only
 *   recognises a retried append reliably when a revision is given).
 */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

/** The stream's revision as seen by a reader: `no_stream` when it has no events. */
export type StreamRevision = bigint | 'no_stream';

export interface AppendResult {
  /** Revision of the last event appended (the stream's new revision). */
  readonly nextRevision: bigint;
  /** Global position of the last event appended. */
  readonly position: bigint;
}

/** The expected revision did not hold: someone else appended first. Safe to re-decide and retry. */
export interface WrongExpectedRevision {
  readonly _tag: 'WrongExpectedRevision';
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly actual: StreamRevision;
}

/**
 * Why the store cannot take writes (or answer) now: the disk is full, the database is locked by
 * another process beyond the busy timeout, an I/O error, or the server is unreachable. Adapters
 * reject with this (never a Left: nothing was decided) so that callers can answer "not now, retry"
 * instead of an internal error; nothing of a rejected append was written.
 */
export type StoreFailureReason = 'full' | 'locked' | 'io' | 'unreachable';

export class StoreUnavailableError extends Error {
  /** The underlying error's code (SQLite's `SQLITE_FULL`, gRPC's 14), for diagnostics. */
  readonly code: string | number | undefined;

  constructor(
    readonly reason: StoreFailureReason,
    message: string,
    code?: string | number,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
    this.code = code;
  }
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly NewEvent[];
}

export interface ReadStreamOptions {
  /** Inclusive revision to start from (default 0). */
  readonly fromRevision?: bigint;
  /** Upper bound on events returned (default: all). */
  readonly maxCount?: number;
}

export interface ReadStreamResult {
  readonly events: readonly RecordedEvent[];
  /** The stream's revision at read time, independent of `fromRevision`/`maxCount`. */
  readonly revision: StreamRevision;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to start at the beginning. */
  readonly after?: bigint;
  /** Page size. Required, so no caller can read the whole log into memory by accident. */
  readonly maxCount: number;
}

/**
 * A live feed of the global log after a position, for stores that push (EventStoreDB's catch-up
 * subscription to `$all`): historical events first, then new ones as they are committed.
 */
export interface AllSubscription {
  /**
   * Up to `maxCount` events in global order, waiting until at least one is there; after the
   * first arrives, waits up to `gatherMs` for more to fill the batch. Resolves `[]` once
   * closed; rejects when the subscription dropped (resubscribe from your checkpoint).
   */
  next(maxCount: number, gatherMs?: number): Promise<readonly RecordedEvent[]>;
  close(): Promise<void>;
}

export interface EventStore {
  /** Reads one stream forwards. A stream that does not exist reads as empty with `no_stream`. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadStreamResult>;

  /**
   * Appends events atomically to one stream if its revision is `expected`.
   * A conflict is a value (Left), not an exception; infrastructure failures reject.
   * Appending the very same event ids again at the revision they were first written
   * (a retried request) succeeds without writing anything twice.
   */
  appendToStream(streamName: string, expected: ExpectedRevision, events: readonly NewEvent[]): Promise<Either<WrongExpectedRevision, AppendResult>>;

  /**
   * Optional: appends to several streams atomically, all or nothing, each at its own expected
   * revision. Only stores with multi-stream transactions offer it (the embedded store does,
   * EventStoreDB does not); callers fall back to one append per stream when it is absent.
   * The Left names the first stream whose expectation failed; nothing was written.
   */
  appendToStreams?(appends: readonly StreamAppend[]): Promise<Either<WrongExpectedRevision, readonly AppendResult[]>>;

  /** Reads the global log forwards in pages. An empty page means the reader is caught up. */
  readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]>;

  /**
   * Optional: calls `listener` after appends made through this instance were committed (with how
   * many were committed together), so an in-process projector can catch up at once instead of
   * polling, and metrics can see the batch sizes. Returns an unsubscribe.
   */
  onAppended?(listener: (appends: number) => void): () => void;

  /**
   * Optional: a catch-up subscription to the log strictly after `after` (`0n`: from the start),
   * for stores that push. Without it, readers poll `readAll`. May be filtered to this service's
   * streams, so a subscriber sees a subset of what `readAll` returns, in the same order.
   */
  subscribeToAll?(options: { readonly after: bigint }): AllSubscription;

  /** Position of the most recent event, or `0n` when the store is empty. */
  headPosition(): Promise<bigint>;

  /**
   * Optional: commits a tiny write outside the log (never an event), to tell whether writes work
   * again after they failed; rejects like an append would. Readiness uses it, so a replica taken
   * out of rotation by failing writes comes back without needing a client's write to succeed.
   */
  probeWrite?(): Promise<void>;

  /** Flushes pending work and releases resources. */
  close(): Promise<void>;
}
