import { DeciderSpecification } from '../testing/decider-specification';
import { CUSTOMER_ID, customerEnrolled, NOW, paymentRecorded, ruleIssued } from '../testing/customer-fixtures';
import { activate, decided, enrolled, history, pendingPayment, refund, voidPending } from '../testing/lifecycle-fixtures';
import { balanceView } from './customer';
import { customerDecider } from './customer.decider';
import type { PointsVoided } from './void-points';

const given = DeciderSpecification.for(customerDecider);

const ACTIVATES_AT = '2026-03-24T00:00:00.000Z';
const pending = [
  customerEnrolled(),
  paymentRecorded('pay-0', 50, { occurredAt: '2026-02-01T10:00:00.000Z' }),
  pendingPayment('pay-1', 100, ACTIVATES_AT, { occurredAt: '2026-03-09T10:00:00.000Z' }),
];
const pendingCashback = ruleIssued('cashback', 'cb-1', 10, { reference: 'pay-1', occurredAt: '2026-03-09T10:00:00.000Z', activatesAt: ACTIVATES_AT });

const voided = (data: Partial<PointsVoided['data']> = {}): PointsVoided => ({
  type: 'PointsVoided',
  data: {
    paymentId: 'pay-1',
    customerId: CUSTOMER_ID,
    occurredAt: NOW.toISOString(),
    reason: 'fraudulent purchase',
    lots: [{ lotId: 'pay-1', points: 100 }],
    points: 100,
    ...data,
  },
});

describe('Voiding pending points', () => {
  it("records the void with the admin's reason, at the server time", () => {
    given(pending).when(voidPending()).then([voided()]);
  });

  it('takes the points off the pending balance only, counting them as reversed', () => {
    given(pending)
      .when(voidPending())
      .thenState((state) => {
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(balanceView(state.balance)).toEqual({ available: 50, pending: 0, owed: 0 });
        expect(state.lifetime).toEqual({ earned: 150, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 100, writtenOff: 0, expired: 0 });
        expect(state.lots.map((lot) => lot.lotId)).toEqual(['pay-0']);
        expect(state.payments.get('pay-1')).toMatchObject({ status: 'voided', refundedMinor: 0 });
      });
  });

  it("cancels the payment's pending cashback with it", () => {
    given([...pending, pendingCashback])
      .when(voidPending())
      .then([
        voided({
          lots: [
            { lotId: 'cb-1', points: 10 },
            { lotId: 'pay-1', points: 100 },
          ],
          points: 110,
        }),
      ]);
  });

  it('cancels what a refund inside the window left', () => {
    given(history([...pending, pendingCashback], refund({ amount: '40.00' })))
      .when(voidPending())
      .then([
        voided({
          lots: [
            { lotId: 'cb-1', points: 6 },
            { lotId: 'pay-1', points: 60 },
          ],
          points: 66,
        }),
      ]);
  });

  describe('a refund after the void records the money and reverses nothing more', () => {
    it("reverses none of the payment's points: they are gone already", () => {
      given(history(pending, voidPending()))
        .when(refund({ amount: '100.00' }))
        .then([
          {
            type: 'PaymentRefunded',
            data: expect.objectContaining({ amountMinor: 10000, refundedBeforeMinor: 0, pointsReversed: 0, fromPending: 0, lots: [], owed: 0, writtenOff: 0 }),
          },
        ]);
    });

    it("reverses none of the cashback's either, and takes nothing from the customer's other lots", () => {
      // Before the fix the refund reversed the voided cashback again, from pay-0.
      given(history([...pending, pendingCashback], voidPending()))
        .when(refund({ amount: '100.00' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 50, pending: 0, owed: 0 });
          expect(state.lots).toEqual([expect.objectContaining({ lotId: 'pay-0', remaining: 50 })]);
          expect(state.lifetime).toMatchObject({ earned: 160, reversed: 110 });
          expect(state.payments.get('pay-1')).toMatchObject({ refundedMinor: 10000, reversedPoints: 0, status: 'voided' });
        });
      const events = decided(history([...pending, pendingCashback], voidPending()), refund({ amount: '100.00' }));
      expect(events.map((e) => e.type)).toEqual(['PaymentRefunded']);
    });

    it('takes back exactly what was earned, over refunds before and after the void', () => {
      const events = history(
        [...pending, pendingCashback],
        refund({ amount: '40.00' }),
        voidPending(),
        refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '60.00' }),
      );
      const state = enrolled(events);
      expect(state.lifetime).toMatchObject({ earned: 160, reversed: 110 }); // 40 + 4 refunded, 66 voided
      expect(balanceView(state.balance)).toEqual({ available: 50, pending: 0, owed: 0 });
    });

    it('still refuses refunds beyond the payment', () => {
      given(history(pending, voidPending()))
        .when(refund({ amount: '100.01' }))
        .thenFails('RefundExceedsPayment');
    });
  });

  describe('refusals: nothing pending', () => {
    it('refuses a payment whose points were never pending', () => {
      given(pending)
        .when(voidPending({ paymentId: 'pay-0' }))
        .thenFails('PointsNotPending', { paymentId: 'pay-0' });
    });

    it('refuses activated points', () => {
      given(history(pending, activate({ now: new Date(ACTIVATES_AT) })))
        .when(voidPending({ now: new Date(ACTIVATES_AT) }))
        .thenFails('PointsNotPending');
    });

    it('refuses a second void', () => {
      given(history(pending, voidPending())).when(voidPending()).thenFails('PointsNotPending');
    });

    it('refuses a payment refunded in full inside its window', () => {
      given(history(pending, refund({ amount: '100.00' })))
        .when(voidPending())
        .thenFails('PointsNotPending');
    });

    it('refuses an unknown payment', () => {
      given(pending)
        .when(voidPending({ paymentId: 'pay-404' }))
        .thenFails('PaymentNotFound', { paymentId: 'pay-404' });
    });

    it('refuses a customer who is not enrolled', () => {
      given([]).when(voidPending()).thenFails('CustomerNotFound', { customerId: CUSTOMER_ID });
    });
  });
});
