import { balanceEffect, type CustomerEvent } from '#ledger-domain/customer/customer';
import type { CustomerBalance } from './customer-balances.projection';
import type { Projected } from './projected-event';

/**
 * `customer_timeline`: one row per ledger entry, with the balances after it (available, pending
 * and owed, as `customer_balances` shows them). A pure function of the event and the balance row
 * the event produced (see customer-balances.projection.ts).
 */
export interface TimelineEntry {
  readonly eventId: string;
  readonly customerId: string;
  readonly position: bigint;
  readonly type: CustomerEvent['type'];
  /**
   * Finer kind: visit kind, adjustment kind (manual, redemption, reward, cashback, opening, earned), payment source,
   * refund `full` or `partial`, activation `due` or `early`.
   */
  readonly kind: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly locationId: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** Signed change of the net available balance (points owed included). */
  readonly pointsDelta: number;
  /** Available balance right after the entry: max(0, net), never negative. */
  readonly balanceAfter: number;
  /** Signed change of the pending balance. */
  readonly pendingDelta: number;
  readonly pendingAfter: number;
  /** Points owed right after the entry: max(0, −net). */
  readonly owedAfter: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly actor: string | null;
  /** The id of what the entry is about: the customer, visit, payment, adjustment, refund or reversal. */
  readonly subjectId: string;
}

/** The balances of a row, as the timeline records them after each entry. */
export type BalancesAfter = Pick<CustomerBalance, 'available' | 'pending' | 'owed'>;

/** The timeline entry for an event, given the balance row after it. */
export function timelineEntry(projected: Projected<CustomerEvent>, after: BalancesAfter): TimelineEntry {
  const { event } = projected;
  const effect = balanceEffect(event);
  // One literal per case, no spreads: this runs for every event of a rebuild.
  const entry = (
    kind: string | null,
    occurredAt: string,
    locationId: string | null,
    amountMinor: number | null,
    currency: string | null,
    reason: string | null,
    reference: string | null,
    subjectId: string,
  ): TimelineEntry => ({
    eventId: projected.eventId,
    customerId: event.data.customerId,
    position: projected.position,
    type: event.type,
    kind,
    occurredAt,
    recordedAt: projected.recordedAt,
    locationId,
    amountMinor,
    currency,
    // `+ 0`: an effect of "minus nothing" is -0, stored and compared as 0.
    pointsDelta: effect.available + 0,
    balanceAfter: after.available,
    pendingDelta: effect.pending + 0,
    pendingAfter: after.pending,
    owedAfter: after.owed,
    reason,
    reference,
    actor: projected.actor,
    subjectId,
  });
  switch (event.type) {
    case 'CustomerEnrolled':
      return entry(null, event.data.enrolledAt, null, null, null, null, null, event.data.customerId);
    case 'VisitCreated':
      return entry(
        event.data.kind,
        event.data.occurredAt,
        event.data.locationId,
        null,
        null,
        event.data.notes ?? null,
        event.data.paymentId ?? null,
        event.data.visitId,
      );
    case 'PaymentRecorded':
      return entry(
        event.data.source,
        event.data.occurredAt,
        event.data.locationId,
        event.data.amountMinor,
        event.data.currency,
        null,
        event.data.purchaseIdentifier,
        event.data.paymentId,
      );
    case 'PointsAdjusted':
      return entry(event.data.kind, event.data.occurredAt, null, null, null, event.data.reason ?? null, event.data.reference ?? null, event.data.adjustmentId);
    case 'PaymentRefunded':
      return entry(
        event.data.refundedBeforeMinor + event.data.amountMinor >= event.data.paymentAmountMinor ? 'full' : 'partial',
        event.data.occurredAt,
        event.data.locationId,
        event.data.amountMinor,
        event.data.currency,
        event.data.reason ?? null,
        event.data.refundIdentifier,
        event.data.refundId,
      );
    case 'CashbackReversed':
      return entry(null, event.data.occurredAt, null, null, null, null, event.data.cashbackId, event.data.reversalId);
    case 'PointsActivated':
      return entry(event.data.early ? 'early' : 'due', event.data.occurredAt, null, null, null, event.data.reason ?? null, null, event.data.paymentId);
    case 'PointsVoided':
      return entry(null, event.data.occurredAt, null, null, null, event.data.reason, null, event.data.paymentId);
    case 'PointsExpired':
      return entry(event.data.pending ? 'pending' : null, event.data.occurredAt, null, null, null, null, null, event.data.lotId);
    case 'TierChanged':
      return entry(event.data.reason, event.data.occurredAt, null, null, null, null, event.data.to, event.data.customerId);
  }
}
