import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded, ruleIssued } from '../testing/customer-fixtures';
import { activate, enrolled, history, pendingPayment, refund, voidPending } from '../testing/lifecycle-fixtures';
import type { PointsActivated } from './activate-points';
import { balanceView } from './customer';
import { customerDecider } from './customer.decider';

const given = DeciderSpecification.for(customerDecider);

const ACTIVATES_AT = '2026-03-24T00:00:00.000Z';
/** pay-1: 100 points, pending for 14 days from 2026-03-09 (UTC): available from 2026-03-24T00:00Z. */
const pending = [customerEnrolled(), pendingPayment('pay-1', 100, ACTIVATES_AT, { occurredAt: '2026-03-09T10:00:00.000Z' })];
const pendingCashback = ruleIssued('cashback', 'cb-1', 10, { reference: 'pay-1', occurredAt: '2026-03-09T10:00:00.000Z', activatesAt: ACTIVATES_AT });

const activated = (data: Partial<PointsActivated['data']> = {}): PointsActivated => ({
  type: 'PointsActivated',
  data: { paymentId: 'pay-1', customerId: CUSTOMER_ID, occurredAt: ACTIVATES_AT, early: false, lots: [{ lotId: 'pay-1', points: 100 }], points: 100, ...data },
});

const redeem = (points: number) => ({ type: 'RedeemPoints' as const, customerId: CUSTOMER_ID, redemptionId: 'red-1', points, now: NOW });

describe('Activating pending points', () => {
  describe('when due', () => {
    it('records the activation at activatesAt, once the clock has reached it', () => {
      given(pending)
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .then([activated()]);
    });

    it('dates a late run of the lifecycle runner at activatesAt too: the points were due then', () => {
      given(pending)
        .when(activate({ now: new Date('2026-03-27T06:00:00.000Z') }))
        .then([activated()]);
    });

    it('makes the points available: off the pending balance, the lot no longer pending', () => {
      given(pending)
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 100, pending: 0, owed: 0 });
          expect(state.lots).toEqual([{ lotId: 'pay-1', source: 'payment', earnedAt: '2026-03-09T10:00:00.000Z', paymentId: 'pay-1', remaining: 100 }]);
          expect(state.payments.get('pay-1')).toMatchObject({ status: 'available', activatesAt: ACTIVATES_AT });
          expect(state.lifetime).toMatchObject({ earned: 100, reversed: 0 });
        });
    });

    it("activates the payment's pending cashback with it, in spending order", () => {
      given([...pending, pendingCashback])
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .then([
          activated({
            lots: [
              { lotId: 'cb-1', points: 10 },
              { lotId: 'pay-1', points: 100 },
            ],
            points: 110,
          }),
        ]);
    });

    it('activates what a refund inside the window left', () => {
      given(history(pending, refund({ amount: '40.00' })))
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .then([activated({ lots: [{ lotId: 'pay-1', points: 60 }], points: 60 })]);
    });

    it('activates a pending cashback on a payment that earned no points itself', () => {
      const events = [
        customerEnrolled(),
        pendingPayment('pay-1', 0, ACTIVATES_AT, { occurredAt: '2026-03-09T10:00:00.000Z', amountMinor: 50 }),
        pendingCashback,
      ];
      given(events)
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .then([activated({ lots: [{ lotId: 'cb-1', points: 10 }], points: 10 })]);
    });
  });

  describe('before activatesAt', () => {
    it('refuses the activation, naming when it is due', () => {
      given(pending)
        .when(activate({ now: new Date(Date.parse(ACTIVATES_AT) - 1) }))
        .thenFails('PointsNotDue', { paymentId: 'pay-1', activatesAt: ACTIVATES_AT });
    });

    it('lets an admin activate early, with a reason, dated when it happened', () => {
      given(pending)
        .when(activate({ early: true, reason: 'VIP customer', now: NOW }))
        .then([activated({ occurredAt: NOW.toISOString(), early: true, reason: 'VIP customer' })]);
    });

    it('records an early request made once due as a due activation', () => {
      given(pending)
        .when(activate({ early: true, reason: 'runner was late', now: new Date(ACTIVATES_AT) }))
        .then([activated({ reason: 'runner was late' })]);
    });
  });

  describe('earnings pay the debt first', () => {
    it('pays what is owed from the activated points, and opens the lot with the rest', () => {
      given([...pending, manualAdjustment('adj-1', -30, 'clawback')])
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 70, pending: 0, owed: 0 });
          expect(state.lots).toEqual([expect.objectContaining({ lotId: 'pay-1', remaining: 70 })]);
        });
    });

    it('opens no lot while the activated points do not cover the debt', () => {
      given([...pending, manualAdjustment('adj-1', -150, 'clawback')])
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 0, pending: 0, owed: 50 });
          expect(state.lots).toEqual([]);
        });
    });

    it('pays the debt from the activated lots in their order', () => {
      given([...pending, pendingCashback, manualAdjustment('adj-1', -105, 'clawback')])
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 5, pending: 0, owed: 0 });
          expect(state.lots.map((lot) => [lot.lotId, lot.remaining])).toEqual([['pay-1', 5]]);
        });
    });

    it('leaves the debt alone while the points are pending', () => {
      const state = enrolled([...pending, manualAdjustment('adj-1', -30, 'clawback')]);
      expect(balanceView(state.balance)).toEqual({ available: 0, pending: 100, owed: 30 });
    });
  });

  describe('pending points are visible but cannot be spent', () => {
    it('refuses a redemption of pending points, and allows it once they are activated', () => {
      given(pending).when(redeem(1)).thenFails('InsufficientPoints', { available: 0, requested: 1 });
      given(history(pending, activate({ now: new Date(ACTIVATES_AT) })))
        .when(redeem(100))
        .then([expect.objectContaining({ data: expect.objectContaining({ points: -100, lots: [{ lotId: 'pay-1', points: 100 }] }) })]);
    });

    it('refuses a manual debit of pending points under "deny"', () => {
      given(pending)
        .when({ type: 'AdjustPoints', customerId: CUSTOMER_ID, adjustmentId: 'adj-1', points: -1, reason: 'typo', program: aProgram(), now: NOW })
        .thenFails('InsufficientPoints', { available: 0, requested: 1 });
    });

    it('spends the available lots only, leaving pending lots whole', () => {
      given([customerEnrolled(), paymentRecorded('pay-0', 50, { occurredAt: '2026-03-10T10:00:00.000Z' }), ...pending.slice(1)])
        .when(redeem(50))
        .then([expect.objectContaining({ data: expect.objectContaining({ lots: [{ lotId: 'pay-0', points: 50 }] }) })]);
    });
  });

  describe('refusals: nothing pending', () => {
    it('refuses a payment whose points were never pending', () => {
      given([customerEnrolled(), paymentRecorded('pay-1', 100)])
        .when(activate({ early: true }))
        .thenFails('PointsNotPending', { paymentId: 'pay-1' });
    });

    it('refuses a second activation: the runner may run twice', () => {
      given(history(pending, activate({ now: new Date(ACTIVATES_AT) })))
        .when(activate({ now: new Date('2026-03-25T00:00:00.000Z') }))
        .thenFails('PointsNotPending');
    });

    it('refuses voided points', () => {
      given(history(pending, voidPending()))
        .when(activate({ now: new Date(ACTIVATES_AT) }))
        .thenFails('PointsNotPending');
    });

    it('refuses a payment refunded in full inside its window, even early', () => {
      given(history(pending, refund({ amount: '100.00' })))
        .when(activate({ early: true, now: NOW }))
        .thenFails('PointsNotPending');
    });

    it('refuses an unknown payment', () => {
      given(pending)
        .when(activate({ paymentId: 'pay-404' }))
        .thenFails('PaymentNotFound', { paymentId: 'pay-404' });
    });

    it('refuses a customer who is not enrolled', () => {
      given([]).when(activate()).thenFails('CustomerNotFound', { customerId: CUSTOMER_ID });
    });
  });
});
