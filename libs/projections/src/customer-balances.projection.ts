import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { isEarnedKind } from '#ledger-domain/customer/adjust-points';
import type { Projected } from './projected-event';

/**
 * Per-customer read models, as pure functions of (current row, event) → new row.
 * Each row remembers the position of the last event applied to it, and an event at or below
 * that position is ignored: delivering an event twice never counts it twice.
 */

/** `customer_balances`: one row per customer. */
export interface CustomerBalance {
  readonly customerId: string;
  /** Points spendable now. */
  readonly available: number;
  /** Points earned but not yet spendable (always 0 until pending points exist). */
  readonly pending: number;
  /** Points earned from payments, visit rewards and cashback. */
  readonly lifetimeEarned: number;
  /** Points spent in redemptions (positive). */
  readonly lifetimeRedeemed: number;
  readonly adjustedIn: number;
  /** Points removed by manual adjustments (positive). */
  readonly adjustedOut: number;
  readonly visitCount: number;
  /** Payments recorded. */
  readonly purchaseCount: number;
  /** Business time of the latest visit, payment or adjustment. */
  readonly lastActivityAt: string | null;
  readonly enrolledAt: string;
  /** Global position of the last event reflected in this row. */
  readonly position: bigint;
}

const isNew = (row: { position: bigint } | undefined, at: Projected<unknown>) => row === undefined || at.position > row.position;

export function evolveBalance(row: CustomerBalance | undefined, projected: Projected<CustomerEvent>): CustomerBalance | undefined {
  if (!isNew(row, projected)) return row;
  const { event, position } = projected;
  if (event.type === 'CustomerEnrolled') {
    return (
      row ?? {
        customerId: event.data.customerId,
        available: 0,
        pending: 0,
        lifetimeEarned: 0,
        lifetimeRedeemed: 0,
        adjustedIn: 0,
        adjustedOut: 0,
        visitCount: 0,
        purchaseCount: 0,
        lastActivityAt: null,
        enrolledAt: event.data.enrolledAt,
        position,
      }
    );
  }
  if (row === undefined) return undefined; // events before enrolment cannot exist; nothing to attach them to
  const latest = (at: string) => (row.lastActivityAt === null || at > row.lastActivityAt ? at : row.lastActivityAt);
  switch (event.type) {
    case 'VisitCreated':
      return { ...row, visitCount: row.visitCount + 1, lastActivityAt: latest(event.data.occurredAt), position };
    case 'PaymentRecorded':
      return {
        ...row,
        available: row.available + event.data.points,
        lifetimeEarned: row.lifetimeEarned + event.data.points,
        purchaseCount: row.purchaseCount + 1,
        lastActivityAt: latest(event.data.occurredAt),
        position,
      };
    case 'PointsAdjusted': {
      const points = event.data.points;
      const redemption = event.data.kind === 'redemption';
      // Rewards and cashback are earned points, as in the domain's fold (reconcile compares the two).
      const earned = isEarnedKind(event.data.kind);
      const correction = !redemption && !earned;
      return {
        ...row,
        available: row.available + points,
        lifetimeEarned: earned ? row.lifetimeEarned + points : row.lifetimeEarned,
        lifetimeRedeemed: redemption ? row.lifetimeRedeemed - points : row.lifetimeRedeemed,
        adjustedIn: correction && points > 0 ? row.adjustedIn + points : row.adjustedIn,
        adjustedOut: correction && points < 0 ? row.adjustedOut - points : row.adjustedOut,
        lastActivityAt: latest(event.data.occurredAt),
        position,
      };
    }
  }
}
