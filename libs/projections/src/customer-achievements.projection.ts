import type { CustomerEvent } from '#ledger-domain/customer/customer';
import type { Projected } from './projected-event';

/**
 * `customer_achievements`: the visit achievement of each customer (Omneo's `visit.created` →
 * `achievement.increment`), as a pure function of (current row, event) → new row, guarded by
 * position like the other customer rows so a repeated delivery never counts twice.
 *
 * - visits: the achievement count, every visit recorded (any kind, any source, store payments'
 *   purchase visits included).
 * - level: the visit thresholds the customer has reached, one per visit reward issued (a
 *   `PointsAdjusted` of kind reward). It follows the rewards rather than recomputing the rules,
 *   so it always agrees with what was actually issued, under whichever rule version issued it.
 */
export interface CustomerAchievements {
  readonly customerId: string;
  readonly visits: number;
  readonly level: number;
  /** Points received from visit rewards. */
  readonly rewardPoints: number;
  /** Business time of the latest visit. */
  readonly lastVisitAt: string | null;
  /** Business time of the visit behind the latest reward. */
  readonly lastRewardAt: string | null;
  /** Global position of the customer's last event reflected in this row (as in customer_balances). */
  readonly position: bigint;
}

const latest = (current: string | null, at: string): string => (current === null || at > current ? at : current);

export function evolveAchievements(row: CustomerAchievements | undefined, projected: Projected<CustomerEvent>): CustomerAchievements | undefined {
  if (row !== undefined && projected.position <= row.position) return row;
  const { event, position } = projected;
  switch (event.type) {
    case 'CustomerEnrolled':
      return row ?? { customerId: event.data.customerId, visits: 0, level: 0, rewardPoints: 0, lastVisitAt: null, lastRewardAt: null, position };
    case 'VisitCreated':
      return row && { ...row, visits: row.visits + 1, lastVisitAt: latest(row.lastVisitAt, event.data.occurredAt), position };
    case 'PointsAdjusted':
      if (event.data.kind !== 'reward') return row && { ...row, position };
      return (
        row && {
          ...row,
          level: row.level + 1,
          rewardPoints: row.rewardPoints + event.data.points,
          lastRewardAt: latest(row.lastRewardAt, event.data.occurredAt),
          position,
        }
      );
    case 'PaymentRecorded':
    case 'PaymentRefunded':
    case 'CashbackReversed':
    case 'PointsActivated':
    case 'PointsVoided':
    case 'PointsExpired':
    case 'TierChanged':
      // Nothing to count, but the row reflects the customer's events up to here (like customer_balances).
      return row && { ...row, position };
    default: {
      // A new event type must be handled here: without this, its position would silently be missed.
      const unhandled: never = event;
      return unhandled;
    }
  }
}
