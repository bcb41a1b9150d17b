import * as E from 'fp-ts/Either';
import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled, manualAdjustment, NOW, paymentRecorded, redemption, visitCreated } from '../testing/customer-fixtures';
import { availableBalance, evolveCustomer, initialCustomerState, pointsDelta, type CustomerEvent, type CustomerState } from './customer';
import { customerDecider, decideCustomer, stateAfterDecision, type CustomerCommand } from './customer.decider';
import { CustomerEventC } from '../stored-events';

const given = DeciderSpecification.for(customerDecider);

const fold = (events: readonly CustomerEvent[]): CustomerState => events.reduce(evolveCustomer, initialCustomerState());

const enrolledState = (events: readonly CustomerEvent[]) => {
  const state = fold(events);
  if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
  return state;
};

describe('The customer account (evolve)', () => {
  it('starts not enrolled, with nothing available', () => {
    expect(initialCustomerState()).toEqual({ status: 'NotEnrolled' });
    expect(availableBalance(initialCustomerState())).toBe(0);
  });

  it('keeps the contact details given at enrolment', () => {
    const state = enrolledState([customerEnrolled({ phone: '+15550102000', name: 'Ada' })]);
    expect(state).toMatchObject({ customerId: CUSTOMER_ID, email: 'ada@example.com', phone: '+15550102000', name: 'Ada' });
  });

  it('folds a history into balances, lifetime totals and visit and payment counts', () => {
    const state = enrolledState([
      customerEnrolled(),
      visitCreated('vis-0001'),
      visitCreated('vis-0002', { kind: 'purchase', paymentId: 'pay-0001' }),
      paymentRecorded('pay-0001', 49, { visitId: 'vis-0002' }),
      paymentRecorded('pay-0002', 10),
      manualAdjustment('adj-0001', 5),
      manualAdjustment('adj-0002', -3),
      redemption('red-0001', 20),
      redemption('red-0002', 6),
    ]);
    expect(state.balance).toEqual({ available: 49 + 10 + 5 - 3 - 20 - 6, pending: 0 });
    expect(state.lifetime).toEqual({ earned: 59, redeemed: 26, adjustedIn: 5, adjustedOut: 3, reversed: 0, writtenOff: 0, expired: 0 });
    expect(state.visitCount).toBe(2);
    expect(state.paymentCount).toBe(2);
    expect(['vis-0001', 'vis-0002'].map((id) => state.visits.has(id))).toEqual([true, true]);
    expect(['pay-0001', 'pay-0002'].map((id) => state.payments.has(id))).toEqual([true, true]);
    expect(state.payments.has('vis-0001')).toBe(false);
    expect(availableBalance(state)).toBe(35);
  });

  it('lets lifetime totals only grow while the available balance goes up and down', () => {
    const events = [
      customerEnrolled(),
      paymentRecorded('pay-0001', 40),
      redemption('red-0001', 40),
      manualAdjustment('adj-0001', -10),
      manualAdjustment('adj-0002', 10),
    ];
    const states = events.map((_, i) => enrolledState(events.slice(0, i + 1)));
    for (const [before, after] of states.slice(0, -1).map((s, i) => [s, states[i + 1]!] as const)) {
      expect(after.lifetime.earned).toBeGreaterThanOrEqual(before.lifetime.earned);
      expect(after.lifetime.redeemed).toBeGreaterThanOrEqual(before.lifetime.redeemed);
      expect(after.lifetime.adjustedIn).toBeGreaterThanOrEqual(before.lifetime.adjustedIn);
      expect(after.lifetime.adjustedOut).toBeGreaterThanOrEqual(before.lifetime.adjustedOut);
    }
    expect(states.map((s) => s.balance.available)).toEqual([0, 40, 0, -10, 0]);
  });

  it('ignores events that arrive before the enrolment', () => {
    const before = [visitCreated('vis-0001'), paymentRecorded('pay-0001', 10), manualAdjustment('adj-0001', 5)];
    expect(fold(before)).toEqual({ status: 'NotEnrolled' });
  });

  it('never changes the state it was given', () => {
    const enrolled = enrolledState([customerEnrolled(), paymentRecorded('pay-0001', 10)]);
    // What a holder can observe (the sets share a backing log by design, so compare through has/size).
    const observe = (s: typeof enrolled) => ({
      balance: s.balance,
      lifetime: s.lifetime,
      visitCount: s.visitCount,
      paymentCount: s.paymentCount,
      visits: s.visits.size,
      payments: s.payments.size,
    });
    const snapshot = structuredClone(observe(enrolled));
    evolveCustomer(enrolled, paymentRecorded('pay-0002', 5));
    evolveCustomer(enrolled, manualAdjustment('adj-0001', -3));
    evolveCustomer(enrolled, redemption('red-0001', 4));
    evolveCustomer(enrolled, visitCreated('vis-0001'));
    expect(observe(enrolled)).toEqual(snapshot);
    expect(enrolled.payments.has('pay-0002')).toBe(false);
    expect(enrolled.visits.has('vis-0001')).toBe(false);
  });

  it('keeps two histories branched from one state apart', () => {
    const common = enrolledState([customerEnrolled(), visitCreated('vis-0001')]);
    const left = evolveCustomer(common, visitCreated('vis-left'));
    const right = evolveCustomer(common, visitCreated('vis-right'));
    if (left.status !== 'Enrolled' || right.status !== 'Enrolled') throw new Error('expected enrolled customers');
    expect([left.visits.has('vis-left'), left.visits.has('vis-right')]).toEqual([true, false]);
    expect([right.visits.has('vis-left'), right.visits.has('vis-right')]).toEqual([false, true]);
    expect([common.visits.has('vis-left'), common.visits.has('vis-right')]).toEqual([false, false]);
  });

  it('tells how many points each event moves on the available balance', () => {
    expect(pointsDelta(customerEnrolled())).toBe(0);
    expect(pointsDelta(visitCreated('vis-0001'))).toBe(0);
    expect(pointsDelta(paymentRecorded('pay-0001', 49))).toBe(49);
    expect(pointsDelta(manualAdjustment('adj-0001', -7))).toBe(-7);
    expect(pointsDelta(redemption('red-0001', 30))).toBe(-30);
  });
});

describe('The customer decider', () => {
  const commands: readonly CustomerCommand[] = [
    { type: 'EnrolCustomer', customerId: CUSTOMER_ID, email: 'ada@example.com', now: NOW },
    {
      type: 'RecordVisit',
      customerId: CUSTOMER_ID,
      visitId: 'vis-0001',
      locationId: 'loc-1',
      occurredAt: '2026-03-10T11:00:00.000Z',
      kind: 'event',
      source: 'manual',
      now: NOW,
    },
    {
      type: 'RecordPayment',
      customerId: CUSTOMER_ID,
      paymentId: 'pay-0001',
      newVisitId: 'vis-0002',
      locationId: 'loc-1',
      amount: '10.00',
      currency: 'USD',
      purchaseIdentifier: 'R-1',
      occurredAt: '2026-03-10T11:00:00.000Z',
      source: 'online',
      program: aProgram(),
      now: NOW,
    },
    { type: 'AdjustPoints', customerId: CUSTOMER_ID, adjustmentId: 'adj-0001', points: 3, reason: 'goodwill', program: aProgram(), now: NOW },
    { type: 'RedeemPoints', customerId: CUSTOMER_ID, redemptionId: 'red-0001', points: 10, now: NOW },
  ];

  it('routes each command to its own decision', () => {
    const produced = commands.reduce<{ state: CustomerState; types: string[] }>(
      ({ state, types }, command) => {
        const result = decideCustomer(command, state);
        if (E.isLeft(result)) throw new Error(`${command.type} refused: ${JSON.stringify(result.left)}`);
        return { state: result.right.reduce(evolveCustomer, state), types: [...types, ...result.right.map((e) => e.type)] };
      },
      { state: initialCustomerState(), types: [] },
    );
    expect(produced.types).toEqual(['CustomerEnrolled', 'VisitCreated', 'PaymentRecorded', 'PointsAdjusted', 'PointsAdjusted']);
    expect(produced.state).toMatchObject({ balance: { available: 3 }, lifetime: { earned: 10, redeemed: 10, adjustedIn: 3 } });
  });

  it('keeps the state each decision leaves for the fold of those very events onto that very state', () => {
    let state = initialCustomerState();
    for (const command of commands) {
      const result = decideCustomer(command, state);
      if (E.isLeft(result)) throw new Error(`${command.type} refused`);
      const evolved = result.right.reduce(evolveCustomer, state);
      // The oracle is a plain fold; the kept state must equal it, and only answer for its own base and events.
      expect(stateAfterDecision(state, result.right)).toEqual(evolved);
      expect(stateAfterDecision(evolved, result.right)).toBeUndefined();
      expect(stateAfterDecision(state, [...result.right])).toBeUndefined();
      state = evolved;
    }
  });

  it.each(commands.filter((c) => c.type !== 'EnrolCustomer').map((c) => [c.type, c] as const))(
    'refuses %s for a customer who is not enrolled',
    (_type, command) => {
      given([]).when(command).thenFails('CustomerNotFound', { customerId: CUSTOMER_ID });
    },
  );
});

describe('Customer events read back from a store', () => {
  it('decode as they were written', () => {
    const events: CustomerEvent[] = [
      customerEnrolled({ phone: '+15550102000' }),
      visitCreated('vis-0001', { notes: 'n', paymentId: 'pay-0001', kind: 'purchase' }),
      paymentRecorded('pay-0001', 49, { visitId: 'vis-0001' }),
      manualAdjustment('adj-0001', 5),
      { ...redemption('red-0001', 30), data: { ...redemption('red-0001', 30).data, reason: 'voucher', reference: 'V-1' } },
    ];
    for (const event of events) expect(CustomerEventC.decode(JSON.parse(JSON.stringify(event)))).toEqual(E.right(event));
  });

  it('refuse an unknown event type or a malformed payload', () => {
    expect(E.isLeft(CustomerEventC.decode({ type: 'PointsExpired', data: {} }))).toBe(true);
    expect(E.isLeft(CustomerEventC.decode({ type: 'PaymentRecorded', data: { ...paymentRecorded('pay-0001', 1).data, points: '1' } }))).toBe(true);
    expect(E.isLeft(CustomerEventC.decode({ type: 'PointsAdjusted', data: { ...manualAdjustment('adj-1', 1).data, kind: 'bonus' } }))).toBe(true);
  });
});
