import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, NOW, paymentRecorded, visitCreated } from '../testing/customer-fixtures';
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
          expect(state.lifetime).toEqual({ earned: 149, redeemed: 0, adjustedIn: 0, adjustedOut: 0, reversed: 0, writtenOff: 0 });
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
