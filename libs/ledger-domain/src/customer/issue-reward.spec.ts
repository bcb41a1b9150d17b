import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, paymentRecorded, visitCreated } from '../testing/customer-fixtures';
import { activate, cashback, decided, enrolled, history, pendingPayment, refund, voidPending } from '../testing/lifecycle-fixtures';
import { balanceView } from './customer';
import type { PointsAdjusted } from './adjust-points';
import type { CashbackReversed } from './refund-payment';
import { customerDecider } from './customer.decider';
import type { IssueReward } from './issue-reward';

const given = DeciderSpecification.for(customerDecider);

const reward = (overrides: Partial<IssueReward> = {}): IssueReward => ({
  type: 'IssueReward',
  customerId: CUSTOMER_ID,
  adjustmentId: 'rew-0001',
  kind: 'reward',
  points: 50,
  reason: 'visit reward: 5th visit',
  ruleId: 'visits-5',
  programVersion: 2,
  trigger: { visitId: 'vis-5' },
  occurredAt: '2026-03-01T10:00:00.000Z',
  ...overrides,
});

describe('Issuing a reward or cashback (reaction to a visit or payment)', () => {
  it('records a reward as PointsAdjusted of kind reward, naming the rule, program version and triggering visit', () => {
    given([customerEnrolled(), visitCreated('vis-5')])
      .when(reward())
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'rew-0001',
            customerId: CUSTOMER_ID,
            kind: 'reward',
            points: 50,
            reason: 'visit reward: 5th visit',
            reference: 'vis-5',
            ruleId: 'visits-5',
            programVersion: 2,
            occurredAt: '2026-03-01T10:00:00.000Z',
          },
        },
      ]);
  });

  it('records cashback with the triggering payment as its reference', () => {
    given([customerEnrolled(), paymentRecorded('pay-1', 49)])
      .when(reward({ kind: 'cashback', points: 2, reason: 'cashback: 5% of 49.99 USD', ruleId: 'cb', trigger: { paymentId: 'pay-1' } }))
      .then([{ type: 'PointsAdjusted', data: expect.objectContaining({ kind: 'cashback', points: 2, reference: 'pay-1', ruleId: 'cb' }) }]);
  });

  it('counts rewards and cashback as earned points (lifetime earned), not as corrections', () => {
    given([customerEnrolled(), paymentRecorded('pay-1', 49), visitCreated('vis-5')])
      .when(reward())
      .thenState((state) => expect(state).toMatchObject({ balance: { available: 99 }, lifetime: { earned: 99, adjustedIn: 0, adjustedOut: 0, redeemed: 0 } }));
  });

  it('refuses a customer who is not enrolled', () => {
    given([]).when(reward()).thenFails('CustomerNotFound', { customerId: CUSTOMER_ID });
  });

  it("refuses a trigger that is not this customer's visit or payment", () => {
    given([customerEnrolled()]).when(reward()).thenFails('VisitNotFound', { visitId: 'vis-5' });
    given([customerEnrolled()])
      .when(reward({ kind: 'cashback', trigger: { paymentId: 'pay-9' } }))
      .thenFails('InvalidInput');
  });

  it.each([0, -5, 1.5])('refuses %p points', (points) => {
    given([customerEnrolled(), visitCreated('vis-5')])
      .when(reward({ points }))
      .thenFails('InvalidInput');
  });
});

describe('Issuing cashback on a payment in the points lifecycle', () => {
  const ACTIVATES_AT = '2026-03-24T00:00:00.000Z';
  const PAID_AT = '2026-03-09T10:00:00.000Z';
  const pending = [customerEnrolled(), pendingPayment('pay-1', 100, ACTIVATES_AT, { occurredAt: PAID_AT })];
  const paid = [customerEnrolled(), paymentRecorded('pay-1', 100)];
  const issued = (data: Partial<PointsAdjusted['data']> = {}): PointsAdjusted => ({
    type: 'PointsAdjusted',
    data: {
      adjustmentId: 'cb-1',
      customerId: CUSTOMER_ID,
      kind: 'cashback',
      points: 10,
      reason: 'cashback: 10% of 100.00 USD',
      reference: 'pay-1',
      ruleId: 'cashback-10',
      programVersion: 1,
      occurredAt: '2026-03-01T10:05:00.000Z',
      ...data,
    },
  });

  describe('on a pending payment', () => {
    it('is pending with the payment, until the same instant', () => {
      given(pending)
        .when(cashback({ occurredAt: PAID_AT }))
        .then([issued({ occurredAt: PAID_AT, activatesAt: ACTIVATES_AT })]);
    });

    it('shows as pending, not available', () => {
      given(pending)
        .when(cashback({ occurredAt: PAID_AT }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(balanceView(state.balance)).toEqual({ available: 0, pending: 110, owed: 0 });
          expect(state.lifetime.earned).toBe(110);
        });
    });

    it("follows the payment's window, not today's program", () => {
      given(pending)
        .when(cashback({ occurredAt: PAID_AT, program: aProgram({ pendingDays: 0 }, 5) }))
        .then([issued({ occurredAt: PAID_AT, activatesAt: ACTIVATES_AT, programVersion: 1 })]);
    });
  });

  describe('on an available payment', () => {
    it('is available at once once the payment was activated', () => {
      given(history(pending, activate({ now: new Date(ACTIVATES_AT) })))
        .when(cashback({ occurredAt: PAID_AT }))
        .then([issued({ occurredAt: PAID_AT })]);
    });

    it('is available at once on a payment recorded before the program had a window', () => {
      given(paid)
        .when(cashback({ program: aProgram({ pendingDays: 14 }, 2) }))
        .then([issued()]);
    });
  });

  it('is refused on a payment whose pending points were voided: nothing more is earned on it', () => {
    given(history(pending, voidPending()))
      .when(cashback({ occurredAt: PAID_AT }))
      .thenFails('PaymentVoided', { paymentId: 'pay-1' });
  });

  describe('on a payment refunded in part already', () => {
    const partlyRefunded = history(paid, refund({ refundId: 'ref-1', refundIdentifier: 'CN-1', amount: '30.00', occurredAt: '2026-03-05T12:00:00.000Z' }));

    it('reverses the refunded share at once, as the refund would have, linked to that refund and dated at it', () => {
      given(partlyRefunded)
        .when(cashback({ points: 7 }))
        .then([
          issued({ points: 7 }),
          {
            type: 'CashbackReversed',
            data: {
              reversalId: 'ref-1:cb-1',
              cashbackId: 'cb-1',
              paymentId: 'pay-1',
              refundId: 'ref-1',
              customerId: CUSTOMER_ID,
              occurredAt: '2026-03-05T12:00:00.000Z',
              cashbackPoints: 7,
              paymentAmountMinor: 10000,
              refundedTotalMinor: 3000,
              reversedBefore: 0,
              pointsReversed: 2, // floor(7 × 3000 / 10000)
              fromPending: 0,
              lots: [{ lotId: 'cb-1', points: 2 }],
              owed: 0,
              writtenOff: 0,
              shortfallPolicy: 'debt',
            },
          },
        ]);
    });

    it('lets a later refund continue from there: the rest of the refund reverses the rest of the cashback', () => {
      const events = history(partlyRefunded, cashback({ points: 7 }), refund({ refundId: 'ref-2', refundIdentifier: 'CN-2', amount: '70.00' }));
      const reversals = events.filter((e): e is CashbackReversed => e.type === 'CashbackReversed').map((e) => [e.data.reversalId, e.data.pointsReversed]);
      expect(reversals).toEqual([
        ['ref-1:cb-1', 2],
        ['ref-2:cb-1', 5],
      ]);
      expect(enrolled(events)).toMatchObject({ balance: { available: 0 }, lifetime: { earned: 107, reversed: 107 } });
    });

    it('writes no reversal when the refunded share is less than a point', () => {
      given(history(paid, refund({ amount: '5.00' })))
        .when(cashback({ points: 7 }))
        .then([issued({ points: 7 })]);
    });

    it('reverses all of it on a payment refunded in full', () => {
      const events = decided(history(paid, refund({ amount: '100.00' })), cashback({ points: 7 }));
      expect(
        events.map((e) => [e.type, e.type === 'CashbackReversed' ? e.data.pointsReversed : e.type === 'PointsAdjusted' ? e.data.points : undefined]),
      ).toEqual([
        ['PointsAdjusted', 7],
        ['CashbackReversed', 7],
      ]);
    });

    it("takes the share from the cashback's pending points while the payment is pending", () => {
      const events = decided(history(pending, refund({ amount: '30.00' })), cashback({ points: 7, occurredAt: PAID_AT }));
      expect(events[0]).toEqual(issued({ points: 7, occurredAt: PAID_AT, activatesAt: ACTIVATES_AT }));
      expect(events[1]?.data).toMatchObject({ pointsReversed: 2, fromPending: 2, lots: [], owed: 0, writtenOff: 0 });
    });

    it("applies the program's shortfall policy to the reversal when the cashback went to a debt", () => {
      // The customer owes 10: the cashback pays it, so nothing of it is left to reverse from.
      const owing = history([...paid, manualAdjustment('adj-1', -110, 'clawback')], refund({ amount: '50.00' }));
      expect(enrolled(owing).balance.available).toBe(-60);
      const debt = decided(owing, cashback({ points: 10, program: aProgram({ reversalShortfall: 'debt' }) }));
      expect(debt[1]?.data).toMatchObject({ pointsReversed: 5, lots: [], owed: 5, writtenOff: 0, shortfallPolicy: 'debt' });
      const writeOff = decided(owing, cashback({ points: 10, program: aProgram({ reversalShortfall: 'writeOff' }) }));
      expect(writeOff[1]?.data).toMatchObject({ pointsReversed: 5, lots: [], owed: 0, writtenOff: 5, shortfallPolicy: 'writeOff' });
      expect(enrolled([...owing, ...writeOff]).balance.available).toBe(-50);
    });
  });

  it('counts cashback as earned and a reversal of it as reversed', () => {
    const events = history(paid, refund({ amount: '50.00' }), cashback({ points: 10 }));
    expect(enrolled(events).lifetime).toEqual({ earned: 110, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 55, writtenOff: 0, expired: 0 });
  });
});
