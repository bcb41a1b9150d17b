import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, paymentRecorded, ruleIssued, visitCreated } from '../testing/customer-fixtures';
import { decided, enrolled, history, pendingPayment, refund } from '../testing/lifecycle-fixtures';
import { adjustment, expire, payment, redeem } from '../testing/lifecycle2-fixtures';
import type { PointsAdjusted } from './adjust-points';
import { balanceView } from './customer';
import { customerDecider } from './customer.decider';
import type { PointsExpired } from './expire-points';
import { react } from '../reactions/react';
import { emptyVisitTally, tallyVisit } from '../reactions/visit-tally';

const given = DeciderSpecification.for(customerDecider);

const expired = (lotId: string, points: number, occurredAt: string, pending = false): PointsExpired => ({
  type: 'PointsExpired',
  data: { lotId, customerId: CUSTOMER_ID, occurredAt, points, pending },
});

/** A redemption as stored, with the lots it drew from. */
const spent = (adjustmentId: string, points: number, lots: { lotId: string; points: number }[], occurredAt = '2026-03-10T12:00:00.000Z'): PointsAdjusted => ({
  type: 'PointsAdjusted',
  data: { adjustmentId, customerId: CUSTOMER_ID, kind: 'redemption', points: -points, occurredAt, lots },
});

/**
 * Three lots earned in January, February and March under three program versions (UTC):
 * - pay-jan, 100 points at 2026-01-10T10:00Z under afterMonths 12 roundTo month: expires at the end of January 2027;
 * - pay-feb, 50 points at 2026-02-10T10:00Z under afterDays 30: expires at the end of 12 March 2026;
 * - adj-mar, a goodwill credit of 30 points at 2026-03-02T09:00Z with expires: false: never expires.
 */
const JAN_EXPIRY = '2027-02-01T00:00:00.000Z';
const FEB_EXPIRY = '2026-03-13T00:00:00.000Z';
const threeLots = () =>
  history(
    [customerEnrolled()],
    payment('pay-jan', '100.00', {
      occurredAt: '2026-01-10T10:00:00.000Z',
      now: new Date('2026-01-10T10:00:00.000Z'),
      program: aProgram({ expiry: { policy: 'afterMonths', months: 12, roundTo: 'month' } }, 1),
    }),
    payment('pay-feb', '50.00', {
      occurredAt: '2026-02-10T10:00:00.000Z',
      now: new Date('2026-02-10T10:00:00.000Z'),
      program: aProgram({ expiry: { policy: 'afterDays', days: 30 } }, 2),
    }),
    adjustment('adj-mar', 30, {
      expires: false,
      now: new Date('2026-03-02T09:00:00.000Z'),
      program: aProgram({ expiry: { policy: 'afterDays', days: 30 } }, 2),
    }),
  );

describe('Lots with expiry dates', () => {
  it('records each lot’s expiry when it is earned, under the policy in force then; a credit marked expires: false never expires', () => {
    const events = threeLots();
    expect(events.flatMap((e) => (e.type === 'PaymentRecorded' || e.type === 'PointsAdjusted' ? [[e.data.expiresAt]] : []))).toEqual([
      [JAN_EXPIRY],
      [FEB_EXPIRY],
      [undefined],
    ]);
    expect(enrolled(events).lots.map((l) => [l.lotId, l.remaining, l.expiresAt])).toEqual([
      ['pay-feb', 50, FEB_EXPIRY],
      ['pay-jan', 100, JAN_EXPIRY],
      ['adj-mar', 30, undefined],
    ]);
  });

  it('expires a positive manual credit under the policy, counted from the day it was made', () => {
    const [credit] = decided(
      [customerEnrolled()],
      adjustment('adj-1', 10, { now: new Date('2026-03-10T12:00:00.000Z'), program: aProgram({ expiry: { policy: 'afterDays', days: 7 } }) }),
    );
    expect(credit!.data).toMatchObject({ points: 10, expiresAt: '2026-03-18T00:00:00.000Z' });
  });

  it('gives a reward and a cashback the expiry of the policy in force at their trigger, from its business time', () => {
    const program = aProgram({
      timezone: 'America/New_York',
      expiry: { policy: 'afterMonths', months: 1, roundTo: 'month' },
      visitRewards: [{ ruleId: 'visits-1', everyVisits: 1, points: 5 }],
      cashback: [{ ruleId: 'cb-5', percent: '5' }],
    });
    // 23:30 on 31 March in New York is 03:30Z on 1 April: a month later is the end of April, local.
    const visit = visitCreated('vis-1', { occurredAt: '2026-04-01T03:30:00.000Z' });
    const [reward] = react(visit, { program, visits: tallyVisit(emptyVisitTally, visit.data) });
    expect(reward!.command.expiresAt).toBe('2026-05-01T04:00:00.000Z');
    const [cashback] = react(paymentRecorded('pay-1', 100, { occurredAt: '2026-04-01T03:30:00.000Z' }), { program, visits: emptyVisitTally });
    expect(cashback!.command.expiresAt).toBe('2026-05-01T04:00:00.000Z');
  });

  describe('spending: the earliest expiry first, lots that never expire last', () => {
    it('worked example: a redemption of 120 takes February’s 50 (expiring first), then 70 of January’s, and not the March credit', () => {
      given(threeLots())
        .when(redeem('red-1', 120))
        .then([
          spent('red-1', 120, [
            { lotId: 'pay-feb', points: 50 },
            { lotId: 'pay-jan', points: 70 },
          ]),
        ]);
    });

    it('then a redemption of 40 takes January’s last 30 and 10 of the credit that never expires', () => {
      const events = history(threeLots(), redeem('red-1', 120));
      given(events)
        .when(redeem('red-2', 40))
        .then([
          spent('red-2', 40, [
            { lotId: 'pay-jan', points: 30 },
            { lotId: 'adj-mar', points: 10 },
          ]),
        ]);
    });

    it('draws a negative manual adjustment in the same order and records it', () => {
      const [debit] = decided(threeLots(), adjustment('adj-out', -60, { now: new Date('2026-03-10T12:00:00.000Z') }));
      expect(debit).toMatchObject({
        data: {
          kind: 'manual',
          points: -60,
          lots: [
            { lotId: 'pay-feb', points: 50 },
            { lotId: 'pay-jan', points: 10 },
          ],
        },
      });
    });

    it('breaks a tie of expiry dates by the earliest earned', () => {
      // Both expire at the end of April 2026 (afterMonths 1 roundTo month): the earlier earned is spent first, whatever its id.
      const program = aProgram({ expiry: { policy: 'afterMonths', months: 1, roundTo: 'month' } });
      const events = history(
        [customerEnrolled()],
        payment('pay-b', '10.00', { occurredAt: '2026-03-02T10:00:00.000Z', program }),
        payment('pay-a', '10.00', { occurredAt: '2026-03-09T10:00:00.000Z', program }),
      );
      expect(enrolled(events).lots.map((l) => l.expiresAt)).toEqual(['2026-05-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z']);
      given(events)
        .when(redeem('red-1', 15))
        .then([
          spent('red-1', 15, [
            { lotId: 'pay-b', points: 10 },
            { lotId: 'pay-a', points: 5 },
          ]),
        ]);
    });

    it('a refund reverses its own payment’s lot first, even when another lot expires sooner', () => {
      const [refunded] = decided(threeLots(), refund({ paymentId: 'pay-jan', amount: '100.00', occurredAt: '2026-03-10T11:00:00.000Z' }));
      expect(refunded!.data).toMatchObject({ pointsReversed: 100, lots: [{ lotId: 'pay-jan', points: 100 }], owed: 0 });
    });

    it('a refund whose own lot was partly spent takes the rest in spending order: earliest expiry first', () => {
      const events = history(threeLots(), redeem('red-1', 120)); // pay-jan keeps 30, adj-mar 30
      const [refunded] = decided(events, refund({ paymentId: 'pay-jan', amount: '50.00', occurredAt: '2026-03-10T11:00:00.000Z' }));
      expect(refunded!.data).toMatchObject({
        pointsReversed: 50,
        lots: [
          { lotId: 'pay-jan', points: 30 },
          { lotId: 'adj-mar', points: 20 },
        ],
        owed: 0,
      });
    });
  });

  describe('expiry', () => {
    const afterFeb = '2026-03-13T00:00:00.000Z';

    it('worked example: a lot partly spent expires only what remains of it, at its own expiresAt', () => {
      const events = history(threeLots(), redeem('red-1', 20)); // pay-feb keeps 30
      given(events)
        .when(expire(['pay-feb'], '2026-03-14T06:00:00.000Z')) // the runner came a day late: business time is the lot's date
        .then([expired('pay-feb', 30, afterFeb)]);
    });

    it('takes the expired points off the available balance and counts them in lifetime expired', () => {
      const events = history(threeLots(), redeem('red-1', 20), expire(['pay-feb'], afterFeb));
      const state = enrolled(events);
      expect(balanceView(state.balance)).toEqual({ available: 130, pending: 0, owed: 0 });
      expect(state.lifetime).toMatchObject({ earned: 150, adjustedIn: 30, redeemed: 20, expired: 30 });
      expect(state.lots.map((l) => [l.lotId, l.remaining])).toEqual([
        ['pay-jan', 100],
        ['adj-mar', 30],
      ]);
      const l = state.lifetime;
      expect(l.earned - l.redeemed + l.adjustedIn - l.adjustedOut - l.reversed + l.writtenOff - l.expired).toBe(
        state.balance.available + state.balance.pending,
      );
    });

    it('expires nothing of a lot spent in full', () => {
      const events = history(threeLots(), redeem('red-1', 50));
      given(events)
        .when(expire(['pay-feb'], afterFeb))
        .thenFails('NothingToExpire', { lotId: 'pay-feb' });
    });

    it('never expires a lot twice: a re-run, or a second runner, finds nothing left', () => {
      const events = history(threeLots(), expire(['pay-feb'], afterFeb));
      given(events)
        .when(expire(['pay-feb'], '2026-03-20T00:00:00.000Z'))
        .thenFails('NothingToExpire', { lotId: 'pay-feb' });
    });

    it('refuses before the lot’s expiresAt, by one millisecond, naming when it is due', () => {
      given(threeLots())
        .when(expire(['pay-feb'], '2026-03-12T23:59:59.999Z'))
        .thenFails('NotDueYet', { lotId: 'pay-feb', dueAt: afterFeb });
    });

    it('expires, of the lots asked for, only those due; a lot that never expires and an unknown id are passed over', () => {
      given(threeLots())
        .when(expire(['adj-mar', 'pay-jan', 'nope', 'pay-feb'], '2026-06-01T00:00:00.000Z'))
        .then([expired('pay-feb', 50, afterFeb)]);
      given(threeLots())
        .when(expire(['adj-mar', 'nope'], '2030-01-01T00:00:00.000Z'))
        .thenFails('NothingToExpire');
    });

    it('expires pending points by the same date, counted from the earning, and takes them off the pending balance', () => {
      // Pending until 2026-03-20 (the return window), expiring at the end of 14 March: expired while still pending.
      const events = [
        customerEnrolled(),
        pendingPayment('pay-1', 40, '2026-03-20T00:00:00.000Z', { occurredAt: '2026-03-06T10:00:00.000Z', expiresAt: '2026-03-15T00:00:00.000Z' }),
      ];
      given(events)
        .when(expire(['pay-1'], '2026-03-15T00:00:00.000Z'))
        .then([expired('pay-1', 40, '2026-03-15T00:00:00.000Z', true)]);
      expect(balanceView(enrolled(history(events, expire(['pay-1'], '2026-03-15T00:00:00.000Z'))).balance)).toEqual({ available: 0, pending: 0, owed: 0 });
    });

    it('keeps a pending lot’s expiry when it is activated: activation never moves the date', () => {
      const events = [
        customerEnrolled(),
        pendingPayment('pay-1', 40, '2026-03-08T00:00:00.000Z', { occurredAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-04-01T00:00:00.000Z' }),
      ];
      const activated = history(events, {
        type: 'ActivatePoints',
        customerId: CUSTOMER_ID,
        paymentId: 'pay-1',
        early: false,
        now: new Date('2026-03-09T00:00:00.000Z'),
      });
      expect(enrolled(activated).lots).toEqual([expect.objectContaining({ lotId: 'pay-1', remaining: 40, expiresAt: '2026-04-01T00:00:00.000Z' })]);
      expect(enrolled(activated).lots[0]).not.toHaveProperty('activatesAt');
    });

    it('never moves an existing lot’s date when the program changes: the new policy applies to new lots', () => {
      const events = history(
        threeLots(),
        payment('pay-new', '10.00', { occurredAt: '2026-03-10T10:00:00.000Z', program: aProgram({ expiry: { policy: 'afterDays', days: 1 } }, 3) }),
      );
      expect(enrolled(events).lots.map((l) => [l.lotId, l.expiresAt])).toEqual([
        ['pay-new', '2026-03-12T00:00:00.000Z'],
        ['pay-feb', FEB_EXPIRY],
        ['pay-jan', JAN_EXPIRY],
        ['adj-mar', undefined],
      ]);
    });

    describe('a refund after the lot expired: the expired points are not taken a second time', () => {
      // pay-1: 100 points expiring at the end of 12 March; pay-2: 50 that never expire. 30 of pay-1 are spent, its last 70 expire.
      const EXPIRES = '2026-03-13T00:00:00.000Z';
      const spentThenExpired = () =>
        history(
          [customerEnrolled(), paymentRecorded('pay-1', 100, { expiresAt: EXPIRES }), paymentRecorded('pay-2', 50, { occurredAt: '2026-03-02T10:00:00.000Z' })],
          redeem('red-1', 30, { now: new Date('2026-03-05T12:00:00.000Z') }),
          expire(['pay-1'], EXPIRES),
        );
      const at = { occurredAt: '2026-03-20T10:00:00.000Z', now: new Date('2026-03-20T10:00:00.000Z') };

      it('a full refund writes off the 70 that expired and takes back only the 30 that were spent, from the other lots', () => {
        const events = spentThenExpired();
        expect(balanceView(enrolled(events).balance)).toEqual({ available: 50, pending: 0, owed: 0 });
        const [refunded] = decided(events, refund({ amount: '100.00', ...at }));
        expect(refunded).toEqual({
          type: 'PaymentRefunded',
          data: expect.objectContaining({
            pointsReversed: 100,
            fromPending: 0,
            fromExpired: 70,
            lots: [{ lotId: 'pay-2', points: 30 }],
            owed: 0,
            writtenOff: 70,
            shortfallPolicy: 'debt',
          }),
        });
        const state = enrolled(history(events, refund({ amount: '100.00', ...at })));
        expect(balanceView(state.balance)).toEqual({ available: 20, pending: 0, owed: 0 });
        expect(state.lifetime).toMatchObject({ earned: 150, redeemed: 30, expired: 70, reversed: 100, writtenOff: 70 });
        const l = state.lifetime;
        expect(l.earned - l.redeemed + l.adjustedIn - l.adjustedOut - l.reversed + l.writtenOff - l.expired).toBe(state.balance.available);
      });

      it('partial refunds write off the expired points first, cumulatively: 50.00 then 50.00 write off 50 and 20', () => {
        const first = refund({ amount: '50.00', ...at });
        const second = refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '50.00', ...at });
        const events = history(spentThenExpired(), first, second);
        const refunds = events.flatMap((e) =>
          e.type === 'PaymentRefunded' ? [[e.data.pointsReversed, e.data.fromExpired, e.data.lots, e.data.writtenOff]] : [],
        );
        expect(refunds).toEqual([
          [50, 50, [], 50],
          [50, 20, [{ lotId: 'pay-2', points: 30 }], 20],
        ]);
      });

      it('a refund of points that expired while still pending is never owed', () => {
        // Pending until 20 March, expired at the end of 14 March; the customer has nothing else.
        const events = history(
          [
            customerEnrolled(),
            pendingPayment('pay-1', 40, '2026-03-20T00:00:00.000Z', {
              amountMinor: 4000,
              occurredAt: '2026-03-06T10:00:00.000Z',
              expiresAt: '2026-03-15T00:00:00.000Z',
            }),
          ],
          expire(['pay-1'], '2026-03-15T00:00:00.000Z'),
        );
        const [refunded] = decided(events, refund({ amount: '40.00', occurredAt: '2026-03-16T10:00:00.000Z', now: new Date('2026-03-16T10:00:00.000Z') }));
        expect(refunded!.data).toMatchObject({ pointsReversed: 40, fromPending: 0, fromExpired: 40, lots: [], owed: 0, writtenOff: 40 });
        expect(
          balanceView(
            enrolled(history(events, refund({ amount: '40.00', occurredAt: '2026-03-16T10:00:00.000Z', now: new Date('2026-03-16T10:00:00.000Z') }))).balance,
          ),
        ).toEqual({
          available: 0,
          pending: 0,
          owed: 0,
        });
      });

      it('the cashback of the payment likewise: its expired points are written off by its own reversal', () => {
        const events = history(
          [
            customerEnrolled(),
            paymentRecorded('pay-1', 100, { expiresAt: EXPIRES }),
            ruleIssued('cashback', 'cb-1', 10, { reference: 'pay-1', occurredAt: '2026-03-01T10:05:00.000Z', expiresAt: EXPIRES }),
            paymentRecorded('pay-2', 50, { occurredAt: '2026-03-02T10:00:00.000Z' }),
          ],
          expire(['pay-1', 'cb-1'], EXPIRES),
        );
        const reversals = decided(events, refund({ amount: '100.00', ...at }));
        expect(
          reversals.map((e) => (e.type === 'PaymentRefunded' || e.type === 'CashbackReversed' ? [e.type, e.data.fromExpired, e.data.lots, e.data.owed] : [])),
        ).toEqual([
          ['PaymentRefunded', 100, [], 0],
          ['CashbackReversed', 10, [], 0],
        ]);
      });
    });

    it('expires a cashback or a reward by the date its command carries', () => {
      const events = [customerEnrolled(), paymentRecorded('pay-1', 100), ruleIssued('cashback', 'cb-1', 5, { expiresAt: '2026-03-05T00:00:00.000Z' })];
      given(events)
        .when(expire(['cb-1', 'pay-1'], '2026-03-05T00:00:00.000Z'))
        .then([expired('cb-1', 5, '2026-03-05T00:00:00.000Z')]);
    });
  });
});
