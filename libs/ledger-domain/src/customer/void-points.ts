import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import type { CustomerState } from './customer';
import { LotDrawsC, pendingLotsOf, sumDraws } from './lots';

/**
 * An admin cancels a payment's pending points without a refund (a fraudulent or mistaken
 * purchase, caught inside the return window): its own pending lot and its cashback's. Nothing
 * more is earned on the payment afterwards; a later refund records the money only.
 */
export interface VoidPoints {
  readonly type: 'VoidPoints';
  readonly customerId: string;
  readonly paymentId: string;
  readonly reason: string;
  readonly now: Date;
}

export const PointsVoidedDataC = t.type({
  paymentId: t.string,
  customerId: t.string,
  occurredAt: t.string,
  reason: t.string,
  /** The pending lots cancelled, with their points. */
  lots: LotDrawsC,
  points: SafeInteger,
});
export interface PointsVoided {
  readonly type: 'PointsVoided';
  readonly data: t.TypeOf<typeof PointsVoidedDataC>;
}

export function voidPoints(command: VoidPoints, state: CustomerState): E.Either<LedgerError, readonly PointsVoided[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  if (!state.payments.has(command.paymentId)) return E.left({ _tag: 'PaymentNotFound', paymentId: command.paymentId });
  const pending = pendingLotsOf(state.lots, command.paymentId);
  if (pending.length === 0) return E.left({ _tag: 'PointsNotPending', paymentId: command.paymentId });
  const lots = pending.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }));
  return E.right([
    {
      type: 'PointsVoided',
      data: {
        paymentId: command.paymentId,
        customerId: command.customerId,
        occurredAt: command.now.toISOString(),
        reason: command.reason,
        lots,
        points: sumDraws(lots),
      },
    },
  ]);
}
