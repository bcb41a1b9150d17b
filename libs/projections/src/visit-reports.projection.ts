import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import type { PaymentRefunded } from '#ledger-domain/customer/refund-payment';
import type { Projected } from './projected-event';

/**
 * Visit-count read models (Omneo's visit frequency and visit-to-purchase conversion), as pure
 * functions of (current row, event) → new row, guarded by position like the customer rows.
 *
 * A visit is "with a purchase" when it was created by a store payment (kind purchase) or when
 * a later payment names it in `visitId`; it turns into one at most once.
 */

/** `visits`: one row per visit. */
export interface VisitRow {
  readonly visitId: string;
  readonly customerId: string;
  readonly locationId: string;
  readonly occurredAt: string;
  /** Calendar day of `occurredAt` in the program's timezone when the visit was recorded. */
  readonly day: string;
  readonly kind: string;
  readonly source: string;
  readonly withPurchase: boolean;
  readonly position: bigint;
}

/** `customer_visit_stats`: one row per customer with at least one visit. */
export interface CustomerVisitStats {
  readonly customerId: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly visitsWithoutPurchase: number;
  readonly firstVisitAt: string;
  readonly lastVisitAt: string;
  readonly position: bigint;
}

/** `location_daily_visits`: per location and day (program timezone). */
export interface LocationDayVisits {
  readonly locationId: string;
  readonly day: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly distinctCustomers: number;
  readonly position: bigint;
}

/**
 * `location_daily_payments`: per location, day and currency. A refund counts on its own day
 * (program timezone in force at its position), at the refunded payment's location.
 */
export interface LocationDayPayments {
  readonly locationId: string;
  readonly day: string;
  readonly currency: string;
  readonly payments: number;
  readonly revenueMinor: number;
  readonly pointsEarned: number;
  /** Refunds recorded that day (on payments of this location, in this currency). */
  readonly refunds: number;
  /** Their amounts, in minor units of `currency`. */
  readonly refundedMinor: number;
  readonly position: bigint;
}

const isNew = (row: { position: bigint } | undefined, at: Projected<unknown>) => row === undefined || at.position > row.position;

export function newVisit(projected: Projected<VisitCreated>, day: string): VisitRow {
  const d = projected.event.data;
  return {
    visitId: d.visitId,
    customerId: d.customerId,
    locationId: d.locationId,
    occurredAt: d.occurredAt,
    day,
    kind: d.kind,
    source: d.source,
    withPurchase: d.kind === 'purchase' || d.paymentId !== undefined,
    position: projected.position,
  };
}

/** A payment that names an existing visit turns it into a visit with a purchase (once). */
export function visitPurchased(visit: VisitRow, projected: Projected<PaymentRecorded>): VisitRow {
  if (!isNew(visit, projected) || visit.withPurchase) return visit;
  return { ...visit, withPurchase: true, position: projected.position };
}

export function countVisit(stats: CustomerVisitStats | undefined, visit: VisitRow, projected: Projected<unknown>): CustomerVisitStats {
  if (stats !== undefined && !isNew(stats, projected)) return stats;
  const withPurchase = visit.withPurchase ? 1 : 0;
  if (stats === undefined) {
    return {
      customerId: visit.customerId,
      visits: 1,
      visitsWithPurchase: withPurchase,
      visitsWithoutPurchase: 1 - withPurchase,
      firstVisitAt: visit.occurredAt,
      lastVisitAt: visit.occurredAt,
      position: projected.position,
    };
  }
  return {
    ...stats,
    visits: stats.visits + 1,
    visitsWithPurchase: stats.visitsWithPurchase + withPurchase,
    visitsWithoutPurchase: stats.visitsWithoutPurchase + 1 - withPurchase,
    firstVisitAt: visit.occurredAt < stats.firstVisitAt ? visit.occurredAt : stats.firstVisitAt,
    lastVisitAt: visit.occurredAt > stats.lastVisitAt ? visit.occurredAt : stats.lastVisitAt,
    position: projected.position,
  };
}

/** An earlier visit gained a purchase: move it from "without" to "with". */
export function countPurchaseOnVisit(stats: CustomerVisitStats, projected: Projected<unknown>): CustomerVisitStats {
  if (!isNew(stats, projected)) return stats;
  return { ...stats, visitsWithPurchase: stats.visitsWithPurchase + 1, visitsWithoutPurchase: stats.visitsWithoutPurchase - 1, position: projected.position };
}

export function countLocationVisit(
  row: LocationDayVisits | undefined,
  visit: VisitRow,
  firstVisitOfCustomerThatDay: boolean,
  projected: Projected<unknown>,
): LocationDayVisits {
  if (row !== undefined && !isNew(row, projected)) return row;
  const base = row ?? { locationId: visit.locationId, day: visit.day, visits: 0, visitsWithPurchase: 0, distinctCustomers: 0, position: 0n };
  return {
    ...base,
    visits: base.visits + 1,
    visitsWithPurchase: base.visitsWithPurchase + (visit.withPurchase ? 1 : 0),
    distinctCustomers: base.distinctCustomers + (firstVisitOfCustomerThatDay ? 1 : 0),
    position: projected.position,
  };
}

export function countLocationPurchaseOnVisit(row: LocationDayVisits, projected: Projected<unknown>): LocationDayVisits {
  if (!isNew(row, projected)) return row;
  return { ...row, visitsWithPurchase: row.visitsWithPurchase + 1, position: projected.position };
}

const emptyLocationDayPayments = (locationId: string, day: string, currency: string): LocationDayPayments => ({
  locationId,
  day,
  currency,
  payments: 0,
  revenueMinor: 0,
  pointsEarned: 0,
  refunds: 0,
  refundedMinor: 0,
  position: 0n,
});

export function countLocationPayment(row: LocationDayPayments | undefined, projected: Projected<PaymentRecorded>, day: string): LocationDayPayments {
  if (row !== undefined && !isNew(row, projected)) return row;
  const d = projected.event.data;
  const base = row ?? emptyLocationDayPayments(d.locationId, day, d.currency);
  return {
    ...base,
    payments: base.payments + 1,
    revenueMinor: base.revenueMinor + d.amountMinor,
    pointsEarned: base.pointsEarned + d.points,
    position: projected.position,
  };
}

/** A refund: counted on its own day, at the payment's location, in the payment's currency. */
export function countLocationRefund(row: LocationDayPayments | undefined, projected: Projected<PaymentRefunded>, day: string): LocationDayPayments {
  if (row !== undefined && !isNew(row, projected)) return row;
  const d = projected.event.data;
  const base = row ?? emptyLocationDayPayments(d.locationId, day, d.currency);
  return { ...base, refunds: base.refunds + 1, refundedMinor: base.refundedMinor + d.amountMinor, position: projected.position };
}
