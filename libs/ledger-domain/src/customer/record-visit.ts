import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { LedgerError } from '../shared/errors';
import { SourceC, type Source } from '../shared/source';
import { checkNotInFuture } from '../shared/time';
import type { CustomerState } from './customer';

/**
 * A visit: the customer was at a location, with or without a purchase (Omneo's
 * non-transactional interaction). Business time `occurredAt` may be in the past (back-office
 * staff backdate), but not more than the clock skew into the future.
 */
export const VisitKindC = t.keyof({ browse: null, service: null, event: null, pickup: null, purchase: null });
export type VisitKind = t.TypeOf<typeof VisitKindC>;

export interface RecordVisit {
  readonly type: 'RecordVisit';
  readonly customerId: string;
  readonly visitId: string;
  readonly locationId: string;
  /** UTC instant, already normalised. */
  readonly occurredAt: string;
  readonly kind: VisitKind;
  readonly source: Source;
  readonly notes?: string;
  readonly now: Date;
}

export const VisitCreatedDataC = t.intersection([
  t.type({
    visitId: t.string,
    customerId: t.string,
    locationId: t.string,
    occurredAt: t.string,
    kind: VisitKindC,
    source: SourceC,
  }),
  t.partial({ notes: t.string, paymentId: t.string }),
]);
export interface VisitCreated {
  readonly type: 'VisitCreated';
  readonly data: t.TypeOf<typeof VisitCreatedDataC>;
}

export function recordVisit(command: RecordVisit, state: CustomerState): E.Either<LedgerError, readonly VisitCreated[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  const notInFuture = checkNotInFuture(command.occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  const { visitId, customerId, locationId, occurredAt, kind, source, notes } = command;
  return E.right([{ type: 'VisitCreated', data: { visitId, customerId, locationId, occurredAt, kind, source, ...(notes !== undefined && { notes }) } }]);
}
