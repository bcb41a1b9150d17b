import type { CustomerEvent } from '../customer/customer';
import type { VisitCreated } from '../customer/record-visit';
import type { CashbackRule, VisitRewardRule } from '../program/rules';
import { aProgram, CUSTOMER_ID, paymentRecorded, visitCreated } from '../testing/customer-fixtures';
import { ordinal, programAt, react, type ProgramVersionAt, type Reaction } from './react';
import { emptyVisitTally, tallyVisit, type VisitTally } from './visit-tally';

const everyFifth: VisitRewardRule = { ruleId: 'visits-5', everyVisits: 5, points: 50 };
const withRules = (visitRewards: VisitRewardRule[] = [], cashback: CashbackRule[] = [], version = 1) => aProgram({ visitRewards, cashback }, version);

/**
 * A customer's stream as the reaction runner walks it: event i at position i + 1, the visit tally
 * folded up to and including each visit, the program version in force at each position.
 */
function reactionsTo(events: readonly CustomerEvent[], history: readonly ProgramVersionAt[]): Reaction[] {
  let visits: VisitTally = emptyVisitTally;
  return events.flatMap((event, i) => {
    if (event.type === 'VisitCreated') visits = tallyVisit(visits, event.data);
    return [...react(event, { program: programAt(history, BigInt(i + 1)), visits })];
  });
}

const visits = (n: number, data: Partial<VisitCreated['data']> = {}, from = 1): VisitCreated[] =>
  Array.from({ length: n }, (_, i) => visitCreated(`vis-${from + i}`, data));
const fromStart = (program: ReturnType<typeof withRules>): ProgramVersionAt[] => [{ position: 0n, program }];

describe('Visit rewards', () => {
  it('rewards exactly the 5th and the 10th of 12 visits, with the rule, version and a reason naming the visit', () => {
    const rewards = reactionsTo(visits(12), fromStart(withRules([everyFifth], [], 3)));
    expect(rewards).toEqual([
      {
        key: 'reward:visits-5',
        command: {
          type: 'IssueReward',
          customerId: CUSTOMER_ID,
          kind: 'reward',
          points: 50,
          reason: 'visit reward: 5th visit',
          ruleId: 'visits-5',
          programVersion: 3,
          trigger: { visitId: 'vis-5' },
          occurredAt: '2026-03-01T10:00:00.000Z',
        },
      },
      expect.objectContaining({
        key: 'reward:visits-5',
        command: expect.objectContaining({ reason: 'visit reward: 10th visit', trigger: { visitId: 'vis-10' } }),
      }),
    ]);
  });

  it('issues nothing at 4 visits and nothing more at 6 to 9', () => {
    expect(reactionsTo(visits(4), fromStart(withRules([everyFifth])))).toEqual([]);
    expect(reactionsTo(visits(9), fromStart(withRules([everyFifth]))).map((r) => r.command.trigger)).toEqual([{ visitId: 'vis-5' }]);
  });

  it('counts a manual visit like any other when the rule names no sources', () => {
    const mixed = [...visits(2, { source: 'manual' }), ...visits(2, { source: 'scan' }, 3), ...visits(1, { source: 'online' }, 5)];
    expect(reactionsTo(mixed, fromStart(withRules([everyFifth]))).map((r) => r.command.trigger)).toEqual([{ visitId: 'vis-5' }]);
  });

  it('counts only the kinds and sources a rule lists, and a visit it does not count triggers nothing', () => {
    const rule: VisitRewardRule = { ruleId: 'scan-services', everyVisits: 2, points: 20, kinds: ['service', 'event'], sources: ['scan'] };
    const stream = [
      visitCreated('a', { kind: 'service', source: 'scan' }),
      visitCreated('b', { kind: 'browse', source: 'scan' }), // wrong kind: 2nd visit, but not counted
      visitCreated('c', { kind: 'service', source: 'manual' }), // wrong source
      visitCreated('d', { kind: 'event', source: 'scan' }), // 2nd counted
      visitCreated('e', { kind: 'purchase', source: 'scan' }),
      visitCreated('f', { kind: 'service', source: 'scan' }),
      visitCreated('g', { kind: 'service', source: 'scan' }), // 4th counted
    ];
    const rewards = reactionsTo(stream, fromStart(withRules([rule])));
    expect(rewards.map((r) => [r.command.trigger, r.command.reason])).toEqual([
      [{ visitId: 'd' }, 'visit reward: 2nd visit'],
      [{ visitId: 'g' }, 'visit reward: 4th visit'],
    ]);
  });

  it('lets a rule leave out manual visits', () => {
    const rule: VisitRewardRule = { ruleId: 'no-manual', everyVisits: 2, points: 5, sources: ['scan', 'online'] };
    expect(reactionsTo(visits(6, { source: 'manual' }), fromStart(withRules([rule])))).toEqual([]);
  });

  it('issues one reward per rule that reaches its threshold on the same visit, each with its own key', () => {
    const tenth: VisitRewardRule = { ruleId: 'visits-10', everyVisits: 10, points: 200 };
    const rewards = reactionsTo(visits(10), fromStart(withRules([everyFifth, tenth])));
    expect(rewards.map((r) => [r.key, r.command.trigger, r.command.points])).toEqual([
      ['reward:visits-5', { visitId: 'vis-5' }, 50],
      ['reward:visits-5', { visitId: 'vis-10' }, 50],
      ['reward:visits-10', { visitId: 'vis-10' }, 200],
    ]);
  });

  it("applies the rule version in force at each visit's position: a change mid-stream applies from its position on", () => {
    // Visits at positions 1..12; version 2 (every 3 visits, 30 points) in force for events after position 6 (from the 7th visit).
    const history: ProgramVersionAt[] = [
      { position: 0n, program: withRules([everyFifth], [], 1) },
      { position: 6n, program: withRules([{ ruleId: 'visits-5', everyVisits: 3, points: 30 }], [], 2) },
    ];
    const rewards = reactionsTo(visits(12), history);
    // Version 1 rewards the 5th; from the 7th on version 2 counts every visit so far and rewards the 9th and 12th.
    expect(rewards.map((r) => [r.command.trigger, r.command.points, r.command.programVersion])).toEqual([
      [{ visitId: 'vis-5' }, 50, 1],
      [{ visitId: 'vis-9' }, 30, 2],
      [{ visitId: 'vis-12' }, 30, 2],
    ]);
  });

  it('issues nothing without a program or without visit rules', () => {
    expect(reactionsTo(visits(5), [])).toEqual([]);
    expect(reactionsTo(visits(5), fromStart(aProgram()))).toEqual([]);
  });

  it('spells ordinals in English', () => {
    expect([1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });
});

describe('Cashback', () => {
  const fivePercent: CashbackRule = { ruleId: 'cashback-5', percent: '5' };
  const payment = (source: 'manual' | 'scan' | 'online', amountMinor = 4999, pointsPerUnit = '1') =>
    paymentRecorded('pay-1', 49, { source, amountMinor, pointsPerUnit });
  const cashbackFor = (event: CustomerEvent, rules: CashbackRule[] = [fivePercent]) =>
    react(event, { program: withRules([], rules, 4), visits: emptyVisitTally });

  it("pays a percentage of a scanned payment, as points at the payment's own ratio, rounded down once", () => {
    // 5 % of 49.99 USD = 2.4995 → 2 points at 1 point per 1.00.
    expect(cashbackFor(payment('scan'))).toEqual([
      {
        key: 'cashback:cashback-5',
        command: {
          type: 'IssueReward',
          customerId: CUSTOMER_ID,
          kind: 'cashback',
          points: 2,
          reason: 'cashback: 5% of 49.99 USD',
          ruleId: 'cashback-5',
          programVersion: 4,
          trigger: { paymentId: 'pay-1' },
          occurredAt: '2026-03-01T10:05:00.000Z',
        },
      },
    ]);
  });

  it('pays on online payments too, and never on a manual one, whatever the rule says', () => {
    expect(cashbackFor(payment('online')).map((r) => r.command.points)).toEqual([2]);
    expect(cashbackFor(payment('manual'))).toEqual([]);
  });

  it('keeps to the sources a rule lists', () => {
    expect(cashbackFor(payment('online'), [{ ...fivePercent, sources: ['scan'] }])).toEqual([]);
    expect(cashbackFor(payment('scan'), [{ ...fivePercent, sources: ['scan'] }])).toHaveLength(1);
  });

  it.each([
    // amount minor, percent, pointsPerUnit, points: floor(amount × percent/100 × ratio), one rounding
    [10_000, '2.5', '1', 2], // 2.50 → 2
    [10_000, '2.5', '10', 25], // 25.00
    [3_333, '33.333333', '3', 33], // 33.33 × 33.333333 % × 3 = 33.3299… → 33
    [1_999, '10', '1', 1], // 1.999 → 1
    [100_000_000_000, '100', '1000', 1_000_000_000_000], // no precision lost on large values
  ])('rounds %i minor units × %s %% × ratio %s down to %i points', (amountMinor, percent, pointsPerUnit, points) => {
    expect(cashbackFor(payment('scan', amountMinor, pointsPerUnit), [{ ruleId: 'c', percent }]).map((r) => r.command.points)).toEqual([points]);
  });

  it('issues nothing when the cashback rounds down to zero points', () => {
    expect(cashbackFor(payment('scan', 1_999), [{ ruleId: 'c', percent: '5' }])).toEqual([]);
  });

  it('issues nothing for visits, enrolments or adjustments', () => {
    expect(react(visitCreated('v', { source: 'scan' }), { program: withRules([], [fivePercent]), visits: emptyVisitTally })).toEqual([]);
  });
});
