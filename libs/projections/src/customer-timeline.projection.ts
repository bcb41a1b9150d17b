import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { pointsDelta } from '#ledger-domain/customer/customer';
import type { Projected } from './projected-event';

/**
 * `customer_timeline`: one row per ledger entry, with the available balance after it. A pure
 * function of the event and the balance row the event produced (see customer-balances.projection.ts).
 */
export interface TimelineEntry {
  readonly eventId: string;
  readonly customerId: string;
  readonly position: bigint;
  readonly type: CustomerEvent['type'];
  /** Finer kind: visit kind, adjustment kind (manual, redemption, reward, cashback), payment source. */
  readonly kind: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly locationId: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly pointsDelta: number;
  readonly balanceAfter: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly actor: string | null;
  /** The visit, payment or adjustment id the entry is about. */
  readonly subjectId: string;
}

/** The timeline entry for an event, given the balance row after it. */
export function timelineEntry(projected: Projected<CustomerEvent>, balanceAfter: number): TimelineEntry {
  const { event } = projected;
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
    pointsDelta: pointsDelta(event),
    balanceAfter,
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
        null,
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
  }
}
