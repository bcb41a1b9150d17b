import type { EventStore, RecordedEvent, StreamRevision } from '#event-store/event-store.port';
import { advanceChain, chainStart, checkChainLink, type ChainBreakKind, type ChainCursor } from '#event-store/chain-check';
import { chainHeadOf, emptyChain, type ChainHead } from '#event-store/hash-chain';
import { AppendOnlyMap } from '#ledger-domain/customer/append-only-map';
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
  /** The state a decision's events leave on the state it was made on, when the decider kept it (so they are not evolved twice). */
  readonly decided?: (before: S, events: readonly Ev[]) => S | undefined;
}

/**
 * Where one command's events sit in its stream, so that a retry of it (an Idempotency-Key, a
 * re-run of the lifecycle) is recognised and gets the first answer back. Only revisions are kept:
 * the answer itself (events, state after them) is rebuilt from the stream on the rare replay
 * (`StreamRepository.replay`), so a cached stream costs a few numbers per command, not a state.
 */
export interface CommandRecord {
  readonly requestFingerprint: string | undefined;
  readonly firstRevision: bigint;
  readonly lastRevision: bigint;
  readonly position: bigint;
}

/** A replayed command's first answer: the events it appended and the stream's state after them. */
export interface CommandReplay<S, Ev> {
  readonly events: readonly Ev[];
  readonly stateAfter: S;
}

/** A stream as `StreamRepository.read` gives it: read, folded on demand. */
export interface StreamRead<S> {
  /** Whether one of the stream's events was written by this command. */
  holds(commandId: string): boolean;
  /** The events as stored, when they were read here; undefined when the stream came folded from the cache. */
  readonly events: readonly RecordedEvent[] | undefined;
  /** The loaded stream (folded and chain-checked once, then cached). */
  fold(): LoadedStream<S>;
}

/** A stream already folded (cached, a dry run's, reloaded) as a read. */
export const foldedRead = <S>(loaded: LoadedStream<S>): StreamRead<S> => ({
  holds: (commandId) => loaded.commands.has(commandId),
  events: undefined,
  fold: () => loaded,
});

export interface LoadedStream<S> {
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
  /** By command id; persistent, so folding onto a stream (even a dry run's branch) never copies it. */
  readonly commands: AppendOnlyMap<CommandRecord>;
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
  private readonly cache = new Map<string, LoadedStream<S>>();

  constructor(
    private readonly store: EventStore,
    private readonly model: StreamModel<S, Ev>,
    private readonly cacheSize = 10_000,
    private readonly integrity?: ChainIntegrity,
    /**
     * A bulk pass's repository over the API's (same model, same checks): a stream hot there is
     * taken from, and kept in, that cache; the cold ones stay in this small one.
     */
    private readonly shared?: StreamRepository<S, Ev>,
  ) {}

  async load(streamName: string): Promise<LoadedStream<S>> {
    const base = this.cache.get(streamName) ?? this.shared?.cache.get(streamName) ?? this.unread();
    const fromRevision = base.revision === 'no_stream' ? 0n : base.revision + 1n;
    const read = await this.store.readStream(streamName, { fromRevision });
    const loaded = read.events.length === 0 ? base : this.fold(base, read.events);
    this.remember(streamName, loaded);
    return loaded;
  }

  /**
   * A stream read but not yet folded, for a pass that mostly finds its commands there already
   * (a re-import): whether it holds a command is known from the events' metadata, and the fold
   * (the chain check, decoding, evolving) is paid only by `fold()`, when a decision needs the
   * state; it is then cached as `load` would. A cached stream is caught up and folded as ever.
   */
  async read(streamName: string): Promise<StreamRead<S>> {
    if (this.cache.has(streamName) || this.shared?.cache.has(streamName) === true) return foldedRead(await this.load(streamName));
    const { events } = await this.store.readStream(streamName);
    const commandIds = new Set(events.map((e) => e.metadata['commandId']));
    let loaded: LoadedStream<S> | undefined;
    return {
      holds: (commandId) => commandIds.has(commandId),
      events,
      fold: () => {
        if (loaded === undefined) {
          loaded = events.length === 0 ? this.unread() : this.fold(this.unread(), events);
          this.remember(streamName, loaded);
        }
        return loaded;
      },
    };
  }

  /** A stream before any of its events is read. */
  unread(): LoadedStream<S> {
    return {
      state: this.model.initialState(),
      revision: 'no_stream',
      chain: emptyChain,
      link: chainStart,
      integrity: undefined,
      position: 0n,
      commands: AppendOnlyMap.empty(),
    };
  }

  /** Records the outcome of a successful append without reading it back. */
  remember(streamName: string, loaded: LoadedStream<S>): void {
    if (this.shared?.cache.has(streamName) === true) {
      this.cache.delete(streamName);
      this.shared.remember(streamName, loaded);
      return;
    }
    this.cache.delete(streamName); // re-insert: Map order is the LRU order
    this.cache.set(streamName, loaded);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  forget(streamName: string): void {
    this.cache.delete(streamName);
    this.shared?.forget(streamName);
  }

  /**
   * Rebuilds a recorded command's first answer from the stream: its events, and the state after
   * its last one. A full read and fold, paid only by a retry; the chain was checked when the
   * stream was first loaded, and the runner refuses a broken one before it asks.
   */
  async replay(streamName: string, record: CommandRecord): Promise<CommandReplay<S, Ev>> {
    const read = await this.store.readStream(streamName, { maxCount: Number(record.lastRevision) + 1 });
    let state = this.model.initialState();
    const events: Ev[] = [];
    for (const stored of read.events) {
      const event = this.model.decode(stored);
      state = this.model.evolve(state, event);
      if (stored.revision >= record.firstRevision) events.push(event);
    }
    return { events, stateAfter: state };
  }

  /**
   * Folds recorded events onto a loaded stream, indexing them by command. `written`: the domain
   * events of `recorded`, in order, when this process has just appended them: hashed by itself, so
   * their links need no check, and decided here, so they need no decoding. `stateAfter`: the state
   * they leave, when the caller evolved it already (an import's group), so they are not evolved again;
   * for `written` events the model's decider kept the state after (`StreamModel.decided`), that one.
   */
  fold(base: LoadedStream<S>, recorded: readonly RecordedEvent[], options: { written?: readonly Ev[]; stateAfter?: S } = {}): LoadedStream<S> {
    const stateAfter = options.stateAfter ?? (options.written === undefined ? undefined : this.model.decided?.(base.state, options.written));
    let state = base.state;
    let revision = base.revision;
    let chain = base.chain;
    let link = base.link;
    let integrity = base.integrity;
    let position = base.position;
    let commands = base.commands;
    const check = this.integrity;
    const written = options.written;
    for (let i = 0; i < recorded.length; i++) {
      const stored = recorded[i]!;
      if (check === undefined || written !== undefined) link = advanceChain(link, stored);
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
      const event = written?.[i] ?? this.model.decode(stored);
      if (stateAfter === undefined) state = this.model.evolve(state, event);
      revision = stored.revision;
      chain = chainHeadOf(stored);
      position = stored.position;
      const commandId = typeof stored.metadata['commandId'] === 'string' ? stored.metadata['commandId'] : undefined;
      if (commandId === undefined) continue;
      const fingerprint = stored.metadata['requestFingerprint'];
      const prior = commands.get(commandId);
      commands = commands.set(commandId, {
        requestFingerprint: typeof fingerprint === 'string' ? fingerprint : undefined,
        firstRevision: prior?.firstRevision ?? stored.revision,
        lastRevision: stored.revision,
        position,
      });
    }
    return { state: stateAfter ?? state, revision, chain, link, integrity, position, commands };
  }
}
