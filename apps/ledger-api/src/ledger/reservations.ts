import * as E from 'fp-ts/Either';
import type { EventStore, RecordedEvent, StreamAppend } from '#event-store/event-store.port';
import { chainEvents, chainHeadOf, emptyChain, type ChainKey } from '#event-store/hash-chain';
import type { CommandContext } from './command-context';
import { envelope, COMMAND_DEADLINE_MS } from './command-runner';
import { decodeReservationEvent } from '#ledger-domain/stored-events';
import { accountStream, reservationStream, type ReservationScope } from '#runtime/streams';

/**
 * Uniqueness across customers (e-mail, phone, purchase identifier per location) without a
 * multi-stream transaction, so the same design works on EventStoreDB: one stream per unique
 * value, claimed by appending `UniqueValueReserved` where the stream is empty (or released).
 *
 * The claim is appended in the same transaction as the ledger events where the store can do
 * that (the embedded store), so there it is all or nothing. Where it cannot (EventStoreDB),
 * the claim is appended first, and crash safety comes from:
 * - a retry of the same command finds its own reservation (same command id) and goes on;
 * - a reservation whose owner never completed (crash between reservation and ledger append)
 *   is taken over once it is older than twice the command deadline: the command runner refuses
 *   to append after the deadline, so such an owner can no longer complete, and no duplicate
 *   can slip through;
 * - a command that reserved and was then refused releases what it reserved.
 */
export interface Reservation {
  readonly scope: ReservationScope;
  /** The owner's stream: the customer's account, or for an Idempotency-Key the stream the keyed request wrote to. */
  readonly ownerStream: string;
  readonly commandId: string;
  /** What holds the value: the customer id for contacts, the payment id for purchases. */
  readonly reference: string;
  readonly reservedAt: string;
}

export interface ReservationTaken {
  readonly _tag: 'ReservationTaken';
  readonly holder: Reservation;
}

/** Has the reservation's owner completed (its ledger event exists)? */
export type HonouredCheck = (reservation: Reservation) => Promise<boolean>;

export class Reservations {
  constructor(
    private readonly store: EventStore,
    private readonly clock: () => Date,
    /** LEDGER_CHAIN_KEY, for the claims' own chains. */
    private readonly key?: ChainKey,
  ) {}

  /** The current holder of a value, if any. */
  async holder(scope: ReservationScope, value: string): Promise<Reservation | undefined> {
    const { last } = await this.read(reservationStream(scope, value));
    return last?.kind === 'reserved' ? last.reservation : undefined;
  }

  /**
   * What to append to claim a value for this command: a `StreamAppend` to commit together with
   * (or, on stores without multi-stream appends, just before) the ledger append; `undefined`
   * when this very command holds it already (a retry); or the current holder.
   */
  async claim(
    scope: ReservationScope,
    value: string,
    claim: { ownerStream: string; reference: string },
    context: CommandContext,
    honoured: HonouredCheck,
  ): Promise<E.Either<ReservationTaken, StreamAppend | undefined>> {
    const streamName = reservationStream(scope, value);
    const { last, revision, head } = await this.read(streamName);
    const events: { type: string; data: Record<string, string> }[] = [];
    if (last?.kind === 'reserved') {
      const holder = last.reservation;
      // Ours only if the same command claimed it for the same owner: a command id reused for another
      // customer (one Idempotency-Key sent for two customers) is not a retry.
      if (holder.commandId === context.commandId && holder.ownerStream === claim.ownerStream) return E.right(undefined);
      if (!(await this.isOrphan(holder, honoured))) return E.left({ _tag: 'ReservationTaken', holder });
      events.push({ type: 'UniqueValueReleased', data: { scope, commandId: holder.commandId, reason: 'orphaned: owner never completed' } });
    }
    events.push({
      type: 'UniqueValueReserved',
      data: { scope, ownerStream: claim.ownerStream, commandId: context.commandId, reference: claim.reference, reservedAt: context.now.toISOString() },
    });
    return E.right({
      streamName,
      expected: revision,
      events: chainEvents(
        streamName,
        head,
        events.map((e, i) => envelope(e, streamName, i, context)),
        this.key,
      ),
    });
  }

  /** Gives a value back after the command that reserved it was refused. Only the owner may. */
  async release(scope: ReservationScope, value: string, context: CommandContext, reason: string): Promise<void> {
    const streamName = reservationStream(scope, value);
    const { last, revision, head } = await this.read(streamName);
    if (last?.kind !== 'reserved' || last.reservation.commandId !== context.commandId || revision === 'no_stream') return;
    const released = { type: 'UniqueValueReleased', data: { scope, commandId: context.commandId, reason } };
    // A conflict means the value moved on already; there is nothing left of ours to release.
    await this.store.appendToStream(streamName, revision, chainEvents(streamName, head, [envelope(released, streamName, 90, context)], this.key));
  }

  private async isOrphan(holder: Reservation, honoured: HonouredCheck): Promise<boolean> {
    const age = this.clock().getTime() - Date.parse(holder.reservedAt);
    if (age <= 2 * COMMAND_DEADLINE_MS) return false; // may still be in flight
    return !(await honoured(holder));
  }

  private async read(streamName: string) {
    const { events, revision } = await this.store.readStream(streamName);
    const lastEvent = events[events.length - 1];
    return {
      last: lastEvent === undefined ? undefined : reservationOf(lastEvent),
      revision: revision === 'no_stream' ? ('no_stream' as const) : revision,
      head: lastEvent === undefined ? emptyChain : chainHeadOf(lastEvent),
    };
  }
}

/** A reservation stream's last event as the claim it leaves: held (by whom) or released. */
function reservationOf(stored: RecordedEvent): { kind: 'reserved'; reservation: Reservation } | { kind: 'released' } {
  const event = decodeReservationEvent(stored);
  if (event.type === 'UniqueValueReleased') return { kind: 'released' };
  const { scope, commandId, reference, reservedAt } = event.data;
  // Claims written before `ownerStream` existed named a customer (or, for an Idempotency-Key, the stream).
  const ownerStream =
    'ownerStream' in event.data ? event.data.ownerStream : scope === 'idempotency-key' ? event.data.customerId : accountStream(event.data.customerId);
  return { kind: 'reserved', reservation: { scope: scope as ReservationScope, ownerStream, commandId, reference, reservedAt } };
}
