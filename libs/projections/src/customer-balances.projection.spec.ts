import type { CustomerEvent } from '#ledger-domain/customer/customer';
import {
  CUSTOMER_ID,
  customerEnrolled,
  manualAdjustment,
  paymentRecorded,
  redemption,
  ruleIssued,
  visitCreated,
} from '#ledger-domain/testing/customer-fixtures';
import { evolveBalance, type CustomerBalance } from './customer-balances.projection';
import type { Projected } from './projected-event';
import { cashbackReversed, paymentRefunded, pointsActivated, pointsExpired, pointsVoided } from './testing/lifecycle-events';

const at = <Ev>(position: number, event: Ev, meta: Partial<Omit<Projected<Ev>, 'event' | 'position'>> = {}): Projected<Ev> => ({
  event,
  eventId: `evt-${position}`,
  streamName: `loyaltyAccount-${CUSTOMER_ID}`,
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: '2026-03-10T12:00:00.000Z',
  actor: 'staff:alice',
  ...meta,
});

/** Folds events (position = index + 1) into a balance row. */
const balanceAfter = (...events: CustomerEvent[]): CustomerBalance | undefined =>
  events.reduce<CustomerBalance | undefined>((row, event, i) => evolveBalance(row, at(i + 1, event)), undefined);

const enrolled = () => balanceAfter(customerEnrolled())!;

describe('customer_balances projection (evolveBalance)', () => {
  describe('given no row yet', () => {
    it('opens a zeroed row on enrolment, remembering when and at which position', () => {
      expect(evolveBalance(undefined, at(7, customerEnrolled()))).toEqual({
        customerId: CUSTOMER_ID,
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
        enrolledAt: '2026-01-05T09:00:00.000Z',
        position: 7n,
      });
    });

    it.each<[string, CustomerEvent]>([
      ['a visit', visitCreated('v1')],
      ['a payment', paymentRecorded('p1', 10)],
      ['an adjustment', manualAdjustment('a1', 5)],
    ])('has nothing to attach %s to before the enrolment', (_, event) => {
      expect(evolveBalance(undefined, at(1, event))).toBeUndefined();
    });
  });

  describe('given an enrolled customer', () => {
    it('counts a visit, moves last activity to its business time and the row to its position', () => {
      const row = evolveBalance(enrolled(), at(2, visitCreated('v1', { occurredAt: '2026-03-01T10:00:00.000Z' })))!;
      expect(row).toMatchObject({ visitCount: 1, purchaseCount: 0, available: 0, lastActivityAt: '2026-03-01T10:00:00.000Z', position: 2n });
    });

    it('credits a payment to available and lifetime earned, and counts a purchase', () => {
      const row = evolveBalance(enrolled(), at(2, paymentRecorded('p1', 49)))!;
      expect(row).toMatchObject({
        available: 49,
        lifetimeEarned: 49,
        purchaseCount: 1,
        visitCount: 0,
        lastActivityAt: '2026-03-01T10:05:00.000Z',
        position: 2n,
      });
    });

    it('credits a positive manual adjustment to available and adjusted in, not to lifetime earned', () => {
      const row = evolveBalance(enrolled(), at(2, manualAdjustment('a1', 30)))!;
      expect(row).toMatchObject({
        available: 30,
        adjustedIn: 30,
        adjustedOut: 0,
        lifetimeEarned: 0,
        lifetimeRedeemed: 0,
        lastActivityAt: '2026-03-02T08:00:00.000Z',
      });
    });

    it('debits a negative manual adjustment from available and records it (positive) as adjusted out', () => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 50), manualAdjustment('a1', -20, 'clawback'))!;
      expect(row).toMatchObject({ available: 30, adjustedIn: 0, adjustedOut: 20, lifetimeEarned: 50, lifetimeRedeemed: 0 });
    });

    it('shows a clawback beyond the balance (the "allow" policy) as owed, never as a negative available', () => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 10), manualAdjustment('a1', -25, 'clawback'))!;
      expect(row).toMatchObject({ available: 0, owed: 15, adjustedOut: 25, lifetimeEarned: 10, lifetimeRedeemed: 0 });
    });

    it('pays what is owed first from points that become available', () => {
      const owing = balanceAfter(customerEnrolled(), manualAdjustment('a1', -15, 'clawback'))!;
      expect(evolveBalance(owing, at(3, paymentRecorded('p1', 10)))).toMatchObject({ available: 0, owed: 5 });
      expect(evolveBalance(owing, at(3, paymentRecorded('p1', 40)))).toMatchObject({ available: 25, owed: 0, lifetimeEarned: 40 });
    });

    it.each(['reward', 'cashback'] as const)('credits a %s to available and lifetime earned, not to adjusted in', (kind) => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 49), ruleIssued(kind, 'rw1', 50))!;
      expect(row).toMatchObject({ available: 99, lifetimeEarned: 99, adjustedIn: 0, adjustedOut: 0, lastActivityAt: '2026-03-04T09:00:00.000Z' });
    });

    it('debits a redemption from available and adds it (positive) to lifetime redeemed, not to adjusted out', () => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 100), redemption('r1', 30))!;
      expect(row).toMatchObject({
        available: 70,
        lifetimeEarned: 100,
        lifetimeRedeemed: 30,
        adjustedIn: 0,
        adjustedOut: 0,
        lastActivityAt: '2026-03-03T08:00:00.000Z',
      });
    });

    it('keeps lifetime totals that never go down across a mixed history', () => {
      const row = balanceAfter(
        customerEnrolled(),
        visitCreated('v1'),
        paymentRecorded('p1', 120, { visitId: 'v1', source: 'scan' }),
        paymentRecorded('p2', 80),
        redemption('r1', 50),
        manualAdjustment('a1', 25),
        manualAdjustment('a2', -10),
        redemption('r2', 100),
      )!;
      expect(row).toMatchObject({
        available: 120 + 80 - 50 + 25 - 10 - 100,
        pending: 0,
        lifetimeEarned: 200,
        lifetimeRedeemed: 150,
        adjustedIn: 25,
        adjustedOut: 10,
        visitCount: 1,
        purchaseCount: 2,
        position: 8n,
      });
    });

    it('keeps the latest business time as last activity when a backdated event arrives later', () => {
      const row = balanceAfter(
        customerEnrolled(),
        visitCreated('v1', { occurredAt: '2026-03-05T10:00:00.000Z' }),
        paymentRecorded('p1', 10, { occurredAt: '2026-02-20T10:00:00.000Z' }), // backdated by staff
        manualAdjustment('a1', 5), // 2026-03-02, still older
      )!;
      expect(row.lastActivityAt).toBe('2026-03-05T10:00:00.000Z');
      expect(row.position).toBe(4n);
    });

    it('does not count the enrolment itself as activity', () => {
      expect(enrolled().lastActivityAt).toBeNull();
    });
  });

  describe('given the points lifecycle', () => {
    const pendingPayment = (id: string, points: number) => paymentRecorded(id, points, { activatesAt: '2026-03-08T00:00:00.000Z' });

    it('keeps the points of a payment in its return window pending, earned but not available', () => {
      const row = balanceAfter(customerEnrolled(), pendingPayment('p1', 40), ruleIssued('cashback', 'cb1', 2, { activatesAt: '2026-03-08T00:00:00.000Z' }))!;
      expect(row).toMatchObject({ available: 0, pending: 42, owed: 0, lifetimeEarned: 42, purchaseCount: 1 });
    });

    it('moves activated points from pending to available, paying what is owed first', () => {
      const row = balanceAfter(
        customerEnrolled(),
        pendingPayment('p1', 40),
        manualAdjustment('a1', -15, 'clawback'),
        pointsActivated('p1', [{ lotId: 'p1', points: 40 }]),
      )!;
      expect(row).toMatchObject({ available: 25, pending: 0, owed: 0, lifetimeEarned: 40, adjustedOut: 15, lifetimeReversed: 0 });
      // Activation is no activity of the customer's.
      expect(row.lastActivityAt).toBe('2026-03-02T08:00:00.000Z');
    });

    it("takes a refund's reversal from available and counts it as reversed; the refund is activity", () => {
      const row = balanceAfter(
        customerEnrolled(),
        paymentRecorded('p1', 100),
        paymentRefunded(
          'rf1',
          'p1',
          { pointsReversed: 30, lots: [{ lotId: 'p1', points: 30 }] },
          { amountMinor: 3000, occurredAt: '2026-03-09T10:00:00.000Z' },
        ),
      )!;
      expect(row).toMatchObject({ available: 70, pending: 0, owed: 0, lifetimeEarned: 100, lifetimeReversed: 30, lifetimeWrittenOff: 0 });
      expect(row.lastActivityAt).toBe('2026-03-09T10:00:00.000Z');
    });

    it('takes the pending part of a reversal from pending, and what the lots could not cover is owed', () => {
      const row = balanceAfter(
        customerEnrolled(),
        pendingPayment('p1', 40),
        paymentRecorded('p2', 10),
        paymentRefunded('rf1', 'p1', { pointsReversed: 60, fromPending: 40, lots: [{ lotId: 'p2', points: 10 }], owed: 10 }),
      )!;
      expect(row).toMatchObject({ available: 0, pending: 0, owed: 10, lifetimeReversed: 60, lifetimeWrittenOff: 0 });
    });

    it('counts a shortfall written off as reversed and written off, never as owed', () => {
      const row = balanceAfter(
        customerEnrolled(),
        paymentRecorded('p1', 100),
        redemption('r1', 90),
        paymentRefunded('rf1', 'p1', { pointsReversed: 100, lots: [{ lotId: 'p1', points: 10 }], writtenOff: 90 }),
        cashbackReversed('rf1', 'cb1', 'p1', { pointsReversed: 5, writtenOff: 5 }),
      )!;
      expect(row).toMatchObject({ available: 0, owed: 0, lifetimeRedeemed: 90, lifetimeReversed: 105, lifetimeWrittenOff: 95 });
    });

    it('cancels voided points from pending, as reversed', () => {
      const row = balanceAfter(customerEnrolled(), pendingPayment('p1', 40), pointsVoided('p1', [{ lotId: 'p1', points: 40 }]))!;
      expect(row).toMatchObject({ available: 0, pending: 0, owed: 0, lifetimeEarned: 40, lifetimeReversed: 40 });
    });

    it('keeps the lifetime identity: available − owed + pending = earned − redeemed + in − out − reversed + written off', () => {
      const row = balanceAfter(
        customerEnrolled(),
        pendingPayment('p1', 40),
        paymentRecorded('p2', 50),
        redemption('r1', 45),
        paymentRefunded('rf2', 'p2', { pointsReversed: 50, lots: [{ lotId: 'p2', points: 5 }], owed: 45 }),
        pointsActivated('p1', [{ lotId: 'p1', points: 40 }]),
        manualAdjustment('a1', 7),
      )!;
      expect(row).toMatchObject({ available: 2, owed: 0, pending: 0 });
      expect(row.available - row.owed + row.pending).toBe(
        row.lifetimeEarned - row.lifetimeRedeemed + row.adjustedIn - row.adjustedOut - row.lifetimeReversed + row.lifetimeWrittenOff,
      );
    });
  });

  describe('given lot expiry', () => {
    const pendingPayment = (id: string, points: number) => paymentRecorded(id, points, { activatesAt: '2026-03-08T00:00:00.000Z' });
    it('takes expired available points from available and counts them as lifetime expired; an expiry is not activity', () => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 30, { occurredAt: '2026-03-01T10:00:00.000Z' }), pointsExpired('p1', 12))!;
      expect(row).toMatchObject({
        available: 18,
        pending: 0,
        owed: 0,
        lifetimeEarned: 30,
        lifetimeExpired: 12,
        lastActivityAt: '2026-03-01T10:00:00.000Z',
        position: 3n,
      });
    });

    it('takes expired pending points from pending', () => {
      const row = balanceAfter(customerEnrolled(), pendingPayment('p1', 40), pointsExpired('p1', 40, { pending: true }))!;
      expect(row).toMatchObject({ available: 0, pending: 0, lifetimeEarned: 40, lifetimeExpired: 40, lifetimeReversed: 0 });
    });

    it('keeps the lifetime identity with expiry: available − owed + pending = earned − redeemed + in − out − reversed + written off − expired', () => {
      const row = balanceAfter(
        customerEnrolled(),
        paymentRecorded('p1', 50),
        pendingPayment('p2', 20),
        pointsExpired('p1', 35),
        pointsExpired('p2', 20, { pending: true }),
      )!;
      expect(row.available - row.owed + row.pending).toBe(
        row.lifetimeEarned - row.lifetimeRedeemed + row.adjustedIn - row.adjustedOut - row.lifetimeReversed + row.lifetimeWrittenOff - row.lifetimeExpired,
      );
      expect(row).toMatchObject({ available: 15, pending: 0, lifetimeExpired: 55 });
    });
  });

  describe('given an event at or below the position the row already reflects (a repeated delivery)', () => {
    it.each<[string, CustomerEvent]>([
      ['a visit', visitCreated('v1')],
      ['a payment', paymentRecorded('p1', 10)],
      ['a manual adjustment', manualAdjustment('a1', 10)],
      ['a redemption', redemption('r1', 10)],
      ['a refund', paymentRefunded('rf1', 'p0', { pointsReversed: 10, lots: [{ lotId: 'p0', points: 10 }] })],
      ['a cashback reversal', cashbackReversed('rf1', 'cb1', 'p0', { pointsReversed: 1, lots: [{ lotId: 'p0', points: 1 }] })],
      ['an activation', pointsActivated('p0', [{ lotId: 'p0', points: 10 }])],
      ['a void', pointsVoided('p0', [{ lotId: 'p0', points: 10 }])],
      ['an enrolment', customerEnrolled({ enrolledAt: '2030-01-01T00:00:00.000Z' })],
    ])('ignores %s delivered again: the very same row comes back', (_, event) => {
      const row = { ...balanceAfter(customerEnrolled(), paymentRecorded('p0', 40))!, position: 5n };
      expect(evolveBalance(row, at(5, event))).toBe(row);
      expect(evolveBalance(row, at(3, event))).toBe(row);
    });

    it('applies the same event exactly once when it is delivered twice in a row', () => {
      const payment = at(2, paymentRecorded('p1', 10));
      const once = evolveBalance(enrolled(), payment);
      expect(evolveBalance(once, payment)).toBe(once);
      expect(once).toMatchObject({ available: 10, purchaseCount: 1 });
    });

    it('never re-opens an enrolled row on a second enrolment', () => {
      const row = balanceAfter(customerEnrolled(), paymentRecorded('p1', 10))!;
      expect(evolveBalance(row, at(9, customerEnrolled({ enrolledAt: '2030-01-01T00:00:00.000Z' })))).toBe(row);
    });
  });
});
