/**
 * The in-memory model of one EventStoreDB node's data: a single global transaction log (`$all`) and an
 * index per stream. No gRPC here; `server.ts` translates the wire protocol onto this.
 *
 * Positions imitate the real log: each record starts where the previous one ended (pre-position), its size
 * depends on its content, so positions are strictly increasing, start above zero and have gaps. Nobody can
 * count events with them, just as with a real server. Commit position = prepare position (one event per record).
 */

/** One event as stored. Positions and revisions are bigints: they are u64 on the wire. */
export interface StoredEvent {
  /** Lower-case canonical UUID, as the server renders a Guid. */
  readonly id: string;
  readonly streamName: string;
  readonly revision: bigint;
  /** Pre-position of the record: forward `$all` reads and subscriptions compare against this. */
  readonly position: bigint;
  /** Post-position (where the next record starts): backward `$all` reads compare against this. */
  readonly nextPosition: bigint;
  readonly type: string;
  /** The server keeps only "is JSON", so any other content type reads back as application/octet-stream. */
  readonly isJson: boolean;
  /** .NET ticks (100 ns) since the Unix epoch. */
  readonly createdTicks: bigint;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export type ExpectedRevision =
  { readonly kind: 'revision'; readonly revision: bigint } | { readonly kind: 'no_stream' } | { readonly kind: 'any' } | { readonly kind: 'stream_exists' };

export type AppendResult =
  | {
      readonly kind: 'success';
      /** False when the append was recognised as a retry of events already written (idempotent write). */
      readonly written: boolean;
      /** Revision of the last event of the append; undefined = the stream still does not exist (empty append). */
      readonly lastRevision: bigint | undefined;
      /** Position of the last event of the append; undefined when nothing was appended. */
      readonly position: bigint | undefined;
    }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: bigint | undefined };

/** Fixed part of a pseudo record size: keeps positions apart even for empty events. */
const RECORD_HEADER_BYTES = 87n;
const TICKS_PER_MILLISECOND = 10_000n;
const MAX_INT64 = (1n << 63n) - 1n;

/** First index `i` in `items` for which `isAtOrAfter(items[i])` holds; `items.length` if none. */
export function lowerBound<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAtOrAfter(items[mid] as T)) high = mid;
    else low = mid + 1;
  }
  return low;
}

export class EventLog {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Per stream, the latest event carrying each id: what the server's idempotency check for `any` looks at. */
  private readonly idsByStream = new Map<string, Map<string, StoredEvent>>();
  private nextPosition: bigint;
  private appended: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(firstPosition: bigint) {
    if (firstPosition <= 0n || firstPosition > MAX_INT64) {
      throw new RangeError('firstPosition must be above 0 and at most 2^63 - 1 (the server stores positions as int64)');
    }
    this.nextPosition = firstPosition;
  }

  /** The global log in commit order. */
  get all(): readonly StoredEvent[] {
    return this.log;
  }

  /** Position just after the last record: where the next record will start. */
  get endPosition(): bigint {
    return this.nextPosition;
  }

  stream(name: string): readonly StoredEvent[] | undefined {
    return this.streams.get(name);
  }

  /** Resolves at the next append of any event. One shared promise, so waiting subscriptions cost nothing per event. */
  nextAppend(): Promise<void> {
    if (!this.appended) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.appended = { promise, resolve };
    }
    return this.appended.promise;
  }

  append(streamName: string, expected: ExpectedRevision, events: readonly ProposedEvent[], now: Date): AppendResult {
    const existing = this.streams.get(streamName) ?? [];
    const current = BigInt(existing.length) - 1n;
    const decision = this.decide(streamName, existing, expected, events);
    if (decision.kind === 'wrong_expected_version') {
      return { kind: 'wrong_expected_version', currentRevision: current < 0n ? undefined : current };
    }
    if (decision.kind === 'idempotent') {
      return { kind: 'success', written: false, lastRevision: decision.last.revision, position: decision.last.position };
    }
    if (events.length === 0) {
      return { kind: 'success', written: false, lastRevision: current < 0n ? undefined : current, position: undefined };
    }
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const ids = this.idsByStream.get(streamName) ?? new Map<string, StoredEvent>();
    this.idsByStream.set(streamName, ids);
    const createdTicks = BigInt(now.getTime()) * TICKS_PER_MILLISECOND;
    let last: StoredEvent | undefined;
    for (const event of events) {
      const position = this.nextPosition;
      const nextPosition = position + recordSize(streamName, event);
      const stored: StoredEvent = {
        ...event,
        streamName,
        revision: BigInt(stream.length),
        position,
        nextPosition,
        createdTicks,
      };
      stream.push(stored);
      this.log.push(stored);
      ids.set(stored.id, stored);
      this.nextPosition = nextPosition;
      last = stored;
    }
    this.notifyAppended();
    return { kind: 'success', written: true, lastRevision: last?.revision, position: last?.position };
  }

  /**
   * The server's commit check (KurrentDB IndexWriter.CheckCommit), minus soft deletes and metadata streams:
   * - `any` / `stream_exists`: if the first id is already in the stream, every id must be (idempotent, nothing
   *   written), otherwise the append is a conflict; if the first id is new, the events are written.
   * - exact revision E (no_stream = -1) below the current revision: the ids must equal the events at E+1, E+2, …
   *   (idempotent) or it is a wrong expected version; above the current revision: wrong expected version;
   *   equal: written (even when the ids already occur earlier in the stream, as on the real server).
   */
  private decide(
    streamName: string,
    stream: readonly StoredEvent[],
    expected: ExpectedRevision,
    events: readonly ProposedEvent[],
  ): { kind: 'write' } | { kind: 'idempotent'; last: StoredEvent } | { kind: 'wrong_expected_version' } {
    const current = BigInt(stream.length) - 1n;
    if (expected.kind === 'stream_exists' && current < 0n) return { kind: 'wrong_expected_version' };
    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      const known = this.idsByStream.get(streamName);
      let last: StoredEvent | undefined;
      for (const [index, event] of events.entries()) {
        const earlier = known?.get(event.id);
        if (!earlier) return index === 0 ? { kind: 'write' } : { kind: 'wrong_expected_version' };
        last = earlier;
      }
      return last ? { kind: 'idempotent', last } : { kind: 'write' };
    }
    const expectedRevision = expected.kind === 'no_stream' ? -1n : expected.revision;
    if (expectedRevision < current) {
      let revision = expectedRevision;
      for (const event of events) {
        revision += 1n;
        if (stream[Number(revision)]?.id !== event.id) return { kind: 'wrong_expected_version' };
      }
      const last = stream[Number(revision)];
      return revision === expectedRevision || !last ? { kind: 'wrong_expected_version' } : { kind: 'idempotent', last };
    }
    if (expectedRevision > current) return { kind: 'wrong_expected_version' };
    return { kind: 'write' };
  }

  private notifyAppended(): void {
    const waiting = this.appended;
    this.appended = undefined;
    waiting?.resolve();
  }
}

function recordSize(streamName: string, event: ProposedEvent): bigint {
  const bytes = Buffer.byteLength(streamName, 'utf8') + Buffer.byteLength(event.type, 'utf8') + event.data.byteLength + event.customMetadata.byteLength;
  return RECORD_HEADER_BYTES + BigInt(bytes);
}
