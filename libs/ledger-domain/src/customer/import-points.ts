import * as E from 'fp-ts/Either';
import { invalid, type LedgerError } from '../shared/errors';
import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import { checkNotInFuture } from '../shared/time';
import type { PointsAdjusted } from './adjust-points';
import type { CustomerState } from './customer';

/**
 * Points carried over from the program a retailer migrates from (`ledger import`): an opening
 * balance as of a date (kind opening, counted as adjusted in), or one historical earning (kind
 * earned, counted in lifetime earned). Recorded as `PointsAdjusted` at the old system's business
 * time, with the old system's expiry if it had one; without one the points never expire (the
 * old program's policy is not ours to guess). Always a credit: history's spends are redemptions.
 */
export interface ImportPoints {
  readonly type: 'ImportPoints';
  readonly customerId: string;
  readonly adjustmentId: string;
  readonly kind: 'opening' | 'earned';
  /** > 0. */
  readonly points: number;
  /** UTC instant: when the balance stood, or the points were earned, in the old system. */
  readonly occurredAt: string;
  /** UTC instant after `occurredAt`, or absent: never. */
  readonly expiresAt?: string;
  readonly reason?: string;
  readonly now: Date;
}

export function importPoints(command: ImportPoints, state: CustomerState): E.Either<LedgerError, readonly PointsAdjusted[]> {
  if (state.status !== 'Enrolled') return E.left({ _tag: 'CustomerNotFound', customerId: command.customerId });
  if (!Number.isSafeInteger(command.points) || command.points <= 0 || command.points > MAX_POINTS_PER_ENTRY) {
    return E.left(invalid('points', `expected an integer from 1 to ${MAX_POINTS_PER_ENTRY}`));
  }
  const notInFuture = checkNotInFuture(command.occurredAt, command.now);
  if (E.isLeft(notInFuture)) return notInFuture;
  const { expiresAt, reason } = command;
  if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.parse(command.occurredAt))
    return E.left(invalid('expiresAt', 'expected an instant after occurredAt'));
  return E.right([
    {
      type: 'PointsAdjusted',
      data: {
        adjustmentId: command.adjustmentId,
        customerId: command.customerId,
        kind: command.kind,
        points: command.points,
        occurredAt: command.occurredAt,
        ...(reason !== undefined && { reason }),
        ...(expiresAt !== undefined && { expiresAt }),
      },
    },
  ]);
}
