import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded, ruleIssued, visitCreated } from '../testing/customer-fixtures';
import { decided, enrolled, history, pendingPayment, refund } from '../testing/lifecycle-fixtures';
import { payment as aPayment } from '../testing/lifecycle2-fixtures';
import type { PointsAdjusted } from './adjust-points';
import { balanceView, type CustomerEvent } from './customer';
import { customerDecider } from './customer.decider';
import type { RecordPayment } from './record-payment';
import type { CashbackReversed, PaymentRefunded } from './refund-payment';

const given = DeciderSpecification.for(customerDecider);

/** pay-1: 100.00 USD, 100 points, available at once. */
const paid = [customerEnrolled(), paymentRecorded('pay-1', 100)];

const refunded = (data: Partial<PaymentRefunded['data']> = {}): PaymentRefunded => ({
  type: 'PaymentRefunded',
  data: {
    refundId: 'ref-0001',
    paymentId: 'pay-1',
    customerId: CUSTOMER_ID,
    refundIdentifier: 'CN-0001',
    amountMinor: 1000,
    currency: 'USD',
    locationId: 'loc-dublin',
    occurredAt: '2026-03-09T15:00:00.000Z',
    paymentAmountMinor: 10000,
    paymentPoints: 100,
    refundedBeforeMinor: 0,
    reversedBefore: 0,
    pointsReversed: 10,
    fromPending: 0,
    lots: [{ lotId: 'pay-1', points: 10 }],
    owed: 0,
    writtenOff: 0,
    shortfallPolicy: 'debt',
    ...data,
  },
});

const cashbackReversed = (data: Partial<CashbackReversed['data']> = {}): CashbackReversed => ({
  type: 'CashbackReversed',
  data: {
    reversalId: 'ref-0001:cb-1',
    cashbackId: 'cb-1',
    paymentId: 'pay-1',
    refundId: 'ref-0001',
    customerId: CUSTOMER_ID,
    occurredAt: '2026-03-09T15:00:00.000Z',
    cashbackPoints: 7,
    paymentAmountMinor: 10000,
    refundedTotalMinor: 1000,
    reversedBefore: 0,
    pointsReversed: 0,
    fromPending: 0,
    lots: [],
    owed: 0,
    writtenOff: 0,
    shortfallPolicy: 'debt',
    ...data,
  },
});

/** A redemption as stored, with the lots it drew from. */
const spent = (adjustmentId: string, points: number, lots: { lotId: string; points: number }[]): PointsAdjusted => ({
  type: 'PointsAdjusted',
  data: { adjustmentId, customerId: CUSTOMER_ID, kind: 'redemption', points: -points, occurredAt: '2026-03-03T08:00:00.000Z', lots },
});

const cashbackOf = (adjustmentId: string, points: number, paymentId = 'pay-1') =>
  ruleIssued('cashback', adjustmentId, points, { reference: paymentId, occurredAt: '2026-03-01T10:05:00.000Z' });

/** A later payment, an hour before the spec's clock. */
const payment = (paymentId: string, amount: string, overrides: Partial<RecordPayment> = {}): RecordPayment =>
  aPayment(paymentId, amount, { occurredAt: '2026-03-10T11:00:00.000Z', ...overrides });

const reversalsOf = (events: readonly CustomerEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'PaymentRefunded' || e.type === 'CashbackReversed' ? [e.data.pointsReversed] : []));

describe('Refunding a payment', () => {
  it("records the refund with the figures the reversal was computed from, taking the payment's share of its points from its own lot", () => {
    given(paid)
      .when(refund({ amount: '25.00', reason: 'damaged in transit' }))
      .then([refunded({ amountMinor: 2500, pointsReversed: 25, lots: [{ lotId: 'pay-1', points: 25 }], reason: 'damaged in transit' })]);
  });

  it('records no reason key when none is given', () => {
    const [event] = decided(paid, refund());
    expect(event!.data).not.toHaveProperty('reason');
  });

  it('takes the points off the available balance and counts them in lifetime reversed; earned stays what was earned', () => {
    given(paid)
      .when(refund({ amount: '25.00' }))
      .thenState((state) => {
        expect(state).toMatchObject({ balance: { available: 75, pending: 0 }, lifetime: { earned: 100, reversed: 25, writtenOff: 0, redeemed: 0 } });
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(state.lots).toEqual([expect.objectContaining({ lotId: 'pay-1', remaining: 75 })]);
        expect(state.payments.get('pay-1')).toMatchObject({ refundedMinor: 2500, reversedPoints: 25, refundIdentifiers: ['CN-0001'] });
      });
  });

  it('keeps the visits: the customer was there', () => {
    const inStore = [customerEnrolled(), visitCreated('vis-1', { kind: 'purchase', paymentId: 'pay-1' }), paymentRecorded('pay-1', 100, { visitId: 'vis-1' })];
    given(inStore)
      .when(refund({ amount: '100.00' }))
      .thenState((state) => {
        expect(state).toMatchObject({ visitCount: 1, paymentCount: 1, balance: { available: 0 } });
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(state.visits.has('vis-1')).toBe(true);
      });
  });

  describe('several partial refunds of one payment: cumulative, so they never drift', () => {
    it('worked example: 33.33, 33.33 and 33.34 of 100.00 earning 100 points reverse 33, 33 and 34', () => {
      const first = refund({ refundId: 'ref-1', refundIdentifier: 'CN-1', amount: '33.33' });
      const second = refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '33.33' });
      expect(reversalsOf(decided(paid, first))).toEqual([33]);
      expect(reversalsOf(decided(history(paid, first), second))).toEqual([33]); // floor(100 × 6666 / 10000) − 33
      given(history(paid, first, second))
        .when(refund({ refundId: 'ref-3', refundIdentifier: 'CN-3', amount: '33.34' }))
        .then([
          refunded({
            refundId: 'ref-3',
            refundIdentifier: 'CN-3',
            amountMinor: 3334,
            refundedBeforeMinor: 6666,
            reversedBefore: 66,
            pointsReversed: 34, // floor(100 × 10000 / 10000) − 66: the full refund reverses exactly the 100 earned
            lots: [{ lotId: 'pay-1', points: 34 }],
          }),
        ]);
    });

    it('three refunds of 33.33 reverse 33 each; the last cent reverses the last point', () => {
      const thirds = [1, 2, 3].map((n) => refund({ refundId: `ref-${n}`, refundIdentifier: `CN-${n}`, amount: '33.33' }));
      const events = history(paid, ...thirds);
      expect(reversalsOf(events)).toEqual([33, 33, 33]);
      given(events)
        .when(refund({ refundId: 'ref-4', refundIdentifier: 'CN-4', amount: '0.01' }))
        .thenState((state) => expect(state).toMatchObject({ balance: { available: 0 }, lifetime: { earned: 100, reversed: 100 } }));
    });

    it('ten refunds of 10.00 on 100.00 earning 33 points reverse 33 in all, where flooring each refund alone would leave 3 behind', () => {
      const events = history(
        [customerEnrolled(), paymentRecorded('pay-1', 33, { amountMinor: 10000 })],
        ...Array.from({ length: 10 }, (_, n) => refund({ refundId: `ref-${n}`, refundIdentifier: `CN-${n}`, amount: '10.00' })),
      );
      expect(reversalsOf(events)).toEqual([3, 3, 3, 4, 3, 3, 4, 3, 3, 4]);
      expect(enrolled(events)).toMatchObject({ balance: { available: 0 }, lifetime: { earned: 33, reversed: 33 } });
    });

    it('reverses exactly what was earned on a full refund at an odd ratio (49.99 at 2.25 points earned 112)', () => {
      const odd = [customerEnrolled(), paymentRecorded('pay-1', 112, { amountMinor: 4999, pointsPerUnit: '2.25' })];
      expect(reversalsOf(decided(odd, refund({ amount: '49.99' })))).toEqual([112]);
      const events = history(odd, refund({ amount: '0.01' }), refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '24.99' }));
      expect(reversalsOf(events)).toEqual([0, 56]); // floor(112 × 1 / 4999) = 0, then floor(112 × 2500 / 4999) = 56
      expect(reversalsOf(decided(events, refund({ refundId: 'ref-3', refundIdentifier: 'CN-3', amount: '24.99' })))).toEqual([56]);
    });

    it('records a refund too small to reverse a point, with 0 points reversed and no lot drawn', () => {
      given(paid)
        .when(refund({ amount: '0.99' }))
        .then([refunded({ amountMinor: 99, pointsReversed: 0, lots: [] })]);
    });
  });

  it("reverses from the payment's own figures, never from today's rules", () => {
    // Earned 100 at 1 point per unit; the program now gives 5 and has another version.
    given(paid)
      .when(refund({ amount: '50.00', program: aProgram({ pointsPerUnit: '5' }, 9) }))
      .then([refunded({ amountMinor: 5000, pointsReversed: 50, lots: [{ lotId: 'pay-1', points: 50 }] })]);
  });

  describe("the payment's cashback, reversed the same way as its own event", () => {
    const withCashback = [...paid, cashbackOf('cb-1', 7)];

    it('reverses the cashback in proportion, linked to the cashback and the refund, from its own lot', () => {
      given(withCashback)
        .when(refund({ amount: '50.00' }))
        .then([
          refunded({ amountMinor: 5000, pointsReversed: 50, lots: [{ lotId: 'pay-1', points: 50 }] }),
          cashbackReversed({ refundedTotalMinor: 5000, pointsReversed: 3, lots: [{ lotId: 'cb-1', points: 3 }] }), // floor(7 × 5000 / 10000)
        ]);
    });

    it('rounds the cashback on its own, cumulatively: 50, 25 and 25 reverse 3, 2 and 2 of 7', () => {
      const refunds = [
        refund({ refundId: 'ref-1', refundIdentifier: 'CN-1', amount: '50.00' }),
        refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '25.00' }),
        refund({ refundId: 'ref-3', refundIdentifier: 'CN-3', amount: '25.00' }),
      ];
      const events = history(withCashback, ...refunds);
      const reversals = events
        .filter((e): e is CashbackReversed => e.type === 'CashbackReversed')
        .map((e) => [e.data.reversalId, e.data.reversedBefore, e.data.pointsReversed]);
      expect(reversals).toEqual([
        ['ref-1:cb-1', 0, 3],
        ['ref-2:cb-1', 3, 2], // floor(7 × 7500 / 10000) − 3
        ['ref-3:cb-1', 5, 2], // floor(7 × 10000 / 10000) − 5: all 7
      ]);
      expect(enrolled(events)).toMatchObject({ balance: { available: 0 }, lifetime: { earned: 107, reversed: 107 } });
    });

    it('writes no cashback reversal when the refund takes no whole cashback point', () => {
      given([...paid, cashbackOf('cb-1', 1)])
        .when(refund({ amount: '10.00' }))
        .then([refunded()]);
    });

    it('reverses each cashback of the payment, each with its own event', () => {
      given([...withCashback, cashbackOf('cb-2', 20)])
        .when(refund({ amount: '100.00' }))
        .then([
          refunded({ amountMinor: 10000, pointsReversed: 100, lots: [{ lotId: 'pay-1', points: 100 }] }),
          cashbackReversed({ refundedTotalMinor: 10000, pointsReversed: 7, lots: [{ lotId: 'cb-1', points: 7 }] }),
          cashbackReversed({
            reversalId: 'ref-0001:cb-2',
            cashbackId: 'cb-2',
            cashbackPoints: 20,
            refundedTotalMinor: 10000,
            pointsReversed: 20,
            lots: [{ lotId: 'cb-2', points: 20 }],
          }),
        ]);
    });

    it("leaves another payment's cashback alone", () => {
      given([...withCashback, paymentRecorded('pay-2', 10), cashbackOf('cb-2', 5, 'pay-2')])
        .when(refund({ amount: '100.00' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.lots.map((lot) => [lot.lotId, lot.remaining])).toEqual([
            ['cb-2', 5],
            ['pay-2', 10],
          ]);
        });
    });
  });

  describe('the lots a reversal draws from', () => {
    it("reverses its own payment's lot first, even when another lot was earned earlier", () => {
      given([customerEnrolled(), paymentRecorded('pay-0', 50, { occurredAt: '2026-02-01T10:00:00.000Z' }), paymentRecorded('pay-1', 100)])
        .when(refund({ amount: '30.00' }))
        .then([refunded({ amountMinor: 3000, pointsReversed: 30, lots: [{ lotId: 'pay-1', points: 30 }] })]);
    });

    it('then the other available lots, earliest earned first, then owes the rest', () => {
      // pay-0 (50) and 70 of pay-1 were redeemed; pay-2 (40) is left untouched so far.
      const events = [
        customerEnrolled(),
        paymentRecorded('pay-0', 50, { occurredAt: '2026-02-01T10:00:00.000Z' }),
        paymentRecorded('pay-1', 100),
        spent('red-1', 120, [
          { lotId: 'pay-0', points: 50 },
          { lotId: 'pay-1', points: 70 },
        ]),
        paymentRecorded('pay-2', 40, { occurredAt: '2026-03-05T10:00:00.000Z' }),
        manualAdjustment('adj-1', 5),
      ];
      given(events)
        .when(refund({ amount: '100.00' }))
        .then([
          refunded({
            amountMinor: 10000,
            pointsReversed: 100,
            lots: [
              { lotId: 'pay-1', points: 30 },
              { lotId: 'adj-1', points: 5 }, // earned 2026-03-02
              { lotId: 'pay-2', points: 40 },
            ],
            owed: 25,
          }),
        ]);
    });
  });

  describe('after the points were spent (worked example b)', () => {
    const spentAll = [...paid, spent('red-1', 80, [{ lotId: 'pay-1', points: 80 }])];

    describe('policy "debt" (the default)', () => {
      const owing = history(spentAll, refund({ amount: '100.00' }));

      it('is never refused for lack of points: what the lots cannot cover is owed', () => {
        given(spentAll)
          .when(refund({ amount: '100.00' }))
          .then([refunded({ amountMinor: 10000, pointsReversed: 100, lots: [{ lotId: 'pay-1', points: 20 }], owed: 80 })]);
      });

      it('goes below zero even under negativeBalance "deny", which governs adjustments and redemptions only', () => {
        given(spentAll)
          .when(refund({ amount: '100.00', program: aProgram({ negativeBalance: 'deny', reversalShortfall: 'debt' }) }))
          .then([refunded({ amountMinor: 10000, pointsReversed: 100, lots: [{ lotId: 'pay-1', points: 20 }], owed: 80 })]);
      });

      it('shows the debt as owed, with nothing available, and keeps the lifetime identity', () => {
        const state = enrolled(owing);
        expect(state.balance).toEqual({ available: -80, pending: 0 });
        expect(balanceView(state.balance)).toEqual({ available: 0, pending: 0, owed: 80 });
        expect(state.lifetime).toEqual({ earned: 100, redeemed: 80, adjustedIn: 0, adjustedOut: 0, reversed: 100, writtenOff: 0, expired: 0 });
        expect(state.lots).toEqual([]);
      });

      it('refuses a redemption while owing', () => {
        given(owing)
          .when({ type: 'RedeemPoints', customerId: CUSTOMER_ID, redemptionId: 'red-2', points: 1, now: NOW })
          .thenFails('InsufficientPoints', { available: -80, requested: 1 });
      });

      it('lets a later earning pay the debt first: no lot opens until the debt is paid', () => {
        given(owing)
          .when(payment('pay-2', '50.00'))
          .thenState((state) => {
            if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
            expect(balanceView(state.balance)).toEqual({ available: 0, pending: 0, owed: 30 });
            expect(state.lots).toEqual([]);
            expect(state.lifetime.earned).toBe(150);
          });
      });

      it('opens a lot with what is left once the debt is paid, and lets it be spent', () => {
        const paidOff = history(owing, payment('pay-2', '50.00'), payment('pay-3', '50.00'));
        const state = enrolled(paidOff);
        expect(balanceView(state.balance)).toEqual({ available: 20, pending: 0, owed: 0 });
        expect(state.lots).toEqual([expect.objectContaining({ lotId: 'pay-3', remaining: 20 })]);
        given(paidOff)
          .when({ type: 'RedeemPoints', customerId: CUSTOMER_ID, redemptionId: 'red-2', points: 20, now: NOW })
          .then([expect.objectContaining({ type: 'PointsAdjusted', data: expect.objectContaining({ points: -20, lots: [{ lotId: 'pay-3', points: 20 }] }) })]);
      });

      it('lets a manual credit pay the debt first too', () => {
        given(owing)
          .when({ type: 'AdjustPoints', customerId: CUSTOMER_ID, adjustmentId: 'adj-1', points: 100, reason: 'goodwill', program: aProgram(), now: NOW })
          .thenState((state) => {
            if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
            expect(balanceView(state.balance)).toEqual({ available: 20, pending: 0, owed: 0 });
            expect(state.lots).toEqual([expect.objectContaining({ lotId: 'adj-1', remaining: 20 })]);
          });
      });
    });

    describe('policy "writeOff"', () => {
      const writeOff = aProgram({ reversalShortfall: 'writeOff' });

      it('stops the balance at zero and records the points written off', () => {
        given(spentAll)
          .when(refund({ amount: '100.00', program: writeOff }))
          .then([refunded({ amountMinor: 10000, pointsReversed: 100, lots: [{ lotId: 'pay-1', points: 20 }], writtenOff: 80, shortfallPolicy: 'writeOff' })]);
      });

      it('owes nothing, counts the whole reversal and the write-off in the lifetime totals, and keeps the identity', () => {
        given(spentAll)
          .when(refund({ amount: '100.00', program: writeOff }))
          .thenState((state) => {
            if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
            expect(balanceView(state.balance)).toEqual({ available: 0, pending: 0, owed: 0 });
            const l = state.lifetime;
            expect(l).toEqual({ earned: 100, redeemed: 80, adjustedIn: 0, adjustedOut: 0, reversed: 100, writtenOff: 80, expired: 0 });
            expect(l.earned - l.redeemed + l.adjustedIn - l.adjustedOut - l.reversed + l.writtenOff).toBe(0);
          });
      });

      it('leaves a later earning whole', () => {
        given(history(spentAll, refund({ amount: '100.00', program: writeOff })))
          .when(payment('pay-2', '50.00', { program: writeOff }))
          .thenState((state) => expect(state).toMatchObject({ balance: { available: 50 } }));
      });

      it('writes off what a cashback reversal cannot take too', () => {
        const events = [
          ...paid,
          cashbackOf('cb-1', 10),
          spent('red-1', 110, [
            { lotId: 'pay-1', points: 100 },
            { lotId: 'cb-1', points: 10 },
          ]),
        ];
        given(events)
          .when(refund({ amount: '100.00', program: writeOff }))
          .then([
            refunded({ amountMinor: 10000, pointsReversed: 100, lots: [], writtenOff: 100, shortfallPolicy: 'writeOff' }),
            cashbackReversed({ cashbackPoints: 10, refundedTotalMinor: 10000, pointsReversed: 10, writtenOff: 10, shortfallPolicy: 'writeOff' }),
          ]);
      });
    });

    it('applies the policy in force at the refund, not the one at the payment', () => {
      const events = [...spentAll];
      expect(decided(events, refund({ amount: '100.00', program: aProgram({ reversalShortfall: 'writeOff' }) }))[0]!.data).toMatchObject({
        writtenOff: 80,
        owed: 0,
      });
      expect(decided(events, refund({ amount: '100.00', program: undefined }))[0]!.data).toMatchObject({ owed: 80, writtenOff: 0, shortfallPolicy: 'debt' });
    });
  });

  describe('inside the return window (worked example c)', () => {
    const windowOpen = [
      customerEnrolled(),
      paymentRecorded('pay-0', 50, { occurredAt: '2026-02-01T10:00:00.000Z' }),
      pendingPayment('pay-1', 100, '2026-03-24T00:00:00.000Z', { occurredAt: '2026-03-09T10:00:00.000Z' }),
    ];

    it("takes the points from the payment's pending points: nothing drawn from the available lots, nothing owed", () => {
      given(windowOpen)
        .when(refund({ amount: '40.00' }))
        .then([refunded({ amountMinor: 4000, pointsReversed: 40, fromPending: 40, lots: [] })]);
    });

    it('lowers the pending balance and leaves the available balance alone', () => {
      given(windowOpen)
        .when(refund({ amount: '40.00' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 50, pending: 60, owed: 0 });
          expect(state.lots.map((lot) => [lot.lotId, lot.remaining, lot.activatesAt])).toEqual([
            ['pay-0', 50, undefined],
            ['pay-1', 60, '2026-03-24T00:00:00.000Z'],
          ]);
        });
    });

    it('owes nothing even when the customer has nothing available', () => {
      given([customerEnrolled(), pendingPayment('pay-1', 100, '2026-03-24T00:00:00.000Z', { occurredAt: '2026-03-09T10:00:00.000Z' })])
        .when(refund({ amount: '100.00' }))
        .then([refunded({ amountMinor: 10000, pointsReversed: 100, fromPending: 100, lots: [] })]);
    });

    it('does not add to a debt the customer already has', () => {
      given([...windowOpen, manualAdjustment('adj-1', -80)])
        .when(refund({ amount: '100.00' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 0, pending: 0, owed: 30 });
        });
    });

    it("takes a pending cashback's share from the cashback's own pending points", () => {
      const pendingCashback = ruleIssued('cashback', 'cb-1', 10, {
        reference: 'pay-1',
        occurredAt: '2026-03-09T10:00:00.000Z',
        activatesAt: '2026-03-24T00:00:00.000Z',
      });
      given([...windowOpen, pendingCashback])
        .when(refund({ amount: '40.00' }))
        .then([
          refunded({ amountMinor: 4000, pointsReversed: 40, fromPending: 40, lots: [] }),
          cashbackReversed({ cashbackPoints: 10, refundedTotalMinor: 4000, pointsReversed: 4, fromPending: 4 }),
        ]);
    });

    it('after activation, draws from the available lots again', () => {
      given(history(windowOpen, { type: 'ActivatePoints', customerId: CUSTOMER_ID, paymentId: 'pay-1', early: true, reason: 'VIP', now: NOW }))
        .when(refund({ amount: '40.00' }))
        .then([refunded({ amountMinor: 4000, pointsReversed: 40, lots: [{ lotId: 'pay-1', points: 40 }] })]);
    });
  });

  describe('refusals', () => {
    it('refuses refunds adding up to more than was paid, with the amounts in minor units', () => {
      given(history(paid, refund({ amount: '60.00' })))
        .when(refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '40.01' }))
        .thenFails('RefundExceedsPayment', { paymentId: 'pay-1', paidMinor: 10000, refundedMinor: 6000, requestedMinor: 4001, currency: 'USD' });
    });

    it('accepts refunds adding up to exactly what was paid', () => {
      given(history(paid, refund({ amount: '60.00' })))
        .when(refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '40.00' }))
        .then([
          refunded({
            refundId: 'ref-2',
            refundIdentifier: 'CN-2',
            amountMinor: 4000,
            refundedBeforeMinor: 6000,
            reversedBefore: 60,
            pointsReversed: 40,
            lots: [{ lotId: 'pay-1', points: 40 }],
          }),
        ]);
    });

    it('refuses a single refund of more than the payment', () => {
      given(paid)
        .when(refund({ amount: '100.01' }))
        .thenFails('RefundExceedsPayment', { paidMinor: 10000, refundedMinor: 0, requestedMinor: 10001 });
    });

    it('refuses any refund of a payment refunded in full', () => {
      given(history(paid, refund({ amount: '100.00' })))
        .when(refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '0.01' }))
        .thenFails('RefundExceedsPayment', { refundedMinor: 10000, requestedMinor: 1 });
    });

    it('refuses the same refund identifier twice on a payment, whatever the amount: nothing written', () => {
      given(history(paid, refund()))
        .when(refund({ refundId: 'ref-2', amount: '5.00' }))
        .thenFails('DuplicateRefund', { paymentId: 'pay-1', refundIdentifier: 'CN-0001' });
    });

    it('tells a duplicate before an excess: the same credit note again is a retry, not a new refund', () => {
      given(history(paid, refund({ amount: '100.00' })))
        .when(refund({ refundId: 'ref-2', amount: '100.00' }))
        .thenFails('DuplicateRefund');
    });

    it('accepts the same refund identifier on another payment', () => {
      given(history([...paid, paymentRecorded('pay-2', 20)], refund()))
        .when(refund({ refundId: 'ref-2', paymentId: 'pay-2' }))
        .then([
          refunded({
            refundId: 'ref-2',
            paymentId: 'pay-2',
            paymentAmountMinor: 2000,
            paymentPoints: 20,
            pointsReversed: 10,
            lots: [{ lotId: 'pay-2', points: 10 }],
          }),
        ]);
    });

    it('refuses an unknown payment', () => {
      given(paid)
        .when(refund({ paymentId: 'pay-404' }))
        .thenFails('PaymentNotFound', { paymentId: 'pay-404' });
    });

    it("refuses another customer's payment: it is not in this customer's ledger", () => {
      // cus-0002's pay-9 lives in cus-0002's stream; this customer's history has only pay-1.
      given(paid)
        .when(refund({ paymentId: 'pay-9' }))
        .thenFails('PaymentNotFound', { paymentId: 'pay-9' });
    });

    it('refuses a visit id where a payment id belongs', () => {
      given([...paid, visitCreated('vis-1')])
        .when(refund({ paymentId: 'vis-1' }))
        .thenFails('PaymentNotFound');
    });

    it("refuses a refund dated before the payment, and accepts one at the payment's time", () => {
      given(paid)
        .when(refund({ occurredAt: '2026-03-01T10:04:59.999Z' }))
        .thenFails('InvalidInput', { errors: [{ path: 'occurredAt', message: 'expected a time at or after the payment' }] });
      given(paid)
        .when(refund({ occurredAt: '2026-03-01T10:05:00.000Z' }))
        .then([refunded({ occurredAt: '2026-03-01T10:05:00.000Z' })]);
    });

    it('refuses a refund more than 5 minutes in the future of the server clock', () => {
      given(paid)
        .when(refund({ occurredAt: '2026-03-10T12:05:00.001Z' }))
        .thenFails('OccurredInFuture', { latestAllowed: '2026-03-10T12:05:00.000Z' });
    });

    it('refuses a refund for a customer who is not enrolled', () => {
      given([])
        .when(refund({ customerId: 'cus-unknown' }))
        .thenFails('CustomerNotFound', { customerId: 'cus-unknown' });
    });

    describe("amounts, in the payment's currency", () => {
      it('refuses more decimals than the currency has', () => {
        given(paid)
          .when(refund({ amount: '10.001' }))
          .thenFails('InvalidInput', { errors: [{ path: 'amount', message: 'expected at most 2 decimal places for USD' }] });
      });

      it.each(['0', '0.00', '-5.00', 'abc', '', '1e3', '10,00'])('refuses the amount %p', (amount) => {
        given(paid)
          .when(refund({ amount }))
          .thenFails('InvalidInput', { errors: [{ path: 'amount', message: expect.any(String) }] });
      });

      it('refunds a payment in a currency without minor units (JPY)', () => {
        const yen = [customerEnrolled(), paymentRecorded('pay-1', 15, { amountMinor: 1500, currency: 'JPY', pointsPerUnit: '0.01' })];
        given(yen)
          .when(refund({ amount: '500', program: aProgram({ currency: 'JPY' }) }))
          .then([
            refunded({
              amountMinor: 500,
              currency: 'JPY',
              paymentAmountMinor: 1500,
              paymentPoints: 15,
              pointsReversed: 5,
              lots: [{ lotId: 'pay-1', points: 5 }],
            }),
          ]);
        given(yen)
          .when(refund({ amount: '500.5' }))
          .thenFails('InvalidInput', { errors: [{ path: 'amount', message: 'expected at most 0 decimal places for JPY' }] });
      });

      it('refunds a payment in a currency with three minor digits (KWD)', () => {
        const dinars = [customerEnrolled(), paymentRecorded('pay-1', 24, { amountMinor: 12345, currency: 'KWD', pointsPerUnit: '2' })];
        given(dinars)
          .when(refund({ amount: '6.172' }))
          .then([
            refunded({
              amountMinor: 6172,
              currency: 'KWD',
              paymentAmountMinor: 12345,
              paymentPoints: 24,
              pointsReversed: 11,
              lots: [{ lotId: 'pay-1', points: 11 }],
            }),
          ]);
        given(dinars)
          .when(refund({ amount: '6.1725' }))
          .thenFails('InvalidInput', { errors: [{ path: 'amount', message: 'expected at most 3 decimal places for KWD' }] });
      });

      it('reads the amount in the currency of the payment, whatever the program says now', () => {
        // A JPY payment refunded while the program is in USD: still no decimals allowed.
        const yen = [customerEnrolled(), paymentRecorded('pay-1', 15, { amountMinor: 1500, currency: 'JPY', pointsPerUnit: '0.01' })];
        given(yen)
          .when(refund({ amount: '5.00', program: aProgram({ currency: 'USD' }) }))
          .thenFails('InvalidInput');
      });
    });
  });
});
