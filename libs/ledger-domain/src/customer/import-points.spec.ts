import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, NOW } from '../testing/customer-fixtures';
import type { AdjustPoints } from './adjust-points';
import { customerDecider } from './customer.decider';
import type { EnrolCustomer } from './enrol-customer';
import type { ImportPoints } from './import-points';
import type { RedeemPoints } from './redeem-points';

const given = DeciderSpecification.for(customerDecider);

const imported = (overrides: Partial<ImportPoints> = {}): ImportPoints => ({
  type: 'ImportPoints',
  customerId: CUSTOMER_ID,
  adjustmentId: 'imp-0001',
  kind: 'opening',
  points: 120,
  occurredAt: '2025-12-31T23:00:00.000Z',
  now: NOW,
  ...overrides,
});

describe('Importing points from another program', () => {
  it('records an opening balance at the old business time, never expiring without a date', () => {
    given([customerEnrolled()])
      .when(imported({ reason: 'opening balance' }))
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'imp-0001',
            customerId: CUSTOMER_ID,
            kind: 'opening',
            points: 120,
            occurredAt: '2025-12-31T23:00:00.000Z',
            reason: 'opening balance',
          },
        },
      ]);
  });

  it('counts an opening balance as adjusted in and an earning as earned; both spendable', () => {
    given([
      customerEnrolled(),
      { type: 'PointsAdjusted', data: { adjustmentId: 'o', customerId: CUSTOMER_ID, kind: 'opening', points: 100, occurredAt: '2025-01-01T00:00:00.000Z' } },
    ])
      .when(imported({ adjustmentId: 'e', kind: 'earned', points: 30, expiresAt: '2027-01-01T00:00:00.000Z' }))
      .thenState((state) =>
        expect(state).toMatchObject({
          balance: { available: 130, pending: 0 },
          lifetime: { earned: 30, adjustedIn: 100 },
          lots: expect.arrayContaining([expect.objectContaining({ lotId: 'e', remaining: 30, expiresAt: '2027-01-01T00:00:00.000Z', source: 'adjustment' })]),
        }),
      );
  });

  it('refuses points that are not a positive integer, a time in the future, and an expiry not after the time', () => {
    given([customerEnrolled()])
      .when(imported({ points: 0 }))
      .thenFails('InvalidInput');
    given([customerEnrolled()])
      .when(imported({ points: 1.5 }))
      .thenFails('InvalidInput');
    given([customerEnrolled()])
      .when(imported({ occurredAt: '2026-03-10T12:06:00.000Z' }))
      .thenFails('OccurredInFuture');
    given([customerEnrolled()])
      .when(imported({ expiresAt: '2025-12-31T23:00:00.000Z' }))
      .thenFails('InvalidInput');
  });

  it('refuses points for a customer who is not enrolled', () => {
    given([]).when(imported()).thenFails('CustomerNotFound');
  });
});

describe('Migrated business times on the ordinary commands', () => {
  it('enrols at the old enrolment time, not in the future', () => {
    const enrol: EnrolCustomer = { type: 'EnrolCustomer', customerId: CUSTOMER_ID, email: 'a@example.com', enrolledAt: '2019-04-01T08:00:00.000Z', now: NOW };
    given([])
      .when(enrol)
      .then([{ type: 'CustomerEnrolled', data: { customerId: CUSTOMER_ID, email: 'a@example.com', enrolledAt: '2019-04-01T08:00:00.000Z' } }]);
    given([])
      .when({ ...enrol, enrolledAt: '2027-01-01T00:00:00.000Z' })
      .thenFails('OccurredInFuture');
  });

  const adjust = (overrides: Partial<AdjustPoints>): AdjustPoints => ({
    type: 'AdjustPoints',
    customerId: CUSTOMER_ID,
    adjustmentId: 'adj-1',
    points: 10,
    reason: 'migrated',
    program: aProgram({ expiry: { policy: 'afterDays', days: 30 } }),
    now: NOW,
    ...overrides,
  });

  it("adjusts at the old time, with the old system's expiry in place of the policy", () => {
    given([customerEnrolled()])
      .when(adjust({ occurredAt: '2025-06-01T00:00:00.000Z', expiresAt: '2026-06-01T00:00:00.000Z' }))
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'adj-1',
            customerId: CUSTOMER_ID,
            kind: 'manual',
            points: 10,
            reason: 'migrated',
            occurredAt: '2025-06-01T00:00:00.000Z',
            expiresAt: '2026-06-01T00:00:00.000Z',
          },
        },
      ]);
  });

  it('refuses an expiry on a debit or before the time, and a time in the future', () => {
    given([
      customerEnrolled(),
      { type: 'PointsAdjusted', data: { adjustmentId: 'o', customerId: CUSTOMER_ID, kind: 'opening', points: 100, occurredAt: '2025-01-01T00:00:00.000Z' } },
    ])
      .when(adjust({ points: -5, expiresAt: '2027-01-01T00:00:00.000Z' }))
      .thenFails('InvalidInput');
    given([customerEnrolled()])
      .when(adjust({ occurredAt: '2025-06-01T00:00:00.000Z', expiresAt: '2025-05-01T00:00:00.000Z' }))
      .thenFails('InvalidInput');
    given([customerEnrolled()])
      .when(adjust({ occurredAt: '2026-04-01T00:00:00.000Z' }))
      .thenFails('OccurredInFuture');
  });

  it('redeems at the old time, drawing from the lots as ever', () => {
    const redeem: RedeemPoints = {
      type: 'RedeemPoints',
      customerId: CUSTOMER_ID,
      redemptionId: 'r-1',
      points: 40,
      occurredAt: '2025-02-01T00:00:00.000Z',
      now: NOW,
    };
    given([
      customerEnrolled(),
      { type: 'PointsAdjusted', data: { adjustmentId: 'o', customerId: CUSTOMER_ID, kind: 'opening', points: 100, occurredAt: '2025-01-01T00:00:00.000Z' } },
    ])
      .when(redeem)
      .then([
        {
          type: 'PointsAdjusted',
          data: {
            adjustmentId: 'r-1',
            customerId: CUSTOMER_ID,
            kind: 'redemption',
            points: -40,
            occurredAt: '2025-02-01T00:00:00.000Z',
            lots: [{ lotId: 'o', points: 40 }],
          },
        },
      ]);
  });
});
