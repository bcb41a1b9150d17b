import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { customerEnrolled, manualAdjustment, paymentRecorded, redemption, ruleIssued, visitCreated } from '#ledger-domain/testing/customer-fixtures';
import { evolveAchievements, type CustomerAchievements } from './customer-achievements.projection';
import type { Projected } from './projected-event';

const at = (event: CustomerEvent, position: number): Projected<CustomerEvent> => ({
  event,
  eventId: `evt-${position}`,
  streamName: 'loyaltyAccount-cus-0001',
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: '2026-03-10T12:00:00.000Z',
  actor: 'test',
});

const reward = (points: number, occurredAt: string) => ruleIssued('reward', `rw-${points}`, points, { occurredAt });
const cashback = ruleIssued('cashback', 'cb', 3);

const fold = (events: readonly CustomerEvent[]): CustomerAchievements | undefined =>
  events.reduce<CustomerAchievements | undefined>((row, event, i) => evolveAchievements(row, at(event, i + 1)), undefined);

describe('customer_achievements projection', () => {
  it('starts at enrolment with no visits and level 0', () => {
    expect(fold([customerEnrolled()])).toEqual({
      customerId: 'cus-0001',
      visits: 0,
      level: 0,
      rewardPoints: 0,
      lastVisitAt: null,
      lastRewardAt: null,
      position: 1n,
    });
  });

  it('counts every visit whatever its kind or source, and the latest business time of a visit', () => {
    const row = fold([
      customerEnrolled(),
      visitCreated('v1', { kind: 'browse', source: 'manual', occurredAt: '2026-03-02T10:00:00.000Z' }),
      visitCreated('v2', { kind: 'purchase', source: 'scan', occurredAt: '2026-03-04T10:00:00.000Z' }),
      visitCreated('v3', { kind: 'event', source: 'online', occurredAt: '2026-03-03T10:00:00.000Z' }), // backdated
    ]);
    expect(row).toMatchObject({ visits: 3, lastVisitAt: '2026-03-04T10:00:00.000Z', level: 0 });
  });

  it('goes up a level per visit reward, never for cashback, adjustments, redemptions or payments', () => {
    const row = fold([
      customerEnrolled(),
      visitCreated('v1'),
      reward(50, '2026-03-01T10:00:00.000Z'),
      cashback,
      manualAdjustment('a', 5),
      paymentRecorded('p', 10),
      redemption('r', 5),
      reward(20, '2026-02-01T10:00:00.000Z'),
    ]);
    expect(row).toMatchObject({ visits: 1, level: 2, rewardPoints: 70, lastRewardAt: '2026-03-01T10:00:00.000Z', position: 8n });
  });

  it("ignores an event at or below the row's position: a repeated delivery never counts twice", () => {
    const once = fold([customerEnrolled(), visitCreated('v1'), reward(50, '2026-03-01T10:00:00.000Z')])!;
    expect(evolveAchievements(once, at(visitCreated('v1'), 2))).toBe(once);
    expect(evolveAchievements(once, at(reward(50, '2026-03-01T10:00:00.000Z'), 3))).toBe(once);
  });

  it('has no row for events of a customer never enrolled', () => {
    expect(fold([visitCreated('v1')])).toBeUndefined();
  });
});
