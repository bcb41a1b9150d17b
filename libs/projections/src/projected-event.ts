import type { RecordedEvent } from '#event-store/event-store.port';
import type { CustomerEvent } from '#ledger-domain/customer/customer';
import type { ProgramEvent } from '#ledger-domain/program/program';
import { decodeCustomerEvent, decodeProgramEvent } from '#ledger-domain/stored-events';
import { ACCOUNT_CATEGORY, categoryOf, PROGRAM_CATEGORY } from '#runtime/streams';

/**
 * An event as projections see it: the domain event plus where it sits in the log and the
 * metadata reporting needs (when it was recorded, by whom).
 */
export interface Projected<Ev> {
  readonly event: Ev;
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly recordedAt: string;
  readonly actor: string | null;
}

export type LedgerEvent = CustomerEvent | ProgramEvent;

/** The categories projections read; everything else in the log (reservations) is skipped. */
export const PROJECTED_CATEGORIES = [ACCOUNT_CATEGORY, PROGRAM_CATEGORY] as const;

/**
 * Decodes a stored event for projection, or `undefined` when it is not a ledger event.
 * A ledger event that does not decode is a defect in the store, reported by throwing: a
 * projection must never silently skip a point.
 */
export function toProjected(stored: RecordedEvent): Projected<LedgerEvent> | undefined {
  const category = categoryOf(stored.streamName);
  if (category !== ACCOUNT_CATEGORY && category !== PROGRAM_CATEGORY) return undefined;
  const event: LedgerEvent = category === ACCOUNT_CATEGORY ? decodeCustomerEvent(stored) : decodeProgramEvent(stored);
  const recordedAt = stored.metadata['recordedAt'];
  const actor = stored.metadata['actor'];
  return {
    event,
    eventId: stored.id,
    streamName: stored.streamName,
    revision: stored.revision,
    position: stored.position,
    recordedAt: typeof recordedAt === 'string' ? recordedAt : '',
    actor: typeof actor === 'string' ? actor : null,
  };
}
