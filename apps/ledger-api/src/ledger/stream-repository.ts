import type { EventStore, RecordedEvent, StreamRevision } from '#event-store/event-store.port';
import { chainHeadOf, emptyChain, type ChainHead } from '#event-store/hash-chain';
import type { StoredEventDecoder } from '#ledger-domain/stored-events';

/** A domain event as the deciders see it: a type tag and data. Metadata stays in the envelope. */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

/** How to rebuild one kind of stream: decode stored events, fold them. */
export interface StreamModel<S, Ev extends DomainEvent> {
  readonly name: string;
  /** The stream kind's one decoder (`#ledger-domain/stored-events`). */
  readonly decode: StoredEventDecoder<Ev>;
  readonly evolve: (state: S, event: Ev) => S;
  readonly initialState: () => S;
}

/** What one command did to a stream, kept so an Idempotency-Key retry gets the first answer back. */
export interface CommandRecord<S, Ev> {
  readonly requestFingerprint: string | undefined;
  readonly events: readonly Ev[];
  readonly stateAfter: S;
  readonly position: bigint;
}

export interface LoadedStream<S, Ev> {
  readonly state: S;
  readonly revision: StreamRevision;
  /** Where the next event's hash chain continues from. */
  readonly chain: ChainHead;
  /** Global position of the stream's last event (0n for an empty stream). */
  readonly position: bigint;
  readonly commands: ReadonlyMap<string, CommandRecord<S, Ev>>;
}

/**
 * Loads streams as folded state, with an LRU cache of recently used streams. A cached stream
 * is brought up to date by reading only the events after its revision, so another process's
 * appends are never missed, and a hot customer costs one small read per command, not a replay.
 */
export class StreamRepository<S, Ev extends DomainEvent> {
  private readonly cache = new Map<string, LoadedStream<S, Ev>>();

  constructor(
    private readonly store: EventStore,
    private readonly model: StreamModel<S, Ev>,
    private readonly cacheSize = 10_000,
  ) {}

  async load(streamName: string): Promise<LoadedStream<S, Ev>> {
    const cached = this.cache.get(streamName);
    const base: LoadedStream<S, Ev> = cached ?? {
      state: this.model.initialState(),
      revision: 'no_stream',
      chain: emptyChain,
      position: 0n,
      commands: new Map(),
    };
    const fromRevision = base.revision === 'no_stream' ? 0n : base.revision + 1n;
    const read = await this.store.readStream(streamName, { fromRevision });
    const loaded = read.events.length === 0 ? base : this.fold(base, read.events);
    this.remember(streamName, loaded);
    return loaded;
  }

  /** Records the outcome of a successful append without reading it back. */
  remember(streamName: string, loaded: LoadedStream<S, Ev>): void {
    this.cache.delete(streamName); // re-insert: Map order is the LRU order
    this.cache.set(streamName, loaded);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  forget(streamName: string): void {
    this.cache.delete(streamName);
  }

  /** Folds recorded events onto a loaded stream, indexing them by command. */
  fold(base: LoadedStream<S, Ev>, recorded: readonly RecordedEvent[]): LoadedStream<S, Ev> {
    let state = base.state;
    let revision = base.revision;
    let chain = base.chain;
    let position = base.position;
    const commands = new Map(base.commands);
    for (const stored of recorded) {
      const event = this.model.decode(stored);
      state = this.model.evolve(state, event);
      revision = stored.revision;
      chain = chainHeadOf(stored);
      position = stored.position;
      const commandId = typeof stored.metadata['commandId'] === 'string' ? stored.metadata['commandId'] : undefined;
      if (commandId === undefined) continue;
      const fingerprint = stored.metadata['requestFingerprint'];
      const prior = commands.get(commandId);
      commands.set(commandId, {
        requestFingerprint: typeof fingerprint === 'string' ? fingerprint : undefined,
        events: prior ? [...prior.events, event] : [event],
        stateAfter: state,
        position,
      });
    }
    return { state, revision, chain, position, commands };
  }
}
