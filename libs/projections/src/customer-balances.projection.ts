import { balanceEffect, type CustomerEvent } from '#ledger-domain/customer/customer';
import { isEarnedKind } from '#ledger-domain/customer/adjust-points';
import type { Projected } from './projected-event';

/**
 * Per-customer read models, as pure functions of (current row, event) → new row.
 * Each row remembers the position of the last event applied to it, and an event at or below
 * that position is ignored: delivering an event twice never counts it twice.
 */

/**
 * `customer_balances`: one row per customer. The ledger keeps the available balance net (below
 * zero while points are owed); the row shows it as every view does: `available` = max(0, net)
 * and `owed` = max(0, −net), so at most one of the two is non-zero.
 */
export interface CustomerBalance {
  readonly customerId: string;
  /** Points spendable now (never negative). */
  readonly available: number;
  /** Points earned but not yet spendable (inside the return window). */
  readonly pending: number;
  /** Points the customer owes (a reversal or clawback after the points were spent); 0 unless in debt. */
  readonly owed: number;
  /** Points earned from payments, visit rewards and cashback. */
  readonly lifetimeEarned: number;
  /** Points spent in redemptions (positive). */
  readonly lifetimeRedeemed: number;
  readonly adjustedIn: number;
  /** Points removed by manual adjustments (positive). */
  readonly adjustedOut: number;
  /** Points taken back by refunds (the payments' and their cashback's) and voids (positive). */
  readonly lifetimeReversed: number;
  /** Of those, points the customer no longer had and the program wrote off (policy "writeOff"). */
  readonly lifetimeWrittenOff: number;
  /** Points lost because their lot expired before they were spent (breakage). */
  readonly lifetimeExpired: number;
  readonly visitCount: number;
  /** Payments recorded. */
  readonly purchaseCount: number;
  /** Business time of the latest visit, payment, adjustment or refund. */
  readonly lastActivityAt: string | null;
  readonly enrolledAt: string;
  /** Global position of the last event reflected in this row. */
  readonly position: bigint;
}

/** The net available balance a row shows: negative while points are owed. */
export const netAvailable = (row: Pick<CustomerBalance, 'available' | 'owed'>): number => row.available - row.owed;

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
        owed: 0,
        lifetimeEarned: 0,
        lifetimeRedeemed: 0,
        adjustedIn: 0,
        adjustedOut: 0,
        lifetimeReversed: 0,
        lifetimeWrittenOff: 0,
        lifetimeExpired: 0,
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
  // The balances move by the event's own recorded effect, as in the domain's fold (reconcile compares the two).
  const effect = balanceEffect(event);
  const net = netAvailable(row) + effect.available;
  const balances = { available: Math.max(0, net), owed: Math.max(0, -net), pending: row.pending + effect.pending, position };
  switch (event.type) {
    case 'VisitCreated':
      return { ...row, ...balances, visitCount: row.visitCount + 1, lastActivityAt: latest(event.data.occurredAt) };
    case 'PaymentRecorded':
      return {
        ...row,
        ...balances,
        lifetimeEarned: row.lifetimeEarned + event.data.points,
        purchaseCount: row.purchaseCount + 1,
        lastActivityAt: latest(event.data.occurredAt),
      };
    case 'PointsAdjusted': {
      const points = event.data.points;
      const redemption = event.data.kind === 'redemption';
      // Rewards and cashback are earned points, as in the domain's fold.
      const earned = isEarnedKind(event.data.kind);
      const correction = !redemption && !earned;
      return {
        ...row,
        ...balances,
        lifetimeEarned: earned ? row.lifetimeEarned + points : row.lifetimeEarned,
        lifetimeRedeemed: redemption ? row.lifetimeRedeemed - points : row.lifetimeRedeemed,
        adjustedIn: correction && points > 0 ? row.adjustedIn + points : row.adjustedIn,
        adjustedOut: correction && points < 0 ? row.adjustedOut - points : row.adjustedOut,
        lastActivityAt: latest(event.data.occurredAt),
      };
    }
    case 'PaymentRefunded':
      return {
        ...row,
        ...balances,
        lifetimeReversed: row.lifetimeReversed + event.data.pointsReversed,
        lifetimeWrittenOff: row.lifetimeWrittenOff + event.data.writtenOff,
        lastActivityAt: latest(event.data.occurredAt),
      };
    case 'CashbackReversed':
      return {
        ...row,
        ...balances,
        lifetimeReversed: row.lifetimeReversed + event.data.pointsReversed,
        lifetimeWrittenOff: row.lifetimeWrittenOff + event.data.writtenOff,
      };
    case 'PointsActivated':
      return { ...row, ...balances };
    case 'PointsVoided':
      return { ...row, ...balances, lifetimeReversed: row.lifetimeReversed + event.data.points };
    // Not the customer's activity: the lifecycle runner records it at the lot's expiresAt.
    case 'PointsExpired':
      return { ...row, ...balances, lifetimeExpired: row.lifetimeExpired + event.data.points };
    // The tier lives in customer_tiers; the row still reflects the customer's events up to here.
    case 'TierChanged':
      return { ...row, position: projected.position };
    default: {
      // A new event type must be handled here: without this, it would silently leave the row (and its lots and timeline) unprojected.
      const unhandled: never = event;
      return unhandled;
    }
  }
}
