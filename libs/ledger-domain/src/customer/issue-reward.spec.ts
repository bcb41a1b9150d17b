import { DeciderSpecification } from '../testing/decider-specification';
import { CUSTOMER_ID, customerEnrolled, paymentRecorded, visitCreated } from '../testing/customer-fixtures';
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
