import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import type { CustomerState } from './customer';
import { LotDrawsC, pendingLotsOf, sumDraws } from './lots';

/**
 * Pending points become available: a payment's own lot and its cashback's, together. Normally the
 * lifecycle runner does this once its clock passes the payment's `activatesAt` (the command id is
 * derived from the payment, so a re-run or a second runner is a no-op); an admin may activate
 * early. Available points pay what is owed first (see lots.ts).
 */
export interface ActivatePoints {
  readonly type: 'ActivatePoints';
  readonly customerId: string;
  readonly paymentId: string;
  /** Before `activatesAt`: only by an admin, with a reason. */
  readonly early: boolean;
  readonly reason?: string;
  readonly now: Date;
}

export const PointsActivatedDataC = t.intersection([
  t.type({
    paymentId: t.string,
    customerId: t.string,
    /** Business time: the payment's `activatesAt` when due, the moment of an early activation otherwise. */
    occurredAt: t.string,
    early: t.boolean,
    /** The pending lots made available, with their points. */
    lots: LotDrawsC,
    points: SafeInteger,
  }),
  t.partial({ reason: t.string }),
]);
export interface PointsActivated {
  readonly type: 'PointsActivated';
  readonly data: t.TypeOf<typeof PointsActivatedDataC>;
}

export function activatePoints(command: ActivatePoints, state: CustomerState): E.Either<LedgerError, readonly PointsActivated[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  const payment = state.payments.get(command.paymentId);
  if (payment === undefined) return E.left({ _tag: 'PaymentNotFound', paymentId: command.paymentId });
  const pending = pendingLotsOf(state.lots, command.paymentId);
  const activatesAt = payment.activatesAt;
  if (pending.length === 0 || activatesAt === undefined) return E.left({ _tag: 'PointsNotPending', paymentId: command.paymentId });
  const due = command.now.getTime() >= Date.parse(activatesAt);
  if (!due && !command.early) return E.left({ _tag: 'PointsNotDue', paymentId: command.paymentId, activatesAt });
  const lots = pending.map((lot) => ({ lotId: lot.lotId, points: lot.remaining }));
  return E.right([
    {
      type: 'PointsActivated',
      data: {
        paymentId: command.paymentId,
        customerId: command.customerId,
        occurredAt: due ? activatesAt : command.now.toISOString(),
        early: !due,
        lots,
        points: sumDraws(lots),
        ...(command.reason !== undefined && { reason: command.reason }),
      },
    },
  ]);
}
