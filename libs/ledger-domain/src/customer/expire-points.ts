import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import type { CustomerState } from './customer';
import { isPending } from './lots';

/**
 * What remains of a lot is lost once its `expiresAt` has passed. The lifecycle runner issues this
 * when its clock passes the date, with the command id derived from the lot: a re-run or a second
 * runner never expires twice, and points already spent, reversed or voided are not expired (only
 * what remains is). A pending lot expires by the same date (counted from the earning).
 */
export interface ExpirePoints {
  readonly type: 'ExpirePoints';
  readonly customerId: string;
  readonly lotId: string;
  readonly now: Date;
}

export const PointsExpiredDataC = t.type({
  lotId: t.string,
  customerId: t.string,
  /** Business time: the lot's `expiresAt`, however late the runner came. */
  occurredAt: t.string,
  points: SafeInteger,
  /** The points were still pending (they leave the pending balance, not the available one). */
  pending: t.boolean,
});
export interface PointsExpired {
  readonly type: 'PointsExpired';
  readonly data: t.TypeOf<typeof PointsExpiredDataC>;
}

export function expirePoints(command: ExpirePoints, state: CustomerState): E.Either<LedgerError, readonly PointsExpired[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  const lot = state.lots.find((l) => l.lotId === command.lotId);
  if (lot === undefined || lot.expiresAt === undefined || lot.remaining <= 0) return E.left({ _tag: 'NothingToExpire', lotId: command.lotId });
  if (command.now.getTime() < Date.parse(lot.expiresAt)) return E.left({ _tag: 'NotDueYet', lotId: command.lotId, dueAt: lot.expiresAt });
  return E.right([
    {
      type: 'PointsExpired',
      data: { lotId: lot.lotId, customerId: command.customerId, occurredAt: lot.expiresAt, points: lot.remaining, pending: isPending(lot) },
    },
  ]);
}
