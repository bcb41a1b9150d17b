import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import * as E from 'fp-ts/Either';
import { StoreUnavailableError } from '../event-store.port';
import type {
  AllSubscription,
  AppendResult,
  EventStore,
  ExpectedRevision,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  StreamRevision,
  WrongExpectedRevision,
} from '../event-store.port';
import { decodePosition, encodePosition, type EsdbPosition } from './esdb-position';

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string;
  /**
   * Stream-name prefixes of this service's streams. `$all` reads and subscriptions only hand
   * out events of these streams (subscriptions filter on the server), so system events and other
   * applications sharing the server never reach the projector. The service passes `STREAM_PREFIX`,
   * the prefix of every category it writes (libs/runtime/src/streams.ts, where stream names live).
   */
  readonly streamPrefixes: readonly string[];
  /** How many times an append that failed in transit is sent again (same ids, same revision). */
  readonly appendRetries?: number;
}

/** gRPC status codes meaning "the call may not have reached the server, or its answer was lost". */
const TRANSIENT_GRPC_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/**
 * The EventStoreDB adapter of the event-store port, over `@eventstore/db-client` (gRPC).
 *
 * - Appends always pass the caller's expected revision. Event ids are the caller's (derived from
 *   the command id), so an append resent after a lost answer is recognised by the server as the
 *   same write (idempotent) instead of being written twice: the adapter resends on UNAVAILABLE
 *   and deadline errors for exactly that reason.
 * - WrongExpectedVersion becomes the port's `WrongExpectedRevision` value.
 * - Positions are `commit · 2^64 + prepare` (see esdb-position.ts); revisions stay BigInt.
 * - EventStoreDB has no multi-stream transaction, so `appendToStreams` is absent: callers use the
 *   reservation-first path (apps/ledger-api/src/ledger/reservations.ts).
 * - `$all` reads and subscriptions hand out this service's streams only (prefix `loyalty`):
 *   never system events, never other applications' events on a shared server.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly streamPrefixes: readonly string[];
  private readonly appendRetries: number;
  private readonly subscriptions = new Set<EsdbAllSubscription>();
  private closed = false;

  constructor(options: EsdbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.streamPrefixes = options.streamPrefixes;
    this.appendRetries = options.appendRetries ?? 3;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    const fromRevision = options.fromRevision ?? 0n;
    if (options.maxCount !== undefined) {
      // A bounded read cannot tell where the stream ends: take the head first, so the revision
      // reported is never above an event the caller could have seen.
      const revision = await this.streamRevision(streamName);
      if (revision === 'no_stream' || revision < fromRevision) return { events: [], revision };
      const events = await this.readStreamEvents(streamName, fromRevision, BigInt(options.maxCount));
      return { events, revision };
    }
    const events = await this.readStreamEvents(streamName, fromRevision, undefined);
    const last = events[events.length - 1];
    if (last !== undefined) return { events, revision: last.revision };
    return { events, revision: fromRevision === 0n ? 'no_stream' : await this.streamRevision(streamName) };
  }

  async appendToStream(streamName: string, expected: ExpectedRevision, events: readonly NewEvent[]): Promise<E.Either<WrongExpectedRevision, AppendResult>> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const proposed = events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.client.appendToStream(streamName, proposed, { expectedRevision: expectedRevisionOf(expected) });
        const position = result.position ?? (await this.positionOf(streamName, result.nextExpectedRevision));
        return E.right({ nextRevision: result.nextExpectedRevision, position: encodePosition(position) });
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          return E.left({ _tag: 'WrongExpectedRevision', streamName, expected, actual: currentRevisionOf(error.actualVersion) });
        }
        // The same ids at the same expected revision: the server writes them at most once.
        if (attempt < this.appendRetries && isTransient(error)) {
          await delay(50 * 4 ** attempt);
          continue;
        }
        // Still unreachable after the retries: "not now" to the caller, not an internal error.
        if (isTransient(error)) {
          throw new StoreUnavailableError('unreachable', `EventStoreDB append failed: ${(error as Error).message}`, (error as { code: number }).code);
        }
        throw error;
      }
    }
  }

  async readAll(options: ReadAllOptions): Promise<readonly RecordedEvent[]> {
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount <= 0) {
      throw new RangeError('readAll maxCount must be a positive integer');
    }
    const after = options.after ?? 0n;
    const page: RecordedEvent[] = [];
    let from: EsdbPosition | typeof START = after === 0n ? START : decodePosition(after);
    // A page of system events (or other applications' events) alone is not the end of the log:
    // keep reading until this page has events of ours, or the server has no more.
    for (;;) {
      const raw: AllStreamResolvedEvent[] = await collect(
        this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: BigInt(options.maxCount + 1) }),
      );
      let last: EsdbPosition | undefined;
      for (const resolved of raw) {
        const recorded = resolved.event;
        if (recorded === undefined) continue;
        last = recorded.position;
        // Reads from a position include the event there; the port's `after` is exclusive.
        if (encodePosition(recorded.position) <= after || !this.isOurs(recorded.streamId)) continue;
        page.push(toRecorded(recorded, recorded.position));
        if (page.length === options.maxCount) return page;
      }
      if (page.length > 0 || last === undefined || raw.length < options.maxCount + 1) return page;
      from = last;
    }
  }

  /**
   * A catch-up subscription to `$all` after `after`, filtered on the server by stream-name
   * prefix. It ends with an error when the connection drops: the caller resubscribes from
   * its own checkpoint.
   */
  subscribeToAll(options: { readonly after: bigint }): AllSubscription {
    const subscription = new EsdbAllSubscription(
      this.client.subscribeToAll({
        fromPosition: options.after === 0n ? START : decodePosition(options.after),
        filter: streamNameFilter({ prefixes: [...this.streamPrefixes] }),
      }),
      options.after,
      (streamName) => this.isOurs(streamName),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    let from: EsdbPosition | typeof END = END;
    for (;;) {
      const raw: AllStreamResolvedEvent[] = await collect(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 100n }));
      for (const resolved of raw) {
        const recorded = resolved.event;
        if (recorded === undefined) continue;
        if (this.isOurs(recorded.streamId)) return encodePosition(recorded.position);
        from = recorded.position;
      }
      if (raw.length < 100) return 0n;
    }
  }

  /** Fails unless the server answers (start-up check, readiness). */
  async ping(): Promise<void> {
    await collect(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1n }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** Ours: a stream of this service (never a `$` system stream, whatever the prefixes say). */
  private isOurs(streamName: string): boolean {
    return !streamName.startsWith('$') && this.streamPrefixes.some((prefix) => streamName.startsWith(prefix));
  }

  private async readStreamEvents(streamName: string, fromRevision: bigint, maxCount: bigint | undefined): Promise<RecordedEvent[]> {
    try {
      const read = this.client.readStream(streamName, { fromRevision, direction: FORWARDS, ...(maxCount !== undefined && { maxCount }) });
      return (await collect(read)).flatMap((resolved) => (resolved.event === undefined ? [] : [toRecorded(resolved.event, resolved.event.position)]));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private async streamRevision(streamName: string): Promise<StreamRevision> {
    try {
      const [last] = await collect(this.client.readStream(streamName, { fromRevision: END, direction: BACKWARDS, maxCount: 1n }));
      return last?.event?.revision ?? 'no_stream';
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 'no_stream';
      throw error;
    }
  }

  /** An idempotent retry may be answered without a position: find it on the event itself. */
  private async positionOf(streamName: string, revision: bigint): Promise<EsdbPosition> {
    const [event] = await this.readStreamEvents(streamName, revision, 1n);
    if (event === undefined) throw new Error(`appended event ${streamName}@${revision} cannot be read back`);
    return decodePosition(event.position);
  }
}

/** Buffers a subscription so the projector can take events in batches, with backpressure. */
class EsdbAllSubscription implements AllSubscription {
  private readonly buffer: RecordedEvent[] = [];
  private failure: Error | undefined;
  private ended = false;
  private waiter: (() => void) | undefined;
  private readonly highWater = 4096;

  constructor(
    private readonly subscription: AllStreamSubscription,
    private readonly after: bigint,
    private readonly isOurs: (streamName: string) => boolean,
    private readonly onClose: () => void,
  ) {
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      const recorded = resolved.event;
      if (recorded === undefined || this.ended) return;
      // The server may start at the checkpoint's own event; the checkpoint is exclusive.
      if (encodePosition(recorded.position) <= this.after || !this.isOurs(recorded.streamId)) return;
      let event: RecordedEvent;
      try {
        event = toRecorded(recorded, recorded.position);
      } catch (error) {
        // An event of ours that is not ours to read: stop here, loudly, rather than skip a fact.
        this.end(error as Error);
        void subscription.unsubscribe().catch(() => undefined);
        return;
      }
      this.buffer.push(event);
      if (this.buffer.length >= this.highWater) subscription.pause();
      this.wake();
    });
    subscription.on('error', (error: Error) => this.end(error));
    subscription.on('end', () => this.end(new Error('the EventStoreDB subscription ended')));
    subscription.on('close', () => this.end(new Error('the EventStoreDB subscription closed')));
  }

  async next(maxCount: number, gatherMs = 0): Promise<readonly RecordedEvent[]> {
    if (this.buffer.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
    if (this.buffer.length > 0 && this.buffer.length < maxCount && gatherMs > 0 && !this.ended) await delay(gatherMs);
    if (this.buffer.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      return [];
    }
    const taken = this.buffer.splice(0, maxCount);
    if (this.buffer.length < this.highWater / 2 && this.subscription.isPaused()) this.subscription.resume();
    return taken;
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.wake();
      await this.subscription.unsubscribe().catch(() => undefined);
    }
    this.onClose();
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.onClose();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

type ClientRecorded = NonNullable<ResolvedEvent['event']>;

/** The client's event as the port's, refusing what this service cannot have written. Positions only come with `$all` reads on older servers. */
function toRecorded(event: ClientRecorded, position: EsdbPosition | undefined): RecordedEvent {
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(`event ${event.streamId}@${event.revision} is not a JSON object: not written by this service`);
  }
  const metadata = event.metadata === undefined ? {} : event.metadata;
  if (!isJsonObject(metadata)) throw new Error(`event ${event.streamId}@${event.revision} has metadata that is not a JSON object`);
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    streamName: event.streamId,
    revision: event.revision,
    position: position === undefined || position.commit === MAX_U64 ? 0n : encodePosition(position),
  };
}

const MAX_U64 = (1n << 64n) - 1n;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function expectedRevisionOf(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return expected;
  }
}

function currentRevisionOf(actual: unknown): StreamRevision {
  return typeof actual === 'bigint' ? actual : 'no_stream';
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of read) out.push(item);
  return out;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
