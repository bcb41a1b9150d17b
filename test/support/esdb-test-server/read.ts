/**
 * `Streams/Read`: stream and `$all` reads, and catch-up subscriptions that turn live.
 *
 * Every response goes through `ResponseSink.send`, which waits for the call's 'drain' when `write()` returns
 * false, and subscriptions pull from the log by index instead of being pushed a copy of every new event:
 * a slow subscriber holds back only its own cursor, never a growing buffer on the server.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { parseFilter, READ_BATCH_SIZE, type EventFilter } from './filter';
import { lowerBound, type EventLog, type StoredEvent } from './store';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  eventResponse,
  rpcError,
  streamNameOf,
  streamNotFoundResponse,
  u64,
  type RpcError,
} from './wire';

export type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

/** A log position; commit = prepare for every record this server writes, but clients may send any pair. */
interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

type StreamFrom = 'start' | 'end' | bigint;
type AllFrom = 'start' | 'end' | Position;

type ReadPlan =
  | { readonly kind: 'read-stream'; readonly stream: string; readonly from: StreamFrom; readonly forwards: boolean; readonly count: bigint }
  | { readonly kind: 'read-all'; readonly from: AllFrom; readonly forwards: boolean; readonly count: bigint; readonly filter?: EventFilter }
  | { readonly kind: 'subscribe-stream'; readonly stream: string; readonly from: StreamFrom }
  | { readonly kind: 'subscribe-all'; readonly from: AllFrom; readonly filter?: EventFilter };

/** What the test API can see of an open subscription. */
export interface SubscriptionInfo {
  readonly subscriptionId: string;
  /** `$all`, or the stream name. */
  readonly target: string;
  /** Events handed to gRPC for this call so far (confirmation, checkpoints and caught-up not counted). */
  readonly eventsSent: number;
  /** True once `caught_up` has been sent: the subscription is live. */
  readonly caughtUp: boolean;
}

/** Wraps one server-streaming call: sends with backpressure, ends once, and knows when the call is gone. */
export class ResponseSink {
  private done = false;
  /** Wakes whatever the pump is waiting for (drain, next append) when the call closes. */
  private wake: (() => void) | undefined;
  private signalClosed!: () => void;
  /** Resolves when the call is ended by us, cancelled by the client, or torn down. */
  readonly closed = new Promise<void>((resolve) => (this.signalClosed = resolve));

  constructor(private readonly call: ReadCall) {
    const close = () => this.markClosed();
    call.on('cancelled', close);
    call.on('close', close);
  }

  get isClosed(): boolean {
    return this.done;
  }

  /** Sends one response; false when the call is closed (the caller should stop). */
  async send(response: ReadResp): Promise<boolean> {
    if (this.done) return false;
    if (!this.call.write(response)) await this.sleep((wake) => this.call.once('drain', wake));
    return !this.done;
  }

  /** Waits for the next append to the log, or for the call to close. */
  async nextAppend(log: EventLog): Promise<void> {
    await this.sleep((wake) => void log.nextAppend().then(wake));
  }

  /** Ends the call with status OK (after what was written is flushed). */
  end(): void {
    if (this.markClosed()) this.call.end();
  }

  /** Ends the call with an error status and trailers. */
  fail(error: RpcError): void {
    // grpc-js turns an 'error' emitted on a server stream into the call's status.
    if (this.markClosed()) this.call.emit('error', error);
  }

  /** One waiter at a time (the pump is sequential), woken early if the call closes: nothing piles up per wait. */
  private async sleep(until: (wake: () => void) => void): Promise<void> {
    if (this.done) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      until(resolve);
    });
    this.wake = undefined;
  }

  private markClosed(): boolean {
    if (this.done) return false;
    this.done = true;
    this.wake?.();
    this.signalClosed();
    return true;
  }
}

/** An open subscription call as the server tracks it. */
export class Subscription implements SubscriptionInfo {
  readonly subscriptionId = randomUUID();
  eventsSent = 0;
  caughtUp = false;

  constructor(
    readonly target: string,
    readonly sink: ResponseSink,
  ) {}

  async sendEvent(event: StoredEvent, structuredIds: boolean): Promise<boolean> {
    const sent = await this.sink.send(eventResponse(event, structuredIds));
    if (sent) this.eventsSent += 1;
    return sent;
  }

  async sendCaughtUp(): Promise<boolean> {
    this.caughtUp = true;
    return this.sink.send(caughtUpResponse());
  }
}

export interface ReadHooks {
  /** Called for every subscription call while it is open (dropSubscriptions, stop, diagnostics). */
  opened(subscription: Subscription): void;
  closed(subscription: Subscription): void;
}

export function handleRead(call: ReadCall, log: EventLog, hooks: ReadHooks): ResponseSink {
  const sink = new ResponseSink(call);
  const request = call.request.getOptions();
  const structuredIds = request?.getUuidOption()?.getContentCase() === ReadReq.Options.UUIDOption.ContentCase.STRUCTURED;
  const plan = request ? planRead(request) : 'options are required';
  if (typeof plan === 'string') {
    sink.fail(rpcError(status.INVALID_ARGUMENT, plan));
    return sink;
  }
  const run = async () => {
    switch (plan.kind) {
      case 'read-stream':
        return readStream(sink, log, plan, structuredIds);
      case 'read-all':
        return readAll(sink, log, plan, structuredIds);
      case 'subscribe-stream':
      case 'subscribe-all': {
        const subscription = new Subscription(plan.kind === 'subscribe-all' ? '$all' : plan.stream, sink);
        hooks.opened(subscription);
        try {
          if (plan.kind === 'subscribe-all') await subscribeToAll(subscription, log, plan, structuredIds);
          else await subscribeToStream(subscription, log, plan, structuredIds);
        } finally {
          hooks.closed(subscription);
        }
      }
    }
  };
  run().catch((error: unknown) => sink.fail(rpcError(status.UNKNOWN, `test server failure: ${error instanceof Error ? error.message : String(error)}`)));
  return sink;
}

/** The option combinations KurrentDB's Streams.Read accepts; anything else is "invalid combination". */
function planRead(options: ReadReq.Options): ReadPlan | string {
  const { StreamOptionCase, CountOptionCase, FilterOptionCase, ReadDirection } = ReadReq.Options;
  if (!options.hasUuidOption()) return "'uuidOption' is a required argument";
  const forwards = options.getReadDirection() === ReadDirection.FORWARDS;
  const countCase = options.getCountOptionCase();
  const filterCase = options.getFilterOptionCase();
  let filter: EventFilter | undefined;
  if (filterCase === FilterOptionCase.FILTER) {
    const filterOptions = options.getFilter();
    const parsed = filterOptions ? parseFilter(filterOptions) : 'filter options are empty';
    if (typeof parsed === 'string') return parsed;
    filter = parsed;
  } else if (filterCase !== FilterOptionCase.NO_FILTER) {
    return 'one of filter or no_filter is required';
  }
  const count = countCase === CountOptionCase.COUNT ? u64(options.getCount()) : undefined;
  if (countCase === CountOptionCase.COUNT && count === undefined) return 'count must be a u64';
  const invalid = `The combination of (stream option ${options.getStreamOptionCase()}, count option ${countCase}, direction ${options.getReadDirection()}, filter option ${filterCase}) is invalid.`;

  switch (options.getStreamOptionCase()) {
    case StreamOptionCase.STREAM: {
      const streamOptions = options.getStream();
      const stream = streamNameOf(streamOptions?.getStreamIdentifier());
      if (!streamOptions || !stream) return 'stream_identifier is required';
      const from = streamFrom(streamOptions);
      if (from === undefined) return 'stream revision option is required';
      if (filter) return invalid;
      if (count !== undefined) return { kind: 'read-stream', stream, from, forwards, count };
      if (countCase === CountOptionCase.SUBSCRIPTION && forwards) return { kind: 'subscribe-stream', stream, from };
      return invalid;
    }
    case StreamOptionCase.ALL: {
      const allOptions = options.getAll();
      const from = allOptions ? allFrom(allOptions) : undefined;
      if (from === undefined) return 'all position option is required';
      if (count !== undefined) return { kind: 'read-all', from, forwards, count, ...(filter ? { filter } : {}) };
      if (countCase === CountOptionCase.SUBSCRIPTION && forwards) return { kind: 'subscribe-all', from, ...(filter ? { filter } : {}) };
      return invalid;
    }
    default:
      return invalid;
  }
}

function streamFrom(options: ReadReq.Options.StreamOptions): StreamFrom | undefined {
  const { RevisionOptionCase } = ReadReq.Options.StreamOptions;
  switch (options.getRevisionOptionCase()) {
    case RevisionOptionCase.START:
      return 'start';
    case RevisionOptionCase.END:
      return 'end';
    case RevisionOptionCase.REVISION:
      return u64(options.getRevision());
    default:
      return undefined;
  }
}

function allFrom(options: ReadReq.Options.AllOptions): AllFrom | undefined {
  const { AllOptionCase } = ReadReq.Options.AllOptions;
  switch (options.getAllOptionCase()) {
    case AllOptionCase.START:
      return 'start';
    case AllOptionCase.END:
      return 'end';
    case AllOptionCase.POSITION: {
      const position = options.getPosition();
      const commit = position ? u64(position.getCommitPosition()) : undefined;
      const prepare = position ? u64(position.getPreparePosition()) : undefined;
      return commit === undefined || prepare === undefined ? undefined : { commit, prepare };
    }
    default:
      return undefined;
  }
}

/** (a, a) >= (b.commit, b.prepare), the log's TFPos ordering. */
function atOrAfter(position: bigint, other: Position): boolean {
  return position > other.commit || (position === other.commit && position >= other.prepare);
}

/** (nextPosition, nextPosition) <= (limit.commit, limit.prepare): the record ends at or before `limit`. */
function endsWithin(nextPosition: bigint, limit: Position): boolean {
  return nextPosition < limit.commit || (nextPosition === limit.commit && nextPosition <= limit.prepare);
}

function after(position: bigint, other: Position): boolean {
  return position > other.commit || (position === other.commit && position > other.prepare);
}

/** Largest index as a JS number, for revisions far beyond any stream length. */
function toIndex(revision: bigint): number {
  return revision > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(revision);
}

async function readStream(sink: ResponseSink, log: EventLog, plan: Extract<ReadPlan, { kind: 'read-stream' }>, structuredIds: boolean): Promise<void> {
  const events = log.stream(plan.stream);
  if (!events) {
    // Not an error status: the real server answers with a stream_not_found message and ends the call.
    if (await sink.send(streamNotFoundResponse(plan.stream))) sink.end();
    return;
  }
  const last = events.length - 1;
  let index: number;
  if (plan.forwards) index = plan.from === 'start' ? 0 : plan.from === 'end' ? events.length : toIndex(plan.from);
  else index = plan.from === 'start' ? 0 : plan.from === 'end' ? last : Math.min(toIndex(plan.from), last);
  const step = plan.forwards ? 1 : -1;
  for (let sent = 0n; sent < plan.count && index >= 0 && index <= last; sent += 1n, index += step) {
    if (!(await sink.send(eventResponse(events[index] as StoredEvent, structuredIds)))) return;
  }
  sink.end();
}

async function readAll(sink: ResponseSink, log: EventLog, plan: Extract<ReadPlan, { kind: 'read-all' }>, structuredIds: boolean): Promise<void> {
  const events = log.all;
  const from = plan.from;
  let index: number;
  if (plan.forwards) {
    // Forwards: positions are pre-positions and inclusive, an event at exactly `from` is returned.
    index = from === 'start' ? 0 : from === 'end' ? events.length : lowerBound(events, (e) => atOrAfter(e.position, from));
  } else {
    // Backwards: positions are post-positions, so an event starting at exactly `from` is not returned.
    index = from === 'start' ? -1 : from === 'end' ? events.length - 1 : lowerBound(events, (e) => !endsWithin(e.nextPosition, from)) - 1;
  }
  const step = plan.forwards ? 1 : -1;
  let sent = 0n;
  for (; sent < plan.count && index >= 0 && index < events.length; index += step) {
    const event = events[index] as StoredEvent;
    if (plan.filter && !plan.filter.matches(event)) continue;
    if (!(await sink.send(eventResponse(event, structuredIds)))) return;
    sent += 1n;
  }
  sink.end();
}

/**
 * Catch-up then live, as KurrentDB's Enumerator.StreamSubscription: confirmation, every event after the
 * starting revision (exclusive), `caught_up`, then live events until the call ends.
 */
async function subscribeToStream(
  subscription: Subscription,
  log: EventLog,
  plan: Extract<ReadPlan, { kind: 'subscribe-stream' }>,
  structuredIds: boolean,
): Promise<void> {
  const { sink } = subscription;
  const current = log.stream(plan.stream)?.length ?? 0;
  let index = plan.from === 'start' ? 0 : plan.from === 'end' ? current : toIndex(plan.from) + 1;
  if (!(await sink.send(confirmationResponse(subscription.subscriptionId)))) return;
  while (!sink.isClosed) {
    const events = log.stream(plan.stream) ?? [];
    if (index < events.length) {
      if (!(await subscription.sendEvent(events[index] as StoredEvent, structuredIds))) return;
      index += 1;
    } else if (!subscription.caughtUp) {
      if (!(await subscription.sendCaughtUp())) return;
    } else {
      await sink.nextAppend(log);
    }
  }
}

/**
 * Catch-up then live on `$all`, as KurrentDB's Enumerator.AllSubscription(Filtered): confirmation, every
 * event after the starting position (exclusive), `caught_up`, then live events. With a filter, only matching
 * events are sent, and checkpoints come (a) during catch-up whenever `window × multiplier` records have been
 * scanned, checked after each page (up to `window` records scanned or 32 events matched), (b) once when the
 * catch-up reaches the end, just before `caught_up`, and (c) live, after every `window × multiplier` records.
 * A checkpoint carries the position of the last record scanned.
 */
async function subscribeToAll(
  subscription: Subscription,
  log: EventLog,
  plan: Extract<ReadPlan, { kind: 'subscribe-all' }>,
  structuredIds: boolean,
): Promise<void> {
  const { sink } = subscription;
  const { filter, from } = plan;
  const events = log.all;
  let index = from === 'start' ? 0 : from === 'end' ? events.length : lowerBound(events, (e) => after(e.position, from));
  let checkpoint: Position | undefined = typeof from === 'object' ? from : undefined;
  let scannedSinceCheckpoint = 0;
  const sendCheckpoint = async () => !checkpoint || sink.send(checkpointResponse(checkpoint.commit, checkpoint.prepare));

  if (!(await sink.send(confirmationResponse(subscription.subscriptionId)))) return;
  // Nothing to catch up on: the real server goes live at once, without a checkpoint.
  if (index >= events.length && !(await subscription.sendCaughtUp())) return;

  while (!sink.isClosed) {
    if (!subscription.caughtUp) {
      let scanned = 0;
      let matched = 0;
      while (index < events.length && scanned < (filter?.window ?? READ_BATCH_SIZE) && matched < READ_BATCH_SIZE) {
        const event = events[index] as StoredEvent;
        index += 1;
        scanned += 1;
        checkpoint = { commit: event.position, prepare: event.position };
        if (filter && !filter.matches(event)) continue;
        matched += 1;
        if (!(await subscription.sendEvent(event, structuredIds))) return;
      }
      if (!filter) {
        if (index >= events.length && !(await subscription.sendCaughtUp())) return;
        continue;
      }
      scannedSinceCheckpoint += scanned;
      if (index >= events.length) {
        if (!(await sendCheckpoint()) || !(await subscription.sendCaughtUp())) return;
        scannedSinceCheckpoint = 0;
      } else if (scannedSinceCheckpoint >= filter.checkpointInterval) {
        scannedSinceCheckpoint %= filter.checkpointInterval;
        if (!(await sendCheckpoint())) return;
      }
    } else if (index < events.length) {
      const event = events[index] as StoredEvent;
      index += 1;
      if ((!filter || filter.matches(event)) && !(await subscription.sendEvent(event, structuredIds))) return;
      if (filter && ++scannedSinceCheckpoint >= filter.checkpointInterval) {
        scannedSinceCheckpoint = 0;
        checkpoint = { commit: event.position, prepare: event.position };
        if (!(await sendCheckpoint())) return;
      }
    } else {
      await sink.nextAppend(log);
    }
  }
}
