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
        lifetimeEarned: 0,
        lifetimeRedeemed: 0,
        adjustedIn: 0,
        adjustedOut: 0,
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

    it('lets a clawback take available below zero (the "allow" policy) without touching lifetime totals', () => {
      const row = balanceAfter(customerEnrolled(), manualAdjustment('a1', -15, 'clawback'))!;
      expect(row).toMatchObject({ available: -15, adjustedOut: 15, lifetimeEarned: 0, lifetimeRedeemed: 0 });
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

  describe('given an event at or below the position the row already reflects (a repeated delivery)', () => {
    it.each<[string, CustomerEvent]>([
      ['a visit', visitCreated('v1')],
      ['a payment', paymentRecorded('p1', 10)],
      ['a manual adjustment', manualAdjustment('a1', 10)],
      ['a redemption', redemption('r1', 10)],
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
