import type { EventStore, RecordedEvent, StreamRevision } from '#event-store/event-store.port';
import { advanceChain, chainStart, checkChainLink, type ChainBreakKind, type ChainCursor } from '#event-store/chain-check';
import { chainHeadOf, emptyChain, type ChainHead } from '#event-store/hash-chain';
import type { StoredEventDecoder } from '#ledger-domain/stored-events';
import type { ChainBreak, ChainIntegrity } from './quarantine';

/** A domain event as the deciders see it: a type tag and data. Metadata stays in the envelope. */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

/** How to rebuild one kind of stream: decode stored events, fold them. */
export interface StreamModel<S, Ev extends DomainEvent> {
  readonly name: string;
  /** A broken chain in a stream of this kind stops every command, not only its own (the program's). */
  readonly ledgerWide?: boolean;
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
  /** Where the check of the stream's chain stands: every event loaded is checked once, here. */
  readonly link: ChainCursor;
  /** The first break found in the stream's chain, if any: commands on it are refused. */
  readonly integrity: ChainBreak | undefined;
  /** Global position of the stream's last event (0n for an empty stream). */
  readonly position: bigint;
  readonly commands: ReadonlyMap<string, CommandRecord<S, Ev>>;
}

/**
 * Loads streams as folded state, with an LRU cache of recently used streams. A cached stream
 * is brought up to date by reading only the events after its revision, so another process's
 * appends are never missed, and a hot customer costs one small read per command, not a replay.
 *
 * With `integrity` (the application always wires it), the hash chain of every event loaded is
 * checked as it is folded, continuing from the cached stream's cursor: each event is checked once,
 * when first read. A break is kept on the stream (and in the quarantine), and the command runner
 * refuses to build on it. Without it (some tests fold hand-written streams), nothing is checked.
 */
export class StreamRepository<S, Ev extends DomainEvent> {
  private readonly cache = new Map<string, LoadedStream<S, Ev>>();

  constructor(
    private readonly store: EventStore,
    private readonly model: StreamModel<S, Ev>,
    private readonly cacheSize = 10_000,
    private readonly integrity?: ChainIntegrity,
  ) {}

  async load(streamName: string): Promise<LoadedStream<S, Ev>> {
    const cached = this.cache.get(streamName);
    const base: LoadedStream<S, Ev> = cached ?? {
      state: this.model.initialState(),
      revision: 'no_stream',
      chain: emptyChain,
      link: chainStart,
      integrity: undefined,
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

  /**
   * Folds recorded events onto a loaded stream, indexing them by command. `written`: events this
   * process has just appended, hashed by itself, so their links need no check.
   */
  fold(base: LoadedStream<S, Ev>, recorded: readonly RecordedEvent[], options: { written?: boolean } = {}): LoadedStream<S, Ev> {
    let state = base.state;
    let revision = base.revision;
    let chain = base.chain;
    let link = base.link;
    let integrity = base.integrity;
    let position = base.position;
    const commands = new Map(base.commands);
    const check = this.integrity;
    for (const stored of recorded) {
      if (check === undefined || options.written === true) link = advanceChain(link, stored);
      else {
        let broken: { kind: ChainBreakKind; detail: string } | undefined;
        link = checkChainLink(link, stored, check.policy, (kind, detail) => (broken ??= { kind, detail }));
        if (broken !== undefined && integrity === undefined) {
          integrity = {
            streamName: stored.streamName,
            revision: stored.revision,
            position: stored.position,
            ...broken,
            ledgerWide: this.model.ledgerWide === true,
          };
          check.quarantine.add(integrity);
        }
      }
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
    return { state, revision, chain, link, integrity, position, commands };
  }
}
