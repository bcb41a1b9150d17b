import type { RecordedEvent } from '#event-store/event-store.port';
import { balanceEffect, balanceView, type CustomerEvent } from '#ledger-domain/customer/customer';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';

/**
 * A customer's ledger as of an instant, on one of two time axes (shared by the history route and
 * the export):
 * - recorded: what the ledger said then: events recorded at or before `asOf`, in log order;
 * - occurred: what we now know had happened by then: events whose business time is at or before
 *   `asOf`, including ones recorded later with a backdated time, in business-time order.
 */
export type Basis = 'recorded' | 'occurred';

export interface LedgerEntry {
  readonly stored: RecordedEvent;
  readonly event: CustomerEvent;
}

export const recordedAtOf = (stored: RecordedEvent): string => (typeof stored.metadata['recordedAt'] === 'string' ? stored.metadata['recordedAt'] : '');

/** Business time: when it happened, or for the enrolment when the customer was enrolled. */
export const occurredAtOf = (event: CustomerEvent): string => (event.type === 'CustomerEnrolled' ? event.data.enrolledAt : event.data.occurredAt);

/** One stream's events, decoded, selected and ordered for `asOf` (epoch ms; undefined: everything) on `basis`. */
export function entriesAsOf(events: readonly RecordedEvent[], basis: Basis, asOf: number | undefined): LedgerEntry[] {
  const entries = events.map((stored) => ({ stored, event: decodeCustomerEvent(stored) }));
  if (asOf === undefined) return entries;
  if (basis === 'recorded') return entries.filter(({ stored }) => Date.parse(recordedAtOf(stored)) <= asOf);
  return entries
    .filter(({ event }) => Date.parse(occurredAtOf(event)) <= asOf)
    .sort((a, b) => Date.parse(occurredAtOf(a.event)) - Date.parse(occurredAtOf(b.event)) || Number(a.stored.revision - b.stored.revision));
}

/** The balances after an entry, as every view shows them (see `balanceView`). */
export interface BalancesAfter {
  readonly available: number;
  readonly pending: number;
  readonly owed: number;
}

/**
 * Running balances over entries in the order given: each event's own recorded effect (see
 * `balanceEffect`), summed. On the recorded basis this is what the ledger said after each entry;
 * on the occurred basis, the same effects in business-time order.
 */
export function runningBalances(): (event: CustomerEvent) => BalancesAfter {
  let net = 0;
  let pending = 0;
  return (event) => {
    const effect = balanceEffect(event);
    net += effect.available;
    pending += effect.pending;
    return balanceView({ available: net, pending });
  };
}
