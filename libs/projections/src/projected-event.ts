import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { RecordedEvent } from '#event-store/event-store.port';
import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { CustomerEventC } from '#ledger-domain/customer/customer.decider';
import { ProgramConfiguredDataC, type ProgramEvent } from '#ledger-domain/program/program';

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

const ProgramEventC = t.type({ type: t.literal('ProgramConfigured'), data: ProgramConfiguredDataC });

/** The categories projections read; everything else in the log (reservations) is skipped. */
export const PROJECTED_CATEGORIES = ['loyaltyAccount', 'loyaltyProgram'] as const;

const categoryOf = (streamName: string): string => streamName.slice(0, Math.max(0, streamName.indexOf('-')));

/**
 * Decodes a stored event for projection, or `undefined` when it is not a ledger event.
 * A ledger event that does not decode is a defect in the store, reported by throwing: a
 * projection must never silently skip a point.
 */
export function toProjected(stored: RecordedEvent): Projected<LedgerEvent> | undefined {
  const category = categoryOf(stored.streamName);
  if (category !== 'loyaltyAccount' && category !== 'loyaltyProgram') return undefined;
  const codec = category === 'loyaltyAccount' ? CustomerEventC : ProgramEventC;
  const decoded = codec.decode({ type: stored.type, data: stored.data });
  if (E.isLeft(decoded)) throw new Error(`event ${stored.streamName}@${stored.revision} (${stored.type}) does not decode for projection`);
  const recordedAt = stored.metadata['recordedAt'];
  const actor = stored.metadata['actor'];
  return {
    event: decoded.right,
    eventId: stored.id,
    streamName: stored.streamName,
    revision: stored.revision,
    position: stored.position,
    recordedAt: typeof recordedAt === 'string' ? recordedAt : '',
    actor: typeof actor === 'string' ? actor : null,
  };
}
