import { DeciderSpecification } from '../testing/decider-specification';
import { CUSTOMER_ID, customerEnrolled, NOW } from '../testing/customer-fixtures';
import { customerDecider } from './customer.decider';
import type { EnrolCustomer } from './enrol-customer';

const given = DeciderSpecification.for(customerDecider);

const enrol = (overrides: Partial<EnrolCustomer> = {}): EnrolCustomer => ({
  type: 'EnrolCustomer',
  customerId: CUSTOMER_ID,
  email: 'ada@example.com',
  now: NOW,
  ...overrides,
});

describe('Enrolling a customer', () => {
  it('enrols a new customer identified by e-mail, stamped with the server time', () => {
    given([])
      .when(enrol())
      .then([{ type: 'CustomerEnrolled', data: { customerId: CUSTOMER_ID, enrolledAt: '2026-03-10T12:00:00.000Z', email: 'ada@example.com' } }]);
  });

  it('enrols a customer identified by phone only', () => {
    given([])
      .when(enrol({ email: undefined, phone: '+15550102000' }))
      .then([{ type: 'CustomerEnrolled', data: { customerId: CUSTOMER_ID, enrolledAt: NOW.toISOString(), phone: '+15550102000' } }]);
  });

  it('keeps e-mail, phone and name when all are given', () => {
    given([])
      .when(enrol({ phone: '+15550102000', name: 'Ada Lovelace' }))
      .then([
        {
          type: 'CustomerEnrolled',
          data: { customerId: CUSTOMER_ID, enrolledAt: NOW.toISOString(), email: 'ada@example.com', phone: '+15550102000', name: 'Ada Lovelace' },
        },
      ]);
  });

  it('records no contact field that was not given (no keys holding undefined)', () => {
    const result = customerDecider.decide(enrol({ name: undefined }), customerDecider.initialState());
    expect(result).toEqual({ _tag: 'Right', right: [expect.anything()] });
    if (result._tag === 'Right') expect(Object.keys(result.right[0]!.data).sort()).toEqual(['customerId', 'email', 'enrolledAt']);
  });

  it('refuses an enrolment with neither e-mail nor phone', () => {
    given([])
      .when(enrol({ email: undefined, phone: undefined, name: 'Nameless' }))
      .thenFails('InvalidInput', { errors: [{ path: 'email', message: 'expected an e-mail or a phone number (at least one)' }] });
  });

  it('refuses to enrol a customer who is already enrolled', () => {
    given([customerEnrolled()])
      .when(enrol({ email: 'other@example.com' }))
      .thenFails('CustomerAlreadyEnrolled', { customerId: CUSTOMER_ID });
  });

  it('refuses a second enrolment even when it carries no contact at all (already enrolled wins)', () => {
    given([customerEnrolled()])
      .when(enrol({ email: undefined }))
      .thenFails('CustomerAlreadyEnrolled');
  });

  it('opens the account with zero balances, zero lifetime totals and no visits or payments', () => {
    given([])
      .when(enrol({ name: 'Ada' }))
      .thenState((state) => {
        expect(state).toMatchObject({
          status: 'Enrolled',
          customerId: CUSTOMER_ID,
          email: 'ada@example.com',
          name: 'Ada',
          balance: { available: 0, pending: 0 },
          lifetime: { earned: 0, redeemed: 0, adjustedIn: 0, adjustedOut: 0 },
          visitCount: 0,
          paymentCount: 0,
        });
        if (state.status === 'Enrolled') {
          expect(state.visits.size).toBe(0);
          expect(state.payments.size).toBe(0);
          expect(state).not.toHaveProperty('phone');
        }
      });
  });
});
