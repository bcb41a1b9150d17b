import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { customerEnrolled, manualAdjustment, paymentRecorded, redemption, visitCreated } from '#ledger-domain/testing/customer-fixtures';
import type { ProgramConfigured } from '#ledger-domain/program/program';
import {
  DEFAULT_TIMEZONE,
  emptyRows,
  keysOf,
  locationCustomerKey,
  locationDayKey,
  locationKeysOf,
  locationPaymentKey,
  projectBatch,
  timezoneAt,
  type ReadModelRows,
} from './project-batch';
import type { LedgerEvent, Projected } from './projected-event';
import { lotKey } from './points-lots.projection';
import { paymentRefunded, pointsActivated } from './testing/lifecycle-events';

const ADA = 'cus-ada';
const BOB = 'cus-bob';

const programConfigured = (timezone: string, version = 1, currency = 'USD'): ProgramConfigured => ({
  type: 'ProgramConfigured',
  data: { programId: 'default', version, effectiveFrom: '2026-11-01T00:00:00.000Z', currency, pointsPerUnit: '1', timezone, negativeBalance: 'deny' },
});

/** Events in log order, positions from `first`. */
const log = (events: readonly LedgerEvent[], first = 1): Projected<LedgerEvent>[] =>
  events.map((event, i) => ({
    event,
    eventId: `evt-${first + i}`,
    streamName: event.type === 'ProgramConfigured' ? 'loyaltyProgram-default' : `loyaltyAccount-${event.data.customerId}`,
    revision: 0n,
    position: BigInt(first + i),
    recordedAt: '2026-11-30T00:00:00.000Z',
    actor: 'staff:alice',
  }));

const as = (customerId: string, event: CustomerEvent): CustomerEvent => ({ ...event, data: { ...event.data, customerId } }) as CustomerEvent;
const enrol = (customerId: string) => as(customerId, customerEnrolled());
const visit = (customerId: string, visitId: string, data: Partial<Extract<CustomerEvent, { type: 'VisitCreated' }>['data']> = {}) =>
  as(customerId, visitCreated(visitId, { customerId, ...data }));
const pay = (customerId: string, paymentId: string, points: number, data: Partial<Extract<CustomerEvent, { type: 'PaymentRecorded' }>['data']> = {}) =>
  as(customerId, paymentRecorded(paymentId, points, { customerId, ...data }));
/** An in-store payment as the domain writes it: the purchase visit and the payment naming it. */
const storePayment = (
  customerId: string,
  paymentId: string,
  visitId: string,
  points: number,
  data: { locationId?: string; occurredAt?: string } = {},
): CustomerEvent[] => [
  visit(customerId, visitId, { kind: 'purchase', source: 'scan', paymentId, ...data }),
  pay(customerId, paymentId, points, { source: 'scan', visitId, ...data }),
];

const project = (events: readonly LedgerEvent[], loaded: ReadModelRows = emptyRows()) => projectBatch(loaded, log(events));

describe('projectBatch: the read models of one batch of events', () => {
  describe('program settings', () => {
    it('takes the program row (and its timezone) from ProgramConfigured', () => {
      const { rows, changed } = project([programConfigured('Australia/Sydney', 3, 'AUD')]);
      expect(rows.programs).toEqual([{ programId: 'default', version: 3, currency: 'AUD', timezone: 'Australia/Sydney', position: 1n }]);
      expect(changed.programs).toEqual(rows.programs);
    });

    it('counts days in UTC until a program is configured', () => {
      expect(DEFAULT_TIMEZONE).toBe('UTC');
      const { rows } = project([enrol(ADA), visit(ADA, 'v1', { occurredAt: '2026-11-23T23:30:00.000Z' })]);
      expect(rows.visits.get('v1')?.day).toBe('2026-11-23');
      expect(rows.programs).toEqual([]);
    });

    it('ignores a program version it has already stored (a repeated delivery)', () => {
      const loaded = { ...emptyRows(), programs: [{ programId: 'default', version: 2, currency: 'USD', timezone: 'America/New_York', position: 10n }] };
      const { rows, changed } = projectBatch(loaded, log([programConfigured('America/New_York', 2)], 10));
      expect(rows.programs).toBe(loaded.programs);
      expect(changed.programs).toEqual([]);
    });

    it("takes each event's day from the program version in force at its own position, even when delivered late", () => {
      const programs = [
        { programId: 'default', version: 1, currency: 'USD', timezone: 'Australia/Sydney', position: 1n },
        { programId: 'default', version: 2, currency: 'USD', timezone: 'America/New_York', position: 10n },
      ];
      // A visit recorded at position 5 (Sydney in force) arrives after version 2 was projected.
      const { rows } = projectBatch({ ...emptyRows(), programs }, log([enrol(ADA), visit(ADA, 'late', { occurredAt: '2026-11-23T23:30:00.000Z' })], 4));
      expect(rows.visits.get('late')?.day).toBe('2026-11-24');
      expect(timezoneAt(programs, 5n)).toBe('Australia/Sydney');
      expect(timezoneAt(programs, 11n)).toBe('America/New_York');
      expect(timezoneAt(programs, 1n)).toBe('UTC');
    });
  });

  describe('balances and timeline', () => {
    it('writes one timeline entry per customer event with the running balance after it', () => {
      const { timeline, rows } = project([enrol(ADA), pay(ADA, 'p1', 40), redemption('r1', 15), manualAdjustment('a1', 5)].map((e) => as(ADA, e)));
      expect(timeline.map((t) => [t.type, t.kind, t.pointsDelta, t.balanceAfter, t.position])).toEqual([
        ['CustomerEnrolled', null, 0, 0, 1n],
        ['PaymentRecorded', 'online', 40, 40, 2n],
        ['PointsAdjusted', 'redemption', -15, 25, 3n],
        ['PointsAdjusted', 'manual', 5, 30, 4n],
      ]);
      expect(rows.balances.get(ADA)).toMatchObject({ available: 30, lifetimeEarned: 40, lifetimeRedeemed: 15, adjustedIn: 5, position: 4n });
    });

    it('keeps each customer on their own row and running balance', () => {
      const { rows, timeline } = project([enrol(ADA), enrol(BOB), pay(ADA, 'p1', 10), pay(BOB, 'p2', 7), pay(ADA, 'p3', 1)]);
      expect(rows.balances.get(ADA)?.available).toBe(11);
      expect(rows.balances.get(BOB)?.available).toBe(7);
      expect(timeline.filter((t) => t.customerId === BOB).map((t) => t.balanceAfter)).toEqual([0, 7]);
    });

    it('continues from the balance loaded from an earlier batch', () => {
      const first = project([enrol(ADA), pay(ADA, 'p1', 10)]);
      const second = projectBatch(first.rows, log([pay(ADA, 'p2', 5)], 3));
      expect(second.timeline.map((t) => t.balanceAfter)).toEqual([15]);
      expect([...second.changed.balances]).toEqual([ADA]);
    });
  });

  describe('visits with and without a purchase', () => {
    it('counts an in-store payment (purchase visit + payment naming it) as one visit with a purchase', () => {
      const { rows } = project([enrol(ADA), ...storePayment(ADA, 'p1', 'v1', 20, { locationId: 'loc-a', occurredAt: '2026-11-23T10:00:00.000Z' })]);
      expect(rows.visits.get('v1')).toMatchObject({ withPurchase: true, kind: 'purchase' });
      expect(rows.customerVisits.get(ADA)).toMatchObject({ visits: 1, visitsWithPurchase: 1, visitsWithoutPurchase: 0 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 1, visitsWithPurchase: 1, distinctCustomers: 1 });
      expect(rows.locationPayments.get(locationPaymentKey('loc-a', '2026-11-23', 'USD'))).toMatchObject({ payments: 1, pointsEarned: 20 });
      expect(rows.balances.get(ADA)).toMatchObject({ visitCount: 1, purchaseCount: 1, available: 20 });
    });

    it('moves a browse visit from "without" to "with" a purchase when a later payment names it', () => {
      const { rows } = project([
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a' }),
        pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan', locationId: 'loc-a' }),
      ]);
      expect(rows.visits.get('v1')).toMatchObject({ kind: 'browse', withPurchase: true, position: 3n });
      expect(rows.customerVisits.get(ADA)).toMatchObject({ visits: 1, visitsWithPurchase: 1, visitsWithoutPurchase: 0 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-03-01'))).toMatchObject({ visits: 1, visitsWithPurchase: 1 });
    });

    it('counts two payments on the same visit as one visit with a purchase (and two payments)', () => {
      const { rows } = project([
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a' }),
        pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan', locationId: 'loc-a' }),
        pay(ADA, 'p2', 5, { visitId: 'v1', source: 'scan', locationId: 'loc-a' }),
      ]);
      expect(rows.customerVisits.get(ADA)).toMatchObject({ visits: 1, visitsWithPurchase: 1, visitsWithoutPurchase: 0 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-03-01'))).toMatchObject({ visits: 1, visitsWithPurchase: 1 });
      expect(rows.locationPayments.get(locationPaymentKey('loc-a', '2026-03-01', 'USD'))).toMatchObject({ payments: 2, pointsEarned: 15 });
    });

    it('counts a second payment on a visit created by a store payment as a payment, not as another converted visit', () => {
      const { rows } = project([
        enrol(ADA),
        ...storePayment(ADA, 'p1', 'v1', 20, { locationId: 'loc-a' }),
        pay(ADA, 'p2', 3, { visitId: 'v1', source: 'scan', locationId: 'loc-a' }),
      ]);
      expect(rows.customerVisits.get(ADA)).toMatchObject({ visits: 1, visitsWithPurchase: 1, visitsWithoutPurchase: 0 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-03-01'))).toMatchObject({ visits: 1, visitsWithPurchase: 1 });
    });

    it("moves a visit projected in an earlier batch, on the visit's location and day (not the payment's)", () => {
      const first = project([programConfigured('UTC'), enrol(ADA), visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-20T10:00:00.000Z' })]);
      const second = projectBatch(
        first.rows,
        log([pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan', locationId: 'loc-b', occurredAt: '2026-11-22T10:00:00.000Z' })], 4),
      );
      expect(second.rows.locationVisits.get(locationDayKey('loc-a', '2026-11-20'))).toMatchObject({ visits: 1, visitsWithPurchase: 1, position: 4n });
      expect(second.rows.locationVisits.has(locationDayKey('loc-b', '2026-11-22'))).toBe(false);
      expect(second.rows.locationPayments.get(locationPaymentKey('loc-b', '2026-11-22', 'USD'))).toMatchObject({ payments: 1 });
      expect([...second.changed.visits]).toEqual(['v1']);
      expect([...second.changed.locationVisits]).toEqual([locationDayKey('loc-a', '2026-11-20')]);
    });

    it('does not count an online payment as a visit', () => {
      const { rows } = project([enrol(ADA), pay(ADA, 'p1', 10, { source: 'online', locationId: 'web' })]);
      expect(rows.visits.size).toBe(0);
      expect(rows.customerVisits.has(ADA)).toBe(false);
      expect(rows.locationVisits.size).toBe(0);
      expect(rows.locationPayments.get(locationPaymentKey('web', '2026-03-01', 'USD'))).toMatchObject({ payments: 1, revenueMinor: 1000, pointsEarned: 10 });
    });
  });

  describe('per location per day', () => {
    it('counts the same customer twice on the same day as two visits and one distinct customer', () => {
      const { rows } = project([
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-23T09:00:00.000Z' }),
        visit(ADA, 'v2', { locationId: 'loc-a', occurredAt: '2026-11-23T17:00:00.000Z' }),
      ]);
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 2, distinctCustomers: 1 });
      expect([...rows.locationCustomers]).toEqual([locationCustomerKey('loc-a', '2026-11-23', ADA)]);
    });

    it('counts the same customer again on the next day, and at another location', () => {
      const { rows } = project([
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-23T09:00:00.000Z' }),
        visit(ADA, 'v2', { locationId: 'loc-a', occurredAt: '2026-11-24T09:00:00.000Z' }),
        visit(ADA, 'v3', { locationId: 'loc-b', occurredAt: '2026-11-24T10:00:00.000Z' }),
      ]);
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 1, distinctCustomers: 1 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-24'))).toMatchObject({ visits: 1, distinctCustomers: 1 });
      expect(rows.locationVisits.get(locationDayKey('loc-b', '2026-11-24'))).toMatchObject({ visits: 1, distinctCustomers: 1 });
    });

    it('counts two customers on the same day as two distinct customers', () => {
      const { rows } = project([
        enrol(ADA),
        enrol(BOB),
        visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-23T09:00:00.000Z' }),
        visit(BOB, 'v2', { locationId: 'loc-a', occurredAt: '2026-11-23T09:05:00.000Z' }),
        visit(ADA, 'v3', { locationId: 'loc-a', occurredAt: '2026-11-23T19:05:00.000Z' }),
      ]);
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 3, distinctCustomers: 2 });
    });

    it('does not count a customer again who was already counted that day in an earlier batch', () => {
      const first = project([enrol(ADA), visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-23T09:00:00.000Z' })]);
      const second = projectBatch(first.rows, log([visit(ADA, 'v2', { locationId: 'loc-a', occurredAt: '2026-11-23T10:00:00.000Z' })], 3));
      expect(second.rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 2, distinctCustomers: 1 });
      expect(second.changed.locationCustomers.size).toBe(0);
    });

    it('keeps payments apart per currency', () => {
      const { rows } = project([
        enrol(ADA),
        pay(ADA, 'p1', 10, { currency: 'USD', amountMinor: 1000, locationId: 'loc-a' }),
        pay(ADA, 'p2', 20, { currency: 'EUR', amountMinor: 2000, locationId: 'loc-a' }),
        pay(ADA, 'p3', 5, { currency: 'USD', amountMinor: 550, locationId: 'loc-a' }),
        pay(ADA, 'p4', 1, { currency: 'JPY', amountMinor: 150, locationId: 'loc-a' }),
      ]);
      const at = (currency: string) => rows.locationPayments.get(locationPaymentKey('loc-a', '2026-03-01', currency));
      expect(at('USD')).toMatchObject({ payments: 2, revenueMinor: 1550, pointsEarned: 15, position: 4n });
      expect(at('EUR')).toMatchObject({ payments: 1, revenueMinor: 2000, pointsEarned: 20, position: 3n });
      expect(at('JPY')).toMatchObject({ payments: 1, revenueMinor: 150, pointsEarned: 1 });
      expect(rows.locationPayments.size).toBe(3);
    });
  });

  describe('the day, taken in the program timezone', () => {
    const lateEvening = '2026-11-23T23:30:00.000Z';

    it.each([
      ['Australia/Sydney', '2026-11-24'],
      ['America/New_York', '2026-11-23'],
    ])('puts a visit and a payment at 23:30Z on 23 Nov on the %s day %s', (timezone, day) => {
      const { rows } = project([
        programConfigured(timezone),
        enrol(ADA),
        ...storePayment(ADA, 'p1', 'v1', 10, { locationId: 'loc-a', occurredAt: lateEvening }),
      ]);
      expect(rows.visits.get('v1')?.day).toBe(day);
      expect([...rows.locationVisits.keys()]).toEqual([locationDayKey('loc-a', day)]);
      expect([...rows.locationPayments.keys()]).toEqual([locationPaymentKey('loc-a', day, 'USD')]);
      expect([...rows.locationCustomers]).toEqual([locationCustomerKey('loc-a', day, ADA)]);
    });

    it('takes the timezone of the program loaded from an earlier batch', () => {
      const first = project([programConfigured('Australia/Sydney')]);
      const { rows } = projectBatch(first.rows, log([enrol(ADA), visit(ADA, 'v1', { occurredAt: lateEvening })], 2));
      expect(rows.visits.get('v1')?.day).toBe('2026-11-24');
    });

    it('applies a timezone change in the middle of a batch to the events after it only', () => {
      const { rows } = project([
        programConfigured('Australia/Sydney', 1),
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: lateEvening }),
        pay(ADA, 'p1', 10, { locationId: 'loc-a', occurredAt: lateEvening }),
        programConfigured('America/New_York', 2),
        visit(ADA, 'v2', { locationId: 'loc-a', occurredAt: lateEvening }),
        pay(ADA, 'p2', 20, { locationId: 'loc-a', occurredAt: lateEvening }),
      ]);
      expect(rows.visits.get('v1')?.day).toBe('2026-11-24');
      expect(rows.visits.get('v2')?.day).toBe('2026-11-23');
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-24'))).toMatchObject({ visits: 1, distinctCustomers: 1 });
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-23'))).toMatchObject({ visits: 1, distinctCustomers: 1 });
      expect(rows.locationPayments.get(locationPaymentKey('loc-a', '2026-11-24', 'USD'))).toMatchObject({ payments: 1, pointsEarned: 10 });
      expect(rows.locationPayments.get(locationPaymentKey('loc-a', '2026-11-23', 'USD'))).toMatchObject({ payments: 1, pointsEarned: 20 });
      expect(rows.programs[rows.programs.length - 1]).toMatchObject({ version: 2, timezone: 'America/New_York', position: 5n });
    });

    it('keeps a visit on the day it was counted when a payment names it after a timezone change', () => {
      const { rows } = project([
        programConfigured('Australia/Sydney', 1),
        enrol(ADA),
        visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: lateEvening }),
        programConfigured('America/New_York', 2),
        pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan', locationId: 'loc-a', occurredAt: lateEvening }),
      ]);
      expect(rows.locationVisits.get(locationDayKey('loc-a', '2026-11-24'))).toMatchObject({ visits: 1, visitsWithPurchase: 1 });
      expect(rows.locationVisits.has(locationDayKey('loc-a', '2026-11-23'))).toBe(false);
      expect(rows.locationPayments.get(locationPaymentKey('loc-a', '2026-11-23', 'USD'))).toMatchObject({ payments: 1 });
    });
  });

  describe('repeated deliveries within a batch', () => {
    it('applies an event delivered twice in a row once', () => {
      const events = log([enrol(ADA), visit(ADA, 'v1'), pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan' }), redemption('r1', 4)].map((e) => as(ADA, e)));
      const once = projectBatch(emptyRows(), events);
      const twice = projectBatch(
        emptyRows(),
        events.flatMap((e) => [e, e]),
      );
      expect(twice.rows).toEqual(once.rows);
      expect(twice.timeline).toEqual(once.timeline);
    });
  });

  describe('repeated deliveries of events from before a program change', () => {
    // Batch 1 is projected in Sydney time, batch 2 switches the program to New York, then batch 1
    // is delivered again. Every row batch 1 touched already reflects it: nothing may change.
    const lateEvening = '2026-11-23T23:30:00.000Z';
    const batch1 = log([programConfigured('Australia/Sydney', 1), enrol(ADA), pay(ADA, 'p1', 10, { locationId: 'loc-a', occurredAt: lateEvening })], 1);
    const batch2 = log([programConfigured('America/New_York', 2), pay(ADA, 'p2', 20, { locationId: 'loc-a', occurredAt: lateEvening })], 4);

    it('loads, for a redelivered event, the rows of the day it was counted on (the timezone in force at its position)', () => {
      const programs = [
        { programId: 'default', version: 1, currency: 'USD', timezone: 'Australia/Sydney', position: 1n },
        { programId: 'default', version: 2, currency: 'USD', timezone: 'America/New_York', position: 4n },
      ];
      // p1 (position 3) was recorded under Sydney time: its row is Sydney's 24 Nov, whatever came later.
      const keys = locationKeysOf(batch1, programs, new Map());
      expect([...keys.locationPayments]).toEqual([locationPaymentKey('loc-a', '2026-11-24', 'USD')]);
    });

    it('leaves the payment rows as they are', () => {
      const after1 = projectBatch(emptyRows(), batch1);
      const after2 = projectBatch(after1.rows, batch2);
      const tables = after2.rows;
      // What the projector would load for the redelivered batch 1 (see LedgerReadModelStore.load).
      const keys = locationKeysOf(batch1, tables.programs, new Map());
      const loaded: ReadModelRows = {
        ...tables,
        locationPayments: new Map([...tables.locationPayments].filter(([k]) => keys.locationPayments.has(k))),
      };
      const again = projectBatch(loaded, batch1);
      // Whatever is written back must be what the table holds already (Sydney's 24 Nov row: p1, 10 points).
      const written = [...again.changed.locationPayments].map((k) => again.rows.locationPayments.get(k));
      const before = [...again.changed.locationPayments].map((k) => tables.locationPayments.get(k));
      expect(written).toEqual(before);
    });
  });

  describe('purity', () => {
    it('leaves the loaded rows untouched and reports only the keys it changed', () => {
      const first = project([
        programConfigured('UTC'),
        enrol(ADA),
        enrol(BOB),
        visit(ADA, 'v1', { locationId: 'loc-a' }),
        visit(BOB, 'v2', { locationId: 'loc-b' }),
      ]);
      const snapshot = structuredClone(first.rows);
      const second = projectBatch(first.rows, log([pay(ADA, 'p1', 10, { visitId: 'v1', source: 'scan', locationId: 'loc-a' })], 6));
      expect(first.rows).toEqual(snapshot);
      expect(second.changed).toEqual({
        programs: [],
        balances: new Set([ADA]),
        achievements: new Set([ADA]),
        visits: new Set(['v1']),
        customerVisits: new Set([ADA]),
        locationVisits: new Set([locationDayKey('loc-a', '2026-03-01')]),
        locationPayments: new Set([locationPaymentKey('loc-a', '2026-03-01', 'USD')]),
        locationCustomers: new Set(),
        lots: new Set([lotKey(ADA, 'p1')]),
        tiers: new Set(),
      });
    });
  });
});

describe('keysOf and locationKeysOf: the rows a batch must load', () => {
  it('names every customer of the batch and every visit created or named by a payment', () => {
    const keys = keysOf(
      log([
        programConfigured('UTC'),
        enrol(ADA),
        visit(BOB, 'v1'),
        pay(ADA, 'p1', 1, { visitId: 'v0', source: 'scan' }),
        pay(BOB, 'p2', 1),
        redemption('r1', 1),
      ]),
    );
    expect(keys.customers).toEqual(new Set([ADA, BOB, 'cus-0001']));
    expect(keys.visits).toEqual(new Set(['v1', 'v0']));
  });

  it('names the lots the events draw from, activate or void, and the customers with a spend that names none (all their open lots)', () => {
    const spend = (customerId: string, id: string, lots?: { lotId: string; points: number }[]) => {
      const r = as(customerId, redemption(id, 5));
      return r.type === 'PointsAdjusted' && lots !== undefined ? { ...r, data: { ...r.data, lots } } : r;
    };
    const keys = keysOf(
      log([
        spend(ADA, 'r1', [{ lotId: 'p1', points: 5 }]),
        spend(BOB, 'r2'),
        as(ADA, paymentRefunded('rf1', 'p2', { pointsReversed: 9, fromPending: 4, lots: [{ lotId: 'p3', points: 5 }] })),
        as(
          BOB,
          pointsActivated('p4', [
            { lotId: 'p4', points: 1 },
            { lotId: 'cb4', points: 1 },
          ]),
        ),
        pay(ADA, 'p9', 10),
      ]),
    );
    expect(keys.lots).toEqual(new Set([lotKey(ADA, 'p1'), lotKey(ADA, 'p2'), lotKey(ADA, 'p3'), lotKey(BOB, 'p4'), lotKey(BOB, 'cb4')]));
    expect(keys.lotOwners).toEqual(new Set([BOB]));
  });

  it("names a refund's location row by the refund's own day (timezone at its position), at the payment's location", () => {
    const keys = locationKeysOf(
      log([as(ADA, paymentRefunded('rf1', 'p1', { pointsReversed: 0 }, { locationId: 'loc-b', occurredAt: '2026-11-23T23:30:00.000Z', currency: 'EUR' }))], 2),
      [{ programId: 'default', version: 1, currency: 'USD', timezone: 'Australia/Sydney', position: 1n }],
      new Map(),
    );
    expect(keys.locationPayments).toEqual(new Set([locationPaymentKey('loc-b', '2026-11-24', 'EUR')]));
  });

  it('names location rows by the day in the timezone in effect at each event, and a named visit by its own day', () => {
    const loadedVisit = {
      visitId: 'v0',
      customerId: ADA,
      locationId: 'loc-old',
      occurredAt: '2026-11-01T10:00:00.000Z',
      day: '2026-11-01',
      kind: 'browse',
      source: 'scan',
      withPurchase: false,
      position: 1n,
    };
    const keys = locationKeysOf(
      log(
        [
          visit(ADA, 'v1', { locationId: 'loc-a', occurredAt: '2026-11-23T23:30:00.000Z' }),
          programConfigured('America/New_York', 2),
          visit(ADA, 'v2', { locationId: 'loc-a', occurredAt: '2026-11-23T23:30:00.000Z' }),
          pay(ADA, 'p1', 1, { visitId: 'v0', source: 'scan', locationId: 'loc-b', occurredAt: '2026-11-23T23:30:00.000Z', currency: 'EUR' }),
        ],
        2,
      ),
      [{ programId: 'default', version: 1, currency: 'USD', timezone: 'Australia/Sydney', position: 1n }],
      new Map([['v0', loadedVisit]]),
    );
    expect(keys.locationVisits).toEqual(
      new Set([locationDayKey('loc-a', '2026-11-24'), locationDayKey('loc-a', '2026-11-23'), locationDayKey('loc-old', '2026-11-01')]),
    );
    expect(keys.locationCustomers).toEqual(new Set([locationCustomerKey('loc-a', '2026-11-24', ADA), locationCustomerKey('loc-a', '2026-11-23', ADA)]));
    expect(keys.locationPayments).toEqual(new Set([locationPaymentKey('loc-b', '2026-11-23', 'EUR')]));
  });
});
