import type { PaymentRecorded } from '#ledger-domain/customer/record-payment';
import type { VisitCreated } from '#ledger-domain/customer/record-visit';
import { CUSTOMER_ID, paymentRecorded, visitCreated } from '#ledger-domain/testing/customer-fixtures';
import type { Projected } from './projected-event';
import { paymentRefunded } from './testing/lifecycle-events';
import {
  countLocationPayment,
  countLocationPurchaseOnVisit,
  countLocationRefund,
  countLocationVisit,
  countPurchaseOnVisit,
  countVisit,
  newVisit,
  visitPurchased,
  type CustomerVisitStats,
  type LocationDayVisits,
  type VisitRow,
} from './visit-reports.projection';

const at = <Ev>(position: number, event: Ev): Projected<Ev> => ({
  event,
  eventId: `evt-${position}`,
  streamName: `loyaltyAccount-${CUSTOMER_ID}`,
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: '2026-03-10T12:00:00.000Z',
  actor: null,
});

const visitAt = (position: number, visitId: string, data: Partial<VisitCreated['data']> = {}, day = '2026-03-01'): VisitRow =>
  newVisit(at(position, visitCreated(visitId, data)), day);
const paymentAt = (position: number, paymentId: string, points: number, data: Partial<PaymentRecorded['data']> = {}) =>
  at(position, paymentRecorded(paymentId, points, data));

describe('visits projection (newVisit, visitPurchased)', () => {
  it('records a browse visit as one without a purchase, on the day it is given', () => {
    expect(visitAt(3, 'v1', { kind: 'browse', source: 'scan', locationId: 'loc-cork' }, '2026-03-02')).toEqual({
      visitId: 'v1',
      customerId: CUSTOMER_ID,
      locationId: 'loc-cork',
      occurredAt: '2026-03-01T10:00:00.000Z',
      day: '2026-03-02',
      kind: 'browse',
      source: 'scan',
      withPurchase: false,
      position: 3n,
    });
  });

  it.each(['service', 'event', 'pickup'] as const)('records a %s visit as one without a purchase', (kind) => {
    expect(visitAt(1, 'v1', { kind }).withPurchase).toBe(false);
  });

  it('records a visit of kind purchase as one with a purchase', () => {
    expect(visitAt(1, 'v1', { kind: 'purchase' }).withPurchase).toBe(true);
  });

  it('records a visit created by a store payment (it names the payment) as one with a purchase', () => {
    expect(visitAt(1, 'v1', { kind: 'purchase', paymentId: 'p1' }).withPurchase).toBe(true);
    expect(visitAt(1, 'v2', { kind: 'browse', paymentId: 'p2' }).withPurchase).toBe(true);
  });

  describe('given a browse visit', () => {
    const browse = visitAt(1, 'v1');

    it('turns it into a visit with a purchase when a later payment names it', () => {
      expect(visitPurchased(browse, paymentAt(2, 'p1', 10, { visitId: 'v1' }))).toEqual({ ...browse, withPurchase: true, position: 2n });
    });

    it('turns it only once: a second payment on the same visit leaves it as it is', () => {
      const purchased = visitPurchased(browse, paymentAt(2, 'p1', 10, { visitId: 'v1' }));
      expect(visitPurchased(purchased, paymentAt(3, 'p2', 10, { visitId: 'v1' }))).toBe(purchased);
    });

    it('ignores a payment at or below the position the visit already reflects', () => {
      const later = { ...browse, position: 5n };
      expect(visitPurchased(later, paymentAt(5, 'p1', 10, { visitId: 'v1' }))).toBe(later);
      expect(visitPurchased(later, paymentAt(4, 'p1', 10, { visitId: 'v1' }))).toBe(later);
    });
  });
});

describe('customer_visit_stats projection (countVisit, countPurchaseOnVisit)', () => {
  it('opens the row with the first visit as first and last visit', () => {
    expect(countVisit(undefined, visitAt(2, 'v1'), at(2, null))).toEqual({
      customerId: CUSTOMER_ID,
      visits: 1,
      visitsWithPurchase: 0,
      visitsWithoutPurchase: 1,
      firstVisitAt: '2026-03-01T10:00:00.000Z',
      lastVisitAt: '2026-03-01T10:00:00.000Z',
      position: 2n,
    });
  });

  it('counts visits with and without a purchase separately', () => {
    let stats: CustomerVisitStats | undefined;
    stats = countVisit(stats, visitAt(1, 'v1', { kind: 'browse' }), at(1, null));
    stats = countVisit(stats, visitAt(2, 'v2', { kind: 'purchase', paymentId: 'p2' }), at(2, null));
    stats = countVisit(stats, visitAt(3, 'v3', { kind: 'service' }), at(3, null));
    expect(stats).toMatchObject({ visits: 3, visitsWithPurchase: 1, visitsWithoutPurchase: 2, position: 3n });
  });

  it('widens first and last visit by business time, whatever order the visits arrive in (backdating)', () => {
    let stats: CustomerVisitStats | undefined;
    stats = countVisit(stats, visitAt(1, 'v1', { occurredAt: '2026-03-05T10:00:00.000Z' }), at(1, null));
    stats = countVisit(stats, visitAt(2, 'v2', { occurredAt: '2026-02-01T10:00:00.000Z' }), at(2, null));
    stats = countVisit(stats, visitAt(3, 'v3', { occurredAt: '2026-03-07T10:00:00.000Z' }), at(3, null));
    stats = countVisit(stats, visitAt(4, 'v4', { occurredAt: '2026-03-03T10:00:00.000Z' }), at(4, null));
    expect(stats).toMatchObject({ firstVisitAt: '2026-02-01T10:00:00.000Z', lastVisitAt: '2026-03-07T10:00:00.000Z', visits: 4 });
  });

  it('moves one visit from without to with a purchase when a payment names it', () => {
    const stats = countVisit(undefined, visitAt(1, 'v1'), at(1, null));
    expect(countPurchaseOnVisit(stats, at(2, null))).toMatchObject({ visits: 1, visitsWithPurchase: 1, visitsWithoutPurchase: 0, position: 2n });
  });

  it('ignores a visit or a purchase at or below the position the row reflects', () => {
    const stats = countVisit(undefined, visitAt(4, 'v1'), at(4, null));
    expect(countVisit(stats, visitAt(4, 'v1'), at(4, null))).toBe(stats);
    expect(countVisit(stats, visitAt(3, 'v0'), at(3, null))).toBe(stats);
    expect(countPurchaseOnVisit(stats, at(4, null))).toBe(stats);
  });
});

describe('location_daily_visits projection (countLocationVisit, countLocationPurchaseOnVisit)', () => {
  it('opens the location-day row with the first visit and its customer', () => {
    expect(countLocationVisit(undefined, visitAt(1, 'v1', { locationId: 'loc-cork' }, '2026-03-01'), true, at(1, null))).toEqual({
      locationId: 'loc-cork',
      day: '2026-03-01',
      visits: 1,
      visitsWithPurchase: 0,
      distinctCustomers: 1,
      position: 1n,
    });
  });

  it('counts a second visit of the same customer that day as a visit but not as another customer', () => {
    let row: LocationDayVisits | undefined;
    row = countLocationVisit(row, visitAt(1, 'v1'), true, at(1, null));
    row = countLocationVisit(row, visitAt(2, 'v2', { kind: 'purchase' }), false, at(2, null));
    expect(row).toMatchObject({ visits: 2, visitsWithPurchase: 1, distinctCustomers: 1, position: 2n });
  });

  it('adds a visit with a purchase when an earlier visit of that day gains one', () => {
    const row = countLocationVisit(undefined, visitAt(1, 'v1'), true, at(1, null));
    expect(countLocationPurchaseOnVisit(row, at(2, null))).toMatchObject({ visits: 1, visitsWithPurchase: 1, position: 2n });
  });

  it('ignores a visit or a purchase at or below the position the row reflects', () => {
    const row = countLocationVisit(undefined, visitAt(5, 'v1'), true, at(5, null));
    expect(countLocationVisit(row, visitAt(5, 'v1'), true, at(5, null))).toBe(row);
    expect(countLocationPurchaseOnVisit(row, at(5, null))).toBe(row);
    expect(countLocationPurchaseOnVisit(row, at(2, null))).toBe(row);
  });
});

describe('location_daily_payments projection (countLocationPayment, countLocationRefund)', () => {
  it('opens the location-day-currency row with the payment, its revenue and its points', () => {
    expect(countLocationPayment(undefined, paymentAt(1, 'p1', 49, { amountMinor: 4999, locationId: 'loc-cork', currency: 'EUR' }), '2026-03-01')).toEqual({
      locationId: 'loc-cork',
      day: '2026-03-01',
      currency: 'EUR',
      payments: 1,
      revenueMinor: 4999,
      pointsEarned: 49,
      refunds: 0,
      refundedMinor: 0,
      position: 1n,
    });
  });

  it('adds up payments, revenue in minor units and points', () => {
    const first = countLocationPayment(undefined, paymentAt(1, 'p1', 10, { amountMinor: 1050 }), '2026-03-01');
    expect(countLocationPayment(first, paymentAt(2, 'p2', 3, { amountMinor: 399 }), '2026-03-01')).toMatchObject({
      payments: 2,
      revenueMinor: 1449,
      pointsEarned: 13,
      position: 2n,
    });
  });

  it('ignores a payment at or below the position the row reflects', () => {
    const row = countLocationPayment(undefined, paymentAt(3, 'p1', 10), '2026-03-01');
    expect(countLocationPayment(row, paymentAt(3, 'p1', 10), '2026-03-01')).toBe(row);
    expect(countLocationPayment(row, paymentAt(2, 'p0', 10), '2026-03-01')).toBe(row);
  });

  const refundAt = (position: number, refundId: string, amountMinor: number, data: { locationId?: string; currency?: string } = {}) =>
    at(position, paymentRefunded(refundId, 'p1', { pointsReversed: 0 }, { amountMinor, ...data }));

  it('opens a row for a day with refunds only (of payments made earlier): no payments, no revenue', () => {
    expect(countLocationRefund(undefined, refundAt(4, 'rf1', 1250, { locationId: 'loc-cork', currency: 'EUR' }), '2026-03-05')).toEqual({
      locationId: 'loc-cork',
      day: '2026-03-05',
      currency: 'EUR',
      payments: 0,
      revenueMinor: 0,
      pointsEarned: 0,
      refunds: 1,
      refundedMinor: 1250,
      position: 4n,
    });
  });

  it('adds refunds to the day next to its payments, leaving revenue as it was paid', () => {
    const paid = countLocationPayment(undefined, paymentAt(1, 'p1', 10, { amountMinor: 1050 }), '2026-03-01');
    const refunded = countLocationRefund(countLocationRefund(paid, refundAt(2, 'rf1', 50), '2026-03-01'), refundAt(3, 'rf2', 1000), '2026-03-01');
    expect(refunded).toMatchObject({ payments: 1, revenueMinor: 1050, pointsEarned: 10, refunds: 2, refundedMinor: 1050, position: 3n });
  });

  it('ignores a refund at or below the position the row reflects', () => {
    const row = countLocationRefund(undefined, refundAt(3, 'rf1', 100), '2026-03-01');
    expect(countLocationRefund(row, refundAt(3, 'rf1', 100), '2026-03-01')).toBe(row);
    expect(countLocationRefund(row, refundAt(2, 'rf0', 100), '2026-03-01')).toBe(row);
  });
});
