import type { ProgramSettings } from '../program/program';
import { DeciderSpecification } from '../testing/decider-specification';
import { aProgram, CUSTOMER_ID, customerEnrolled } from '../testing/customer-fixtures';
import { activate, decided, enrolled, history, pendingPayment, refund } from '../testing/lifecycle-fixtures';
import { evaluateTier, GOLD, LADDER, payment, PLATINUM, redeem, SILVER } from '../testing/lifecycle2-fixtures';
import type { CustomerEvent } from './customer';
import { customerDecider } from './customer.decider';
import { qualifyingPoints, type TierChanged } from './evaluate-tier';
import type { PaymentRecorded } from './record-payment';

const given = DeciderSpecification.for(customerDecider);

/** Silver from 500, gold from 1000 (×1.5), platinum from 2000 (×2); the last 30 local days in Paris qualify. */
const settings = (overrides: Partial<ProgramSettings> = {}): Partial<ProgramSettings> => ({
  timezone: 'Europe/Paris',
  tiers: LADDER,
  tierWindow: { rollingDays: 30 },
  ...overrides,
});
const program = aProgram(settings(), 4);

const tierChanged = (
  from: string | null,
  to: string | null,
  qualifyingPoints: number,
  reason: TierChanged['data']['reason'],
  occurredAt: string,
): TierChanged => ({
  type: 'TierChanged',
  data: { customerId: CUSTOMER_ID, from, to, qualifyingPoints, reason, occurredAt, programVersion: 4 },
});

/** A payment recorded at its own business time under `program`. */
const paid = (paymentId: string, amount: string, occurredAt: string, now = occurredAt) =>
  payment(paymentId, amount, { occurredAt, now: new Date(now), program });

const recordedOf = (events: readonly CustomerEvent[]): PaymentRecorded['data'] => {
  const event = events.find((e): e is PaymentRecorded => e.type === 'PaymentRecorded');
  if (event === undefined) throw new Error('expected a payment');
  return event.data;
};

/** 1500 points on 1 March and 600 on 5 March (Paris), then evaluated on 10 March: platinum. */
const UPGRADED_AT = '2026-03-10T12:00:00.000Z';
const platinumCustomer = () =>
  history(
    [customerEnrolled()],
    paid('pay-1', '1500.00', '2026-03-01T10:00:00.000Z'),
    paid('pay-2', '600.00', '2026-03-05T10:00:00.000Z'),
    evaluateTier(program, UPGRADED_AT),
  );

describe('Tiers', () => {
  describe('up: at once, to the highest tier the qualifying points reach', () => {
    it('worked example: 2100 qualifying points go from no tier straight to platinum, past silver and gold', () => {
      given([customerEnrolled()]).when(evaluateTier(program, UPGRADED_AT)).thenFails('TierUnchanged', { customerId: CUSTOMER_ID });
      const events = history([customerEnrolled()], paid('pay-1', '1500.00', '2026-03-01T10:00:00.000Z'), paid('pay-2', '600.00', '2026-03-05T10:00:00.000Z'));
      given(events)
        .when(evaluateTier(program, UPGRADED_AT))
        .then([tierChanged(null, 'platinum', 2100, 'qualified', UPGRADED_AT)]);
    });

    it('changes nothing when the tier held is the one the points support', () => {
      given(platinumCustomer()).when(evaluateTier(program, '2026-03-11T12:00:00.000Z')).thenFails('TierUnchanged');
    });

    it('refuses without tiers in the program', () => {
      given(platinumCustomer())
        .when(evaluateTier(aProgram({}, 5), '2026-03-11T12:00:00.000Z'))
        .thenFails('TierUnchanged');
      given(platinumCustomer()).when(evaluateTier(undefined, '2026-03-11T12:00:00.000Z')).thenFails('TierUnchanged');
    });

    it('does not count pending points until they are activated', () => {
      const pending = [
        customerEnrolled(),
        pendingPayment('pay-1', 1200, '2026-03-15T00:00:00.000Z', { amountMinor: 120000, occurredAt: '2026-03-08T10:00:00.000Z' }),
      ];
      given(pending).when(evaluateTier(program, '2026-03-10T12:00:00.000Z')).thenFails('TierUnchanged');
      const activated = history(pending, activate({ now: new Date('2026-03-15T00:00:00.000Z') }));
      given(activated)
        .when(evaluateTier(program, '2026-03-15T01:00:00.000Z'))
        .then([tierChanged(null, 'gold', 1200, 'qualified', '2026-03-15T01:00:00.000Z')]);
    });

    it('never lowers the qualifying points for a redemption', () => {
      const events = history(platinumCustomer(), redeem('red-1', 2000, { now: new Date('2026-03-11T12:00:00.000Z') }));
      const now = new Date('2026-03-11T12:00:00.000Z');
      expect(qualifyingPoints(enrolled(events), { rollingDays: 30 }, 'Europe/Paris', now)).toBe(2100);
      given(events).when(evaluateTier(program, now)).thenFails('TierUnchanged');
    });
  });

  describe('down: one tier a day as the rolling window drops the payments, never below what it still supports', () => {
    // Paris is on summer time (UTC+2) from 29 March. The window of 31 March is 2–31 March: pay-1 has left it.
    it('worked example: on 31 March the window holds 600 (silver): platinum steps down to gold only', () => {
      given(platinumCustomer())
        .when(evaluateTier(program, '2026-03-31T08:00:00.000Z'))
        .then([tierChanged('platinum', 'gold', 600, 'window', '2026-03-31T08:00:00.000Z')]);
    });

    it('no second step the same local day, however often the runner evaluates', () => {
      const events = history(platinumCustomer(), evaluateTier(program, '2026-03-31T08:00:00.000Z'));
      given(events).when(evaluateTier(program, '2026-03-31T21:59:59.999Z')).thenFails('TierUnchanged'); // 23:59:59.999 in Paris
    });

    it('the next local day (midnight in Paris, 22:00Z) gold steps down to silver, what the window still supports, and stays there', () => {
      const events = history(platinumCustomer(), evaluateTier(program, '2026-03-31T08:00:00.000Z'));
      given(events)
        .when(evaluateTier(program, '2026-03-31T22:00:00.000Z'))
        .then([tierChanged('gold', 'silver', 600, 'window', '2026-03-31T22:00:00.000Z')]);
      const silver = history(events, evaluateTier(program, '2026-03-31T22:00:00.000Z'));
      given(silver).when(evaluateTier(program, '2026-04-02T08:00:00.000Z')).thenFails('TierUnchanged');
    });

    it('when pay-2 leaves the window too (4 April), silver steps down to no tier', () => {
      const events = history(platinumCustomer(), evaluateTier(program, '2026-03-31T08:00:00.000Z'), evaluateTier(program, '2026-03-31T22:00:00.000Z'));
      given(events).when(evaluateTier(program, '2026-04-03T21:00:00.000Z')).thenFails('TierUnchanged'); // 3 April, 23:00: pay-2 of 5 March still in
      given(events)
        .when(evaluateTier(program, '2026-04-03T22:00:00.000Z'))
        .then([tierChanged('silver', null, 0, 'window', '2026-04-03T22:00:00.000Z')]);
      const none = enrolled(history(events, evaluateTier(program, '2026-04-03T22:00:00.000Z')));
      expect(none.tier).toBeUndefined();
      expect(none.tierHistory.map((h) => h.tierId)).toEqual(['platinum', 'gold', 'silver', null]);
    });

    it('the rule is one step per local calendar day: a step at 23:59 and the next at 00:00 are both taken', () => {
      const events = history(platinumCustomer(), evaluateTier(program, '2026-03-31T21:59:00.000Z')); // 23:59 on 31 March in Paris
      given(events)
        .when(evaluateTier(program, '2026-03-31T22:00:00.000Z'))
        .then([tierChanged('gold', 'silver', 600, 'window', '2026-03-31T22:00:00.000Z')]);
    });

    it('an upgrade earlier the same local day also holds a step down back until the next day (the day of any change counts)', () => {
      // Gold from 10:00 on 10 March; a full refund of pay-2 at 11:00 leaves 500: silver. Not before 11 March.
      const events = history(
        [customerEnrolled()],
        paid('pay-1', '500.00', '2026-03-09T10:00:00.000Z'),
        paid('pay-2', '600.00', '2026-03-10T09:00:00.000Z'),
        evaluateTier(program, '2026-03-10T10:00:00.000Z'),
        refund({ paymentId: 'pay-2', amount: '600.00', occurredAt: '2026-03-10T11:00:00.000Z', now: new Date('2026-03-10T11:00:00.000Z') }),
      );
      expect(enrolled(events).tier).toEqual({ tierId: 'gold', since: '2026-03-10T10:00:00.000Z' });
      given(events).when(evaluateTier(program, '2026-03-10T22:59:59.999Z')).thenFails('TierUnchanged'); // 23:59:59.999 in Paris (UTC+1)
      given(events)
        .when(evaluateTier(program, '2026-03-10T23:00:00.000Z'))
        .then([tierChanged('gold', 'silver', 500, 'reversal', '2026-03-10T23:00:00.000Z')]); // a refund did it, not the window
    });

    it('a refund that takes the lifetime qualifying points below the tier steps down one tier, reason reversal', () => {
      const lifetime = aProgram(settings({ tierWindow: 'lifetime' }), 4);
      const events = history(
        [customerEnrolled()],
        payment('pay-1', '2100.00', { occurredAt: '2026-03-01T10:00:00.000Z', now: new Date('2026-03-01T10:00:00.000Z'), program: lifetime }),
        evaluateTier(lifetime, '2026-03-02T12:00:00.000Z'),
        refund({ amount: '2100.00', occurredAt: '2026-03-09T15:00:00.000Z' }),
      );
      given(events)
        .when(evaluateTier(lifetime, '2026-03-10T12:00:00.000Z'))
        .then([tierChanged('platinum', 'gold', 0, 'reversal', '2026-03-10T12:00:00.000Z')]);
    });

    it('a calendar-year window empties at local new year: the first evaluation of the year steps down one tier', () => {
      const yearly = aProgram(settings({ tierWindow: 'calendarYear' }), 4);
      const events = history(
        [customerEnrolled()],
        payment('pay-1', '1000.00', { occurredAt: '2026-03-01T10:00:00.000Z', now: new Date('2026-03-01T10:00:00.000Z'), program: yearly }),
        evaluateTier(yearly, '2026-03-02T12:00:00.000Z'),
      );
      given(events).when(evaluateTier(yearly, '2026-12-31T22:59:59.999Z')).thenFails('TierUnchanged'); // still 2026 in Paris
      given(events)
        .when(evaluateTier(yearly, '2026-12-31T23:00:00.000Z'))
        .then([tierChanged('gold', 'silver', 0, 'window', '2026-12-31T23:00:00.000Z')]);
    });
  });

  describe('a payment earns at the multiplier of the tier held at its own business time', () => {
    it('records the tier and multiplier: 100.00 at platinum (×2) earns 200', () => {
      const data = recordedOf(decided(platinumCustomer(), paid('pay-3', '100.00', '2026-03-10T13:00:00.000Z')));
      expect(data).toMatchObject({ points: 200, tierId: 'platinum', multiplier: '2', pointsPerUnit: '1' });
    });

    it('worked example: a payment backdated to before the upgrade earns the base rate and records no tier', () => {
      const data = recordedOf(decided(platinumCustomer(), paid('pay-3', '100.00', '2026-03-10T11:59:59.999Z', '2026-03-10T13:00:00.000Z')));
      expect(data.points).toBe(100);
      expect(data).not.toHaveProperty('tierId');
      expect(data).not.toHaveProperty('multiplier');
      // At the very instant of the change the new tier is held.
      expect(recordedOf(decided(platinumCustomer(), paid('pay-4', '100.00', UPGRADED_AT, '2026-03-10T13:00:00.000Z')))).toMatchObject({ points: 200 });
    });

    it('a payment backdated to while gold was held earns gold’s ×1.5 after the customer has stepped down to silver', () => {
      const events = history(
        platinumCustomer(),
        evaluateTier(program, '2026-03-31T08:00:00.000Z'), // gold
        evaluateTier(program, '2026-03-31T22:00:00.000Z'), // silver
      );
      const data = recordedOf(decided(events, paid('pay-3', '10.00', '2026-03-31T12:00:00.000Z', '2026-04-01T09:00:00.000Z')));
      expect(data).toMatchObject({ points: 15, tierId: 'gold', multiplier: '1.5' });
    });

    it('multiplies exactly, rounding once and down: 99.99 at ×1.5 and 2.25 points per unit earns floor(337.46625) = 337', () => {
      const rich = aProgram(settings({ pointsPerUnit: '2.25' }), 4);
      const gold = [customerEnrolled(), tierChanged(null, 'gold', 1000, 'qualified', UPGRADED_AT)];
      const data = recordedOf(decided(gold, payment('pay-3', '99.99', { occurredAt: UPGRADED_AT, now: new Date(UPGRADED_AT), program: rich })));
      expect(data).toMatchObject({ points: 337, tierId: 'gold', multiplier: '1.5', pointsPerUnit: '2.25' });
    });

    it('worked example: a refund of a multiplied payment reverses exactly what it earned, not today’s multiplier', () => {
      const events = history(platinumCustomer(), paid('pay-3', '99.99', '2026-03-10T13:00:00.000Z')); // floor(99.99 × 2) = 199
      expect(recordedOf(events.slice(-1))).toMatchObject({ points: 199, multiplier: '2' });
      // The program's multipliers have changed since; the refunds use the payment's own figures.
      const cheaper = aProgram(settings({ tiers: [SILVER, GOLD, { ...PLATINUM, multiplier: '1.1' }] }), 5);
      const first = refund({
        paymentId: 'pay-3',
        amount: '33.33',
        occurredAt: '2026-03-10T14:00:00.000Z',
        now: new Date('2026-03-10T14:00:00.000Z'),
        program: cheaper,
      });
      const rest = refund({
        refundId: 'ref-2',
        refundIdentifier: 'CN-2',
        paymentId: 'pay-3',
        amount: '66.66',
        occurredAt: '2026-03-10T14:00:00.000Z',
        now: new Date('2026-03-10T14:00:00.000Z'),
        program: cheaper,
      });
      const refunded = history(events, first, rest);
      const reversals = refunded.flatMap((e) => (e.type === 'PaymentRefunded' ? [e.data.pointsReversed] : []));
      expect(reversals).toEqual([66, 133]); // floor(199 × 3333 / 9999) = 66, then 199 − 66
      expect(enrolled(refunded).payments.get('pay-3')).toMatchObject({ points: 199, reversedPoints: 199 });
    });
  });
});
