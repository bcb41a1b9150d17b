import { MAX_POINTS_PER_ENTRY } from '../shared/points';
import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded } from '../testing/customer-fixtures';
import type { AdjustPoints } from './adjust-points';
import { customerDecider } from './customer.decider';

const given = DeciderSpecification.for(customerDecider);

const adjust = (overrides: Partial<AdjustPoints> = {}): AdjustPoints => ({
  type: 'AdjustPoints',
  customerId: CUSTOMER_ID,
  adjustmentId: 'adj-0001',
  points: 25,
  reason: 'missed receipt',
  program: aProgram(),
  now: NOW,
  ...overrides,
});

const withFiftyPoints = [customerEnrolled(), paymentRecorded('pay-0001', 50)];

describe('Adjusting points manually', () => {
  it('credits points with the reason, as a manual adjustment at the server time', () => {
    given([customerEnrolled()])
      .when(adjust())
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'adj-0001',
            customerId: CUSTOMER_ID,
            kind: 'manual',
            points: 25,
            reason: 'missed receipt',
            occurredAt: '2026-03-10T12:00:00.000Z',
          },
        },
      ]);
  });

  it('debits points within the available balance', () => {
    given(withFiftyPoints)
      .when(adjust({ points: -20, reason: 'duplicate credit' }))
      .then([{ type: 'PointsAdjusted', data: expect.objectContaining({ kind: 'manual', points: -20, reason: 'duplicate credit' }) }]);
  });

  it('debits down to exactly zero under deny', () => {
    given(withFiftyPoints)
      .when(adjust({ points: -50 }))
      .thenState((state) => expect(state).toMatchObject({ balance: { available: 0 } }));
  });

  it('refuses a debit below zero under the deny policy', () => {
    given(withFiftyPoints)
      .when(adjust({ points: -51 }))
      .thenFails('InsufficientPoints', { available: 50, requested: 51 });
  });

  it('applies deny when no program is configured', () => {
    given(withFiftyPoints)
      .when(adjust({ points: -51, program: undefined }))
      .thenFails('InsufficientPoints', { available: 50, requested: 51 });
  });

  it('lets a debit take the balance below zero under the allow policy (clawback after points were spent)', () => {
    given(withFiftyPoints)
      .when(adjust({ points: -80, reason: 'refund clawback', program: aProgram({ negativeBalance: 'allow' }) }))
      .thenState((state) => {
        expect(state).toMatchObject({ balance: { available: -30 }, lifetime: { earned: 50, adjustedOut: 80, adjustedIn: 0, redeemed: 0 } });
      });
  });

  it('accepts a credit while the balance is negative, under deny too', () => {
    given([...withFiftyPoints, manualAdjustment('adj-0000', -80)])
      .when(adjust({ points: 10 }))
      .thenState((state) => expect(state).toMatchObject({ balance: { available: -20 } }));
  });

  it('refuses a further debit of a negative balance under deny', () => {
    given([...withFiftyPoints, manualAdjustment('adj-0000', -80)])
      .when(adjust({ points: -1 }))
      .thenFails('InsufficientPoints', { available: -30, requested: 1 });
  });

  it('counts credits in lifetime adjustedIn and debits in lifetime adjustedOut, never in earned', () => {
    given([...withFiftyPoints, manualAdjustment('adj-0000', 15)])
      .when(adjust({ points: -5 }))
      .thenState((state) => {
        expect(state).toMatchObject({ balance: { available: 60 }, lifetime: { earned: 50, redeemed: 0, adjustedIn: 15, adjustedOut: 5 } });
      });
  });

  it('refuses an adjustment for a customer who is not enrolled', () => {
    given([])
      .when(adjust({ customerId: 'cus-unknown' }))
      .thenFails('CustomerNotFound', { customerId: 'cus-unknown' });
  });

  it.each([0, 1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_POINTS_PER_ENTRY + 1, -MAX_POINTS_PER_ENTRY - 1])(
    'refuses an adjustment of %p points as invalid input on points',
    (points) => {
      given(withFiftyPoints)
        .when(adjust({ points, program: aProgram({ negativeBalance: 'allow' }) }))
        .thenFails('InvalidInput', { errors: [{ path: 'points', message: expect.any(String) }] });
    },
  );

  it('accepts the largest adjustment a single entry may move', () => {
    given([customerEnrolled()])
      .when(adjust({ points: MAX_POINTS_PER_ENTRY }))
      .then([{ type: 'PointsAdjusted', data: expect.objectContaining({ points: MAX_POINTS_PER_ENTRY }) }]);
  });
});
