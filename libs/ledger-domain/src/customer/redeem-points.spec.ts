import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import { DeciderSpecification } from '../testing/decider-specification';
import { CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded } from '../testing/customer-fixtures';
import { customerDecider } from './customer.decider';
import type { RedeemPoints } from './redeem-points';

const given = DeciderSpecification.for(customerDecider);

const redeem = (overrides: Partial<RedeemPoints> = {}): RedeemPoints => ({
  type: 'RedeemPoints',
  customerId: CUSTOMER_ID,
  redemptionId: 'red-0001',
  points: 30,
  now: NOW,
  ...overrides,
});

const withFiftyPoints = [customerEnrolled(), paymentRecorded('pay-0001', 50)];

describe('Redeeming points', () => {
  it('records the redemption as negative points of kind redemption, at the server time, with the lot it drew from', () => {
    given(withFiftyPoints)
      .when(redeem())
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'red-0001',
            customerId: CUSTOMER_ID,
            kind: 'redemption',
            points: -30,
            occurredAt: '2026-03-10T12:00:00.000Z',
            lots: [{ lotId: 'pay-0001', points: 30 }],
          },
        },
      ]);
  });

  it('keeps the optional reason and reference', () => {
    given(withFiftyPoints)
      .when(redeem({ reason: '5 USD voucher', reference: 'VOUCHER-77' }))
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'red-0001',
            customerId: CUSTOMER_ID,
            kind: 'redemption',
            points: -30,
            occurredAt: NOW.toISOString(),
            lots: [{ lotId: 'pay-0001', points: 30 }],
            reason: '5 USD voucher',
            reference: 'VOUCHER-77',
          },
        },
      ]);
  });

  it('records no reason or reference keys when none are given', () => {
    const state = withFiftyPoints.reduce(customerDecider.evolve, customerDecider.initialState());
    const result = customerDecider.decide(redeem(), state);
    if (result._tag === 'Left') throw new Error('expected a redemption');
    expect(Object.keys(result.right[0]!.data).sort()).toEqual(['adjustmentId', 'customerId', 'kind', 'lots', 'occurredAt', 'points']);
  });

  it('redeems the whole available balance', () => {
    given(withFiftyPoints)
      .when(redeem({ points: 50 }))
      .thenState((state) => expect(state).toMatchObject({ balance: { available: 0 } }));
  });

  it('refuses a redemption larger than the available balance', () => {
    given(withFiftyPoints)
      .when(redeem({ points: 51 }))
      .thenFails('InsufficientPoints', { available: 50, requested: 51 });
  });

  it('refuses any redemption from a customer with no points', () => {
    given([customerEnrolled()])
      .when(redeem({ points: 1 }))
      .thenFails('InsufficientPoints', { available: 0, requested: 1 });
  });

  it('never overdraws, even when staff have taken the balance negative under the allow policy', () => {
    given([...withFiftyPoints, manualAdjustment('adj-0001', -60, 'clawback')])
      .when(redeem({ points: 1 }))
      .thenFails('InsufficientPoints', { available: -10, requested: 1 });
  });

  it('counts the points in lifetime redeemed, leaving earned and adjustments alone', () => {
    given(withFiftyPoints)
      .when(redeem())
      .thenState((state) => {
        expect(state).toMatchObject({
          balance: { available: 20, pending: 0 },
          lifetime: { earned: 50, redeemed: 30, adjustedIn: 0, adjustedOut: 0 },
        });
      });
  });

  it('refuses a redemption for a customer who is not enrolled', () => {
    given([])
      .when(redeem({ customerId: 'cus-unknown' }))
      .thenFails('CustomerNotFound', { customerId: 'cus-unknown' });
  });

  it.each([0, -30, 2.5, Number.NaN, MAX_POINTS_PER_ENTRY + 1])('refuses a redemption of %p points as invalid input on points', (points) => {
    given(withFiftyPoints)
      .when(redeem({ points }))
      .thenFails('InvalidInput', { errors: [{ path: 'points', message: expect.any(String) }] });
  });
});
