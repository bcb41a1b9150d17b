import type { EventStore } from '#event-store/event-store.port';
import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { DEFAULT_PROGRAM_ID, evolveProgram, initialProgramState } from '#ledger-domain/program/program';
import { decodeCustomerEvent, decodeProgramEvent } from '#ledger-domain/stored-events';
import type { ProgramVersionAt } from '#ledger-domain/reactions/react';
import { emptyVisitTally, tallyVisit, type VisitTally } from '#ledger-domain/reactions/visit-tally';
import { programStream } from '#runtime/streams';

/**
 * What the reactions read besides the triggering event, from the event store itself (never from
 * a projection, which may lag): the program's versions with their positions, and each customer's
 * visit tally at a given revision of the customer's stream.
 */

/** Every program version with the position that recorded it, read incrementally from the program stream. */
export class ProgramHistory {
  private readonly versions: ProgramVersionAt[] = [];
  private nextRevision = 0n;

  constructor(private readonly store: EventStore) {}

  get history(): readonly ProgramVersionAt[] {
    return this.versions;
  }

  /** Reads versions recorded since the last refresh (one small read when nothing changed). */
  async refresh(): Promise<void> {
    const { events } = await this.store.readStream(programStream(DEFAULT_PROGRAM_ID), { fromRevision: this.nextRevision });
    for (const stored of events) {
      const state = evolveProgram(initialProgramState(), decodeProgramEvent(stored));
      if (state.status === 'Configured') this.versions.push({ position: stored.position, program: { version: state.version, settings: state.settings } });
      this.nextRevision = stored.revision + 1n;
    }
  }
}

interface TallyAt {
  readonly revision: bigint;
  readonly tally: VisitTally;
}

/**
 * Customers' visit tallies by stream revision, cached (LRU). The runner shows it every customer
 * event it reads in log order (`observe`), so in steady state a tally is always at hand; after a
 * restart or an eviction, `at` reads the stream's missing prefix once.
 */
export class VisitTallies {
  private readonly cache = new Map<string, TallyAt>();

  constructor(
    private readonly store: EventStore,
    private readonly size = 20_000,
  ) {}

  /** Folds an event read from the log, when it continues the cached prefix of its stream. */
  observe(streamName: string, revision: bigint, event: CustomerEvent): void {
    const cached = this.cache.get(streamName);
    const base = revision === 0n ? { revision: -1n, tally: emptyVisitTally } : cached;
    if (base === undefined || base.revision !== revision - 1n) return;
    this.remember(streamName, { revision, tally: event.type === 'VisitCreated' ? tallyVisit(base.tally, event.data) : base.tally });
  }

  /** The tally of the stream's events up to and including `revision`. */
  async at(streamName: string, revision: bigint): Promise<VisitTally> {
    const cached = this.cache.get(streamName);
    if (cached?.revision === revision) return cached.tally;
    // Ahead of what is asked (a step being repeated) or missing: fold from the start of the stream.
    const base = cached !== undefined && cached.revision < revision ? cached : { revision: -1n, tally: emptyVisitTally };
    const { events } = await this.store.readStream(streamName, { fromRevision: base.revision + 1n, maxCount: Number(revision - base.revision) });
    let tally = base.tally;
    for (const stored of events) {
      const event = decodeCustomerEvent(stored);
      if (event.type === 'VisitCreated') tally = tallyVisit(tally, event.data);
    }
    const last = events[events.length - 1];
    if (last?.revision !== revision) throw new Error(`${streamName} has no event at revision ${revision}`);
    this.remember(streamName, { revision, tally });
    return tally;
  }

  private remember(streamName: string, entry: TallyAt): void {
    this.cache.delete(streamName); // re-insert: Map order is the LRU order
    this.cache.set(streamName, entry);
    if (this.cache.size > this.size) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
