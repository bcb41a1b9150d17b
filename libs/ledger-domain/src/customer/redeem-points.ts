import * as E from 'fp-ts/Either';
import { invalid, type LedgerError } from '../shared/errors';
import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import { checkNotInFuture } from '../shared/time';
import type { PointsAdjusted } from './adjust-points';
import type { CustomerState } from './customer';
import { drawAvailable } from './lots';

/**
 * A redemption: the customer spends points. Recorded as `PointsAdjusted` of kind redemption
 * with a negative `points`. A redemption never overdraws, whatever the negative-balance
 * policy: "allow" exists for staff corrections, not for spending points one does not have.
 */
export interface RedeemPoints {
  readonly type: 'RedeemPoints';
  readonly customerId: string;
  readonly redemptionId: string;
  /** Points spent, > 0. */
  readonly points: number;
  readonly reason?: string;
  /** The caller's reference for what was redeemed (voucher, order). */
  readonly reference?: string;
  /** A migrated spend's business time (UTC instant, from the old system); default `now`. */
  readonly occurredAt?: string;
  readonly now: Date;
}

export function redeemPoints(command: RedeemPoints, state: CustomerState): E.Either<LedgerError, readonly PointsAdjusted[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  // A zero, negative or fractional redemption would credit points or lower lifetime.redeemed.
  if (!Number.isSafeInteger(command.points) || command.points <= 0 || command.points > MAX_POINTS_PER_ENTRY) {
    return E.left(invalid('points', `expected an integer from 1 to ${MAX_POINTS_PER_ENTRY}`));
  }
  if (command.points > state.balance.available) {
    return E.left({ _tag: 'InsufficientPoints', available: state.balance.available, requested: command.points });
  }
  const occurredAt = command.occurredAt ?? command.now.toISOString();
  const notInFuture = checkNotInFuture(occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  const { reason, reference } = command;
  return E.right([
    {
      type: 'PointsAdjusted',
      data: {
        adjustmentId: command.redemptionId,
        customerId: command.customerId,
        kind: 'redemption',
        points: -command.points,
        occurredAt,
        lots: drawAvailable(state.lots, command.points).draws,
        ...(reason !== undefined && { reason }),
        ...(reference !== undefined && { reference }),
      },
    },
  ]);
}
