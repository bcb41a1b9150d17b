import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded, visitCreated } from '../testing/customer-fixtures';
import { activate, decided, pendingPayment } from '../testing/lifecycle-fixtures';
import type { ProgramSettings } from '../program/program';
import { balanceView } from './customer';
import { customerDecider } from './customer.decider';
import type { PaymentRecorded, RecordPayment } from './record-payment';
import type { VisitCreated } from './record-visit';

const given = DeciderSpecification.for(customerDecider);

const OCCURRED_AT = '2026-03-10T11:30:00.000Z';

const recordPayment = (overrides: Partial<RecordPayment> = {}): RecordPayment => ({
  type: 'RecordPayment',
  customerId: CUSTOMER_ID,
  paymentId: 'pay-0001',
  newVisitId: 'vis-new',
  locationId: 'loc-dublin',
  amount: '49.99',
  currency: 'USD',
  purchaseIdentifier: 'R-1001',
  occurredAt: OCCURRED_AT,
  source: 'scan',
  program: aProgram(),
  now: NOW,
  ...overrides,
});

const paymentData = (overrides: Partial<PaymentRecorded['data']> = {}): PaymentRecorded['data'] => ({
  paymentId: 'pay-0001',
  customerId: CUSTOMER_ID,
  locationId: 'loc-dublin',
  amountMinor: 4999,
  currency: 'USD',
  purchaseIdentifier: 'R-1001',
  occurredAt: OCCURRED_AT,
  source: 'scan',
  points: 49,
  pointsPerUnit: '1',
  programVersion: 1,
  ...overrides,
});

describe('Recording a payment', () => {
  describe('in store, without a visit', () => {
    it('appends a purchase visit and then the payment, atomically and in that order', () => {
      given([customerEnrolled()])
        .when(recordPayment())
        .then([
          {
            type: 'VisitCreated',
            data: {
              visitId: 'vis-new',
              customerId: CUSTOMER_ID,
              locationId: 'loc-dublin',
              occurredAt: OCCURRED_AT,
              kind: 'purchase',
              source: 'scan',
              paymentId: 'pay-0001',
            },
          },
          { type: 'PaymentRecorded', data: paymentData({ visitId: 'vis-new' }) },
        ]);
    });

    it('treats a payment typed in by staff (source manual) as in store too', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'manual' }))
        .then([
          { type: 'VisitCreated', data: expect.objectContaining({ visitId: 'vis-new', kind: 'purchase', source: 'manual', paymentId: 'pay-0001' }) },
          { type: 'PaymentRecorded', data: paymentData({ source: 'manual', visitId: 'vis-new' }) },
        ]);
    });

    it('counts one visit and one payment and credits the points', () => {
      given([customerEnrolled()])
        .when(recordPayment())
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.visitCount).toBe(1);
          expect(state.paymentCount).toBe(1);
          expect(state.visits.has('vis-new')).toBe(true);
          expect(state.payments.has('pay-0001')).toBe(true);
          expect(state.balance.available).toBe(49);
          expect(state.lifetime.earned).toBe(49);
        });
    });
  });

  describe('online', () => {
    it('records the payment alone: an online order is not a visit', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online' }) }]);
    });

    it('leaves no visitId on an online payment and counts no visit', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.visitCount).toBe(0);
          expect(state.visits.has('vis-new')).toBe(false);
          expect(state.paymentCount).toBe(1);
        });
      const state = customerDecider.evolve(customerDecider.initialState(), customerEnrolled());
      const result = customerDecider.decide(recordPayment({ source: 'online' }), state);
      if (result._tag === 'Left') throw new Error('expected a payment');
      expect(result.right[0]!.data).not.toHaveProperty('visitId');
    });
  });

  describe('with a visitId', () => {
    it('attaches to an existing visit of the customer without creating another visit', () => {
      given([customerEnrolled(), visitCreated('vis-0007')])
        .when(recordPayment({ visitId: 'vis-0007' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ visitId: 'vis-0007' }) }]);
    });

    it('attaches an online payment to an existing visit (click and collect)', () => {
      given([customerEnrolled(), visitCreated('vis-0007', { kind: 'pickup' })])
        .when(recordPayment({ visitId: 'vis-0007', source: 'online' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ visitId: 'vis-0007', source: 'online' }) }]);
    });

    it('does not count a second visit when attaching', () => {
      given([customerEnrolled(), visitCreated('vis-0007')])
        .when(recordPayment({ visitId: 'vis-0007' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.visitCount).toBe(1);
          expect(state.visits.has('vis-new')).toBe(false);
        });
    });

    it("refuses a visitId this customer never had (unknown, or another customer's visit)", () => {
      given([customerEnrolled(), visitCreated('vis-0007')])
        .when(recordPayment({ visitId: 'vis-of-someone-else' }))
        .thenFails('VisitNotFound', { visitId: 'vis-of-someone-else' });
    });

    it('refuses an unknown visitId on an online payment as well', () => {
      given([customerEnrolled()])
        .when(recordPayment({ visitId: 'vis-0404', source: 'online' }))
        .thenFails('VisitNotFound', { visitId: 'vis-0404' });
    });
  });

  describe('points earned', () => {
    it('records the points, the ratio and the program version that produced them', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', program: aProgram({ pointsPerUnit: '2.25' }, 7) }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', points: 112, pointsPerUnit: '2.25', programVersion: 7 }) }]);
    });

    it('floors half points: 49.99 at 0.5 points per unit earns 24', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', program: aProgram({ pointsPerUnit: '0.5' }) }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', points: 24, pointsPerUnit: '0.5' }) }]);
    });

    it('records a payment too small to earn a point, with 0 points', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', amount: '0.99' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', amountMinor: 99, points: 0 }) }]);
    });

    it('earns exact points where floating point would lose one (0.57 at 100 per unit is 57, not 56)', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', amount: '0.57', program: aProgram({ pointsPerUnit: '100' }) }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', amountMinor: 57, points: 57, pointsPerUnit: '100' }) }]);
    });

    it('earns in a currency without minor units (JPY)', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', amount: '1500', currency: 'JPY', program: aProgram({ currency: 'JPY', pointsPerUnit: '0.01' }) }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', amountMinor: 1500, currency: 'JPY', points: 15, pointsPerUnit: '0.01' }) }]);
    });

    it('earns in a currency with three minor digits (KWD)', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', amount: '12.345', currency: 'KWD', program: aProgram({ currency: 'KWD', pointsPerUnit: '2' }) }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', amountMinor: 12345, currency: 'KWD', points: 24, pointsPerUnit: '2' }) }]);
    });

    it('adds the points to the available balance and the lifetime earned total', () => {
      given([customerEnrolled(), paymentRecorded('pay-0000', 100)])
        .when(recordPayment({ source: 'online' }))
        .thenState((state) => {
          if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
          expect(state.balance).toEqual({ available: 149, pending: 0 });
          expect(state.lifetime).toEqual({ earned: 149, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 0, writtenOff: 0, expired: 0 });
          expect(state.paymentCount).toBe(2);
        });
    });
  });

  describe('a repeated paymentId', () => {
    it('is refused as PaymentAlreadyRecorded: never a second credit, never an answer without a payment', () => {
      given([customerEnrolled(), paymentRecorded('pay-0001', 49)])
        .when(recordPayment({ source: 'online' }))
        .thenFails('PaymentAlreadyRecorded', { paymentId: 'pay-0001' });
    });

    it('is refused for an in-store payment too, so no second purchase visit is created', () => {
      const visit: VisitCreated = visitCreated('vis-new', { kind: 'purchase', source: 'scan', paymentId: 'pay-0001' });
      given([customerEnrolled(), visit, paymentRecorded('pay-0001', 49, { visitId: 'vis-new', source: 'scan' })])
        .when(recordPayment({ newVisitId: 'vis-other' }))
        .thenFails('PaymentAlreadyRecorded', { paymentId: 'pay-0001' });
    });

    it('is refused whatever else the command says (checked right after the customer)', () => {
      given([customerEnrolled(), paymentRecorded('pay-0001', 49)])
        .when(recordPayment({ program: undefined, currency: 'EUR', amount: '0', visitId: 'vis-unknown' }))
        .thenFails('PaymentAlreadyRecorded', { paymentId: 'pay-0001' });
    });

    it('leaves another payment id of the same customer to be recorded', () => {
      given([customerEnrolled(), paymentRecorded('pay-0000', 49)])
        .when(recordPayment({ source: 'online' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online' }) }]);
    });
  });

  describe('refusals', () => {
    it('refuses a payment for a customer who is not enrolled', () => {
      given([])
        .when(recordPayment({ customerId: 'cus-unknown' }))
        .thenFails('CustomerNotFound', { customerId: 'cus-unknown' });
    });

    it('refuses a payment while no program is configured', () => {
      given([customerEnrolled()])
        .when(recordPayment({ program: undefined }))
        .thenFails('ProgramNotConfigured');
    });

    it("refuses a payment in another currency than the program's", () => {
      given([customerEnrolled()])
        .when(recordPayment({ currency: 'EUR' }))
        .thenFails('CurrencyMismatch', { expected: 'USD', actual: 'EUR' });
    });

    it('refuses more decimals than the currency has, naming the amount field', () => {
      given([customerEnrolled()])
        .when(recordPayment({ amount: '49.999' }))
        .thenFails('InvalidInput', { errors: [{ path: 'amount', message: 'expected at most 2 decimal places for USD' }] });
    });

    it('refuses any decimals for a currency without minor units', () => {
      given([customerEnrolled()])
        .when(recordPayment({ amount: '1500.5', currency: 'JPY', program: aProgram({ currency: 'JPY' }) }))
        .thenFails('InvalidInput', { errors: [{ path: 'amount', message: 'expected at most 0 decimal places for JPY' }] });
    });

    it.each(['0', '0.00', '-5.00', 'abc', '', '1e3', '49,99'])('refuses the amount %p with InvalidInput on amount', (amount) => {
      given([customerEnrolled()])
        .when(recordPayment({ amount }))
        .thenFails('InvalidInput', { errors: [{ path: 'amount', message: expect.any(String) }] });
    });

    it('refuses a payment more than 5 minutes in the future of the server clock', () => {
      given([customerEnrolled()])
        .when(recordPayment({ occurredAt: '2026-03-10T12:05:00.001Z' }))
        .thenFails('OccurredInFuture', { occurredAt: '2026-03-10T12:05:00.001Z', latestAllowed: '2026-03-10T12:05:00.000Z' });
    });

    it('accepts a payment exactly 5 minutes ahead of the server clock', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', occurredAt: '2026-03-10T12:05:00.000Z' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', occurredAt: '2026-03-10T12:05:00.000Z' }) }]);
    });

    it('accepts a backdated payment', () => {
      given([customerEnrolled()])
        .when(recordPayment({ source: 'online', occurredAt: '2025-12-24T16:00:00.000Z' }))
        .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', occurredAt: '2025-12-24T16:00:00.000Z' }) }]);
    });

    it('checks the customer before the program', () => {
      given([])
        .when(recordPayment({ program: undefined }))
        .thenFails('CustomerNotFound');
    });

    it('checks the currency before the amount precision', () => {
      given([customerEnrolled()])
        .when(recordPayment({ currency: 'JPY', amount: '1.50' }))
        .thenFails('CurrencyMismatch', { expected: 'USD', actual: 'JPY' });
    });
  });
});

describe('Recording a payment with a return window (pendingDays)', () => {
  /** The activatesAt a payment at `occurredAt` records under the window, with the server clock at `now`. */
  const activatesAt = (settings: Partial<ProgramSettings>, occurredAt: string, now: Date = new Date(occurredAt)): string | undefined => {
    const [event] = decided([customerEnrolled()], recordPayment({ source: 'online', occurredAt, now, program: aProgram(settings) }));
    if (event?.type !== 'PaymentRecorded') throw new Error('expected a payment');
    return event.data.activatesAt;
  };

  it('records the points as pending until the end of the local day pendingDays days after the payment, naming the first instant after it', () => {
    given([customerEnrolled()])
      .when(recordPayment({ source: 'online', program: aProgram({ pendingDays: 14 }) }))
      // 2026-03-10 + 14 days = 2026-03-24, which ends where 2026-03-25 starts (UTC).
      .then([{ type: 'PaymentRecorded', data: paymentData({ source: 'online', activatesAt: '2026-03-25T00:00:00.000Z' }) }]);
  });

  it('makes the points available at once under pendingDays 0, the default: no activatesAt', () => {
    expect(activatesAt({ pendingDays: 0 }, OCCURRED_AT, NOW)).toBeUndefined();
    expect(activatesAt({}, OCCURRED_AT, NOW)).toBeUndefined();
  });

  it('shows pending points apart from the available balance, in their own pending lot, and counts them as earned', () => {
    given([customerEnrolled()])
      .when(recordPayment({ source: 'online', program: aProgram({ pendingDays: 14 }) }))
      .thenState((state) => {
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(balanceView(state.balance)).toEqual({ available: 0, pending: 49, owed: 0 });
        expect(state.lifetime.earned).toBe(49);
        expect(state.lots).toEqual([
          { lotId: 'pay-0001', source: 'payment', earnedAt: OCCURRED_AT, paymentId: 'pay-0001', remaining: 49, activatesAt: '2026-03-25T00:00:00.000Z' },
        ]);
        expect(state.payments.get('pay-0001')).toMatchObject({ status: 'pending', activatesAt: '2026-03-25T00:00:00.000Z', points: 49 });
      });
  });

  it('leaves a debt alone while the points are pending: they pay it when they become available', () => {
    given([customerEnrolled(), manualAdjustment('adj-1', -20, 'clawback')])
      .when(recordPayment({ source: 'online', program: aProgram({ pendingDays: 14 }) }))
      .thenState((state) => {
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(balanceView(state.balance)).toEqual({ available: 0, pending: 49, owed: 20 });
        expect(state.lots).toEqual([expect.objectContaining({ lotId: 'pay-0001', remaining: 49 })]);
      });
  });

  it('pends as long as the longest window, 365 days', () => {
    expect(activatesAt({ pendingDays: 365 }, OCCURRED_AT, NOW)).toBe('2027-03-11T00:00:00.000Z');
  });

  describe('the local day, in the program timezone', () => {
    it('east of UTC (Sydney, UTC+11): the same UTC day can be two local days', () => {
      // 11:30Z is 22:30 on the 10th in Sydney; 13:30Z is 00:30 on the 11th.
      expect(activatesAt({ pendingDays: 7, timezone: 'Australia/Sydney' }, '2026-03-10T11:30:00.000Z')).toBe('2026-03-17T13:00:00.000Z');
      expect(activatesAt({ pendingDays: 7, timezone: 'Australia/Sydney' }, '2026-03-10T13:30:00.000Z')).toBe('2026-03-18T13:00:00.000Z');
    });

    it('west of UTC (Los Angeles, UTC-7): a payment late in the local evening belongs to that local day', () => {
      // 05:30Z on the 10th is 22:30 on the 9th in Los Angeles: the window ends with the 16th, local.
      expect(activatesAt({ pendingDays: 7, timezone: 'America/Los_Angeles' }, '2026-03-10T05:30:00.000Z')).toBe('2026-03-17T07:00:00.000Z');
      expect(activatesAt({ pendingDays: 7, timezone: 'UTC' }, '2026-03-10T05:30:00.000Z')).toBe('2026-03-18T00:00:00.000Z');
    });

    it('tells the last instant of a local day from the first of the next', () => {
      const sydney = { pendingDays: 1, timezone: 'Australia/Sydney' };
      const now = new Date('2026-03-10T13:00:00.000Z');
      expect(activatesAt(sydney, '2026-03-10T12:59:59.999Z', now)).toBe('2026-03-11T13:00:00.000Z');
      expect(activatesAt(sydney, '2026-03-10T13:00:00.000Z', now)).toBe('2026-03-12T13:00:00.000Z');
    });

    it('across the change to daylight saving time: the window ends with the local day, not after 24-hour steps', () => {
      // New York springs forward on 2026-03-08 (a 23-hour day): that day ends at 04:00Z (EDT), not 05:00Z.
      const newYork = { timezone: 'America/New_York' };
      expect(activatesAt({ ...newYork, pendingDays: 7 }, '2026-03-01T15:00:00.000Z')).toBe('2026-03-09T04:00:00.000Z');
      expect(activatesAt({ ...newYork, pendingDays: 6 }, '2026-03-01T15:00:00.000Z')).toBe('2026-03-08T05:00:00.000Z');
    });

    it('across the change back to standard time: the 25-hour local day counts whole', () => {
      // Sydney leaves DST on 2026-04-05 and New York on 2026-11-01.
      expect(activatesAt({ timezone: 'Australia/Sydney', pendingDays: 6 }, '2026-03-30T01:00:00.000Z')).toBe('2026-04-05T14:00:00.000Z');
      expect(activatesAt({ timezone: 'America/New_York', pendingDays: 7 }, '2026-10-25T16:00:00.000Z')).toBe('2026-11-02T05:00:00.000Z');
    });

    it('when the next local day starts at 01:00 because midnight is skipped (Havana, 2026-03-08)', () => {
      expect(activatesAt({ timezone: 'America/Havana', pendingDays: 6 }, '2026-03-01T15:00:00.000Z')).toBe('2026-03-08T05:00:00.000Z');
    });
  });

  describe('a backdated payment', () => {
    it("counts the window from the payment's own day, not from the day it was recorded", () => {
      expect(activatesAt({ pendingDays: 14 }, '2026-03-05T10:00:00.000Z', NOW)).toBe('2026-03-20T00:00:00.000Z');
    });

    it('is available at once when its window has closed already', () => {
      expect(activatesAt({ pendingDays: 14 }, '2026-02-20T10:00:00.000Z', NOW)).toBeUndefined(); // the window ended 2026-03-07
      expect(activatesAt({ pendingDays: 14 }, '2026-02-23T10:00:00.000Z', new Date('2026-03-10T00:00:00.000Z'))).toBeUndefined(); // ends exactly now
    });
  });

  describe('a later program change never moves points already earned', () => {
    const recorded = [customerEnrolled(), pendingPayment('pay-0001', 49, '2026-03-25T00:00:00.000Z', { occurredAt: OCCURRED_AT })];

    it('keeps the recorded activatesAt: still not due before it, due at it', () => {
      given(recorded)
        .when(activate({ paymentId: 'pay-0001', now: new Date('2026-03-24T23:59:59.999Z') }))
        .thenFails('PointsNotDue', { activatesAt: '2026-03-25T00:00:00.000Z' });
      given(recorded)
        .when(activate({ paymentId: 'pay-0001', now: new Date('2026-03-25T00:00:00.000Z') }))
        .then([expect.objectContaining({ type: 'PointsActivated' })]);
    });

    it('pends only the payments recorded after the window was introduced', () => {
      given([customerEnrolled(), paymentRecorded('pay-0000', 100)])
        .when(recordPayment({ source: 'online', program: aProgram({ pendingDays: 14 }, 2) }))
        .thenState((state) => expect(state).toMatchObject({ balance: { available: 100, pending: 49 } }));
    });

    it('refuses the same payment id again, whatever the program says now (never a second credit)', () => {
      given(recorded)
        .when(recordPayment({ source: 'online', program: aProgram({ pendingDays: 0 }, 3) }))
        .thenFails('PaymentAlreadyRecorded', { paymentId: 'pay-0001' });
    });
  });
});
