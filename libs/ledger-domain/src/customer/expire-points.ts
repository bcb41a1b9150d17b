import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import type { CustomerState } from './customer';
import { isPending } from './lots';

/**
 * What remains of a lot is lost once its `expiresAt` has passed. The lifecycle runner issues this
 * when its clock passes the date, for the due lots of one customer at a time, with the command id
 * derived from those lots: a re-run or a second runner never expires twice (a lot already
 * expired has nothing left), and points already spent, reversed or voided are not expired (only
 * what remains is). A pending lot expires by the same date (counted from the earning).
 */
export interface ExpirePoints {
  readonly type: 'ExpirePoints';
  readonly customerId: string;
  /** The customer's lots the runner found due (one command per customer and page: many lots, one append). */
  readonly lotIds: readonly string[];
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
  const wanted = new Set(command.lotIds);
  const due = state.lots.filter(
    (lot) => wanted.has(lot.lotId) && lot.expiresAt !== undefined && lot.remaining > 0 && command.now.getTime() >= Date.parse(lot.expiresAt),
  );
  if (due.length === 0) {
    // Nothing left of them (spent, reversed, expired already), or not due yet: say which, for the runner's counts.
    const early = state.lots.find((lot) => wanted.has(lot.lotId) && lot.expiresAt !== undefined && lot.remaining > 0);
    return E.left(
      early?.expiresAt !== undefined
        ? { _tag: 'NotDueYet', lotId: early.lotId, dueAt: early.expiresAt }
        : { _tag: 'NothingToExpire', lotId: command.lotIds[0] ?? '' },
    );
  }
  return E.right(
    due.map((lot) => ({
      type: 'PointsExpired' as const,
      data: { lotId: lot.lotId, customerId: command.customerId, occurredAt: lot.expiresAt!, points: lot.remaining, pending: isPending(lot) },
    })),
  );
}
