import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded, redemption, ruleIssued } from '../testing/customer-fixtures';
import { enrolled, history, pendingPayment, refund } from '../testing/lifecycle-fixtures';
import { lotsMoved } from './customer';
import { customerDecider } from './customer.decider';
import { applyDraws, drawAvailable, openLot, pendingLotsOf, settleOwed, spendingOrder, sumDraws, type Lot } from './lots';

const given = DeciderSpecification.for(customerDecider);

const lot = (lotId: string, remaining: number, earnedAt: string, extra: Partial<Lot> = {}): Lot => ({
  lotId,
  source: 'payment',
  earnedAt,
  remaining,
  ...extra,
});
const jan = lot('pay-jan', 10, '2026-01-10T10:00:00.000Z');
const feb = lot('pay-feb', 20, '2026-02-10T10:00:00.000Z');
const febPending = lot('pay-febp', 40, '2026-02-15T10:00:00.000Z', { activatesAt: '2026-03-01T00:00:00.000Z', paymentId: 'pay-febp' });
const mar = lot('pay-mar', 30, '2026-03-10T10:00:00.000Z');

const redeem = (points: number) => ({ type: 'RedeemPoints' as const, customerId: CUSTOMER_ID, redemptionId: 'red-1', points, now: NOW });

describe('Lots', () => {
  describe('spending order', () => {
    it('puts the earliest earned first, then orders by id so every replay agrees', () => {
      const sameTime = lot('pay-b', 1, jan.earnedAt);
      expect([mar, sameTime, feb, jan].sort(spendingOrder).map((l) => l.lotId)).toEqual(['pay-b', 'pay-jan', 'pay-feb', 'pay-mar']);
    });

    it('opens a lot in its place in spending order, and never an empty one', () => {
      expect(openLot([jan, mar], feb).map((l) => l.lotId)).toEqual(['pay-jan', 'pay-feb', 'pay-mar']);
      expect(openLot([jan], lot('pay-zero', 0, mar.earnedAt))).toEqual([jan]);
    });
  });

  describe('drawing available points', () => {
    it('draws the earliest-earned lots first and reports what it could not draw', () => {
      expect(drawAvailable([jan, feb, mar], 25)).toEqual({
        draws: [
          { lotId: 'pay-jan', points: 10 },
          { lotId: 'pay-feb', points: 15 },
        ],
        shortfall: 0,
      });
      expect(drawAvailable([jan, feb], 45)).toEqual({
        draws: [
          { lotId: 'pay-jan', points: 10 },
          { lotId: 'pay-feb', points: 20 },
        ],
        shortfall: 15,
      });
    });

    it('never draws from a pending lot', () => {
      expect(drawAvailable([jan, febPending, mar], 50)).toEqual({
        draws: [
          { lotId: 'pay-jan', points: 10 },
          { lotId: 'pay-mar', points: 30 },
        ],
        shortfall: 10,
      });
      expect(drawAvailable([febPending], 5, 'pay-febp')).toEqual({ draws: [], shortfall: 5 });
    });

    it('draws from a named lot first (a reversal of its own earning), then in spending order', () => {
      expect(drawAvailable([jan, feb, mar], 35, 'pay-mar')).toEqual({
        draws: [
          { lotId: 'pay-mar', points: 30 },
          { lotId: 'pay-jan', points: 5 },
        ],
        shortfall: 0,
      });
    });

    it('draws nothing for nothing', () => {
      expect(drawAvailable([jan], 0)).toEqual({ draws: [], shortfall: 0 });
    });
  });

  describe('applying draws', () => {
    it('takes the points from each drawn lot and closes the emptied ones', () => {
      expect(
        applyDraws(
          [jan, feb, mar],
          [
            { lotId: 'pay-jan', points: 10 },
            { lotId: 'pay-feb', points: 5 },
          ],
        ),
      ).toEqual([{ ...feb, remaining: 15 }, mar]);
    });

    it('adds up several draws on one lot', () => {
      expect(
        applyDraws(
          [feb],
          [
            { lotId: 'pay-feb', points: 5 },
            { lotId: 'pay-feb', points: 5 },
          ],
        ),
      ).toEqual([{ ...feb, remaining: 10 }]);
    });

    it('sums draws', () => {
      expect(
        sumDraws([
          { lotId: 'a', points: 3 },
          { lotId: 'b', points: 4 },
        ]),
      ).toBe(7);
      expect(sumDraws([])).toBe(0);
    });
  });

  it('lets points that become available pay what is owed first', () => {
    expect(settleOwed(-30, 100)).toBe(30);
    expect(settleOwed(-30, 10)).toBe(10);
    expect(settleOwed(0, 10)).toBe(0);
    expect(settleOwed(25, 10)).toBe(0);
  });

  it("finds a payment's pending lots: its own and its cashback's", () => {
    const cashback = lot('cb-1', 4, febPending.earnedAt, { source: 'cashback', paymentId: 'pay-febp', activatesAt: febPending.activatesAt! });
    const availableCashback = lot('cb-2', 4, febPending.earnedAt, { source: 'cashback', paymentId: 'pay-febp' });
    expect(pendingLotsOf([jan, cashback, availableCashback, febPending], 'pay-febp').map((l) => l.lotId)).toEqual(['cb-1', 'pay-febp']);
  });

  describe('in the ledger', () => {
    it('makes every earning a lot: payments, cashback, rewards and manual credits, pending or not', () => {
      const state = enrolled([
        customerEnrolled(),
        paymentRecorded('pay-1', 100),
        ruleIssued('cashback', 'cb-1', 5, { reference: 'pay-1', occurredAt: '2026-03-01T10:05:00.000Z' }),
        ruleIssued('reward', 'rew-1', 50, { occurredAt: '2026-03-04T09:00:00.000Z' }),
        manualAdjustment('adj-1', 7),
        pendingPayment('pay-2', 30, '2026-03-24T00:00:00.000Z', { occurredAt: '2026-03-09T10:00:00.000Z' }),
      ]);
      expect(state.lots.map((l) => [l.lotId, l.source, l.remaining, l.activatesAt ?? null])).toEqual([
        ['cb-1', 'cashback', 5, null],
        ['pay-1', 'payment', 100, null],
        ['adj-1', 'adjustment', 7, null],
        ['rew-1', 'reward', 50, null],
        ['pay-2', 'payment', 30, '2026-03-24T00:00:00.000Z'],
      ]);
    });

    it('records which lots a redemption drew from, earliest earned first, even when recorded out of order', () => {
      // pay-late was recorded first; pay-early is a backdated receipt recorded after it.
      given([
        customerEnrolled(),
        paymentRecorded('pay-late', 50, { occurredAt: '2026-03-05T10:00:00.000Z' }),
        paymentRecorded('pay-early', 30, { occurredAt: '2026-02-01T10:00:00.000Z' }),
      ])
        .when(redeem(40))
        .then([
          expect.objectContaining({
            data: expect.objectContaining({
              points: -40,
              lots: [
                { lotId: 'pay-early', points: 30 },
                { lotId: 'pay-late', points: 10 },
              ],
            }),
          }),
        ]);
    });

    it('records the lots of a manual debit, and owes what they do not cover under "allow"', () => {
      given([customerEnrolled(), paymentRecorded('pay-1', 50)])
        .when({
          type: 'AdjustPoints',
          customerId: CUSTOMER_ID,
          adjustmentId: 'adj-1',
          points: -80,
          reason: 'clawback',
          program: aProgram({ negativeBalance: 'allow' }),
          now: NOW,
        })
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.lots).toEqual([]);
          expect(state.balance.available).toBe(-30);
        });
    });

    it('draws spends recorded before lots existed in spending order', () => {
      const state = enrolled([
        customerEnrolled(),
        paymentRecorded('pay-1', 50, { occurredAt: '2026-03-05T10:00:00.000Z' }),
        paymentRecorded('pay-0', 30, { occurredAt: '2026-02-01T10:00:00.000Z' }),
        redemption('red-1', 40),
      ]);
      expect(state.lots.map((l) => [l.lotId, l.remaining])).toEqual([['pay-1', 40]]);
    });

    it('names the lots a reversal moved: its pending points from its own lot first', () => {
      const events = history(
        [customerEnrolled(), pendingPayment('pay-1', 100, '2026-03-24T00:00:00.000Z', { occurredAt: '2026-03-09T10:00:00.000Z' })],
        refund({ amount: '25.00' }),
      );
      expect(lotsMoved(events[events.length - 1]!)).toEqual([{ lotId: 'pay-1', points: 25 }]);
      expect(lotsMoved(customerEnrolled())).toEqual([]);
    });

    it('keeps every open lot positive, and their sum equal to the available and pending balances', () => {
      const events = history(
        [
          customerEnrolled(),
          paymentRecorded('pay-0', 30, { occurredAt: '2026-02-01T10:00:00.000Z' }),
          paymentRecorded('pay-1', 100),
          pendingPayment('pay-2', 40, '2026-03-24T00:00:00.000Z', { occurredAt: '2026-03-09T10:00:00.000Z' }),
        ],
        redeem(110),
        refund({ amount: '50.00' }),
        refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', paymentId: 'pay-2', amount: '10.00' }),
      );
      const state = enrolled(events);
      expect(state.lots.every((l) => l.remaining > 0)).toBe(true);
      expect(state.lots.reduce((s, l) => s + l.remaining, 0)).toBe(Math.max(0, state.balance.available) + state.balance.pending);
      expect(state.balance).toEqual({ available: -30, pending: 30 });
    });
  });
});
