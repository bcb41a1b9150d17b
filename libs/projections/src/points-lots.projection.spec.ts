import type { CustomerEvent } from '#ledger-domain/customer/customer';
import {
  CUSTOMER_ID,
  customerEnrolled,
  manualAdjustment,
  paymentRecorded,
  redemption,
  ruleIssued,
  visitCreated,
} from '#ledger-domain/testing/customer-fixtures';
import { emptyRows, projectBatch, type ReadModelRows } from './project-batch';
import { lotKey, type PointsLot } from './points-lots.projection';
import type { LedgerEvent, Projected } from './projected-event';
import { cashbackReversed, paymentRefunded, pointsActivated, pointsExpired, pointsVoided } from './testing/lifecycle-events';

const log = (events: readonly LedgerEvent[], first = 1): Projected<LedgerEvent>[] =>
  events.map((event, i) => ({
    event,
    eventId: `evt-${first + i}`,
    streamName: `loyaltyAccount-${CUSTOMER_ID}`,
    revision: BigInt(first + i - 1),
    position: BigInt(first + i),
    recordedAt: '2026-03-10T12:00:00.000Z',
    actor: 'staff:alice',
  }));

const project = (events: readonly CustomerEvent[], loaded: ReadModelRows = emptyRows(), first = 1) => projectBatch(loaded, log(events, first));
/** The lot rows after the events, as (lot, remaining, activatesAt, position) by lot id. */
const lots = (events: readonly CustomerEvent[]) => summary(project(events).rows.lots);
const summary = (rows: ReadonlyMap<string, PointsLot>) =>
  Object.fromEntries([...rows.values()].map((l) => [l.lotId, { points: l.points, remaining: l.remaining, activatesAt: l.activatesAt, position: l.position }]));

const ACTIVATES = '2026-03-08T00:00:00.000Z';
const pendingPayment = (id: string, points: number, occurredAt = '2026-03-01T10:05:00.000Z') =>
  paymentRecorded(id, points, { activatesAt: ACTIVATES, occurredAt });
const spend = (id: string, points: number, draws?: { lotId: string; points: number }[]): CustomerEvent => {
  const r = redemption(id, points);
  return draws === undefined ? r : { ...r, data: { ...r.data, lots: draws } };
};

describe('points_lots projection: one row per earning, with what is left of it', () => {
  it("opens a lot per earning, named by the earning's id, with its source, payment and business time", () => {
    const { rows } = project([
      customerEnrolled(),
      visitCreated('v1'),
      paymentRecorded('p1', 40, { occurredAt: '2026-03-01T10:05:00.000Z' }),
      ruleIssued('cashback', 'cb1', 2, { reference: 'p1' }),
      ruleIssued('reward', 'rw1', 50, { reference: 'v1' }),
      manualAdjustment('a1', 5),
      paymentRecorded('p0', 0),
    ]);
    expect([...rows.lots.values()]).toEqual([
      {
        customerId: CUSTOMER_ID,
        lotId: 'p1',
        source: 'payment',
        paymentId: 'p1',
        earnedAt: '2026-03-01T10:05:00.000Z',
        activatesAt: null,
        points: 40,
        remaining: 40,
        position: 3n,
        expiresAt: null,
        lastValidDay: null,
        expired: 0,
      },
      expect.objectContaining({ lotId: 'cb1', source: 'cashback', paymentId: 'p1', points: 2, remaining: 2, position: 4n }),
      expect.objectContaining({ lotId: 'rw1', source: 'reward', paymentId: null, points: 50, remaining: 50 }),
      expect.objectContaining({ lotId: 'a1', source: 'adjustment', paymentId: null, points: 5, remaining: 5, position: 6n }),
    ]);
    // A payment that earned nothing has no lot.
    expect(rows.lots.has(lotKey(CUSTOMER_ID, 'p0'))).toBe(false);
  });

  it('takes the draws a spend recorded from the lots it names, keeping a lot used up at 0', () => {
    expect(
      lots([
        customerEnrolled(),
        paymentRecorded('p1', 40),
        manualAdjustment('a1', 5),
        spend('r1', 42, [
          { lotId: 'p1', points: 40 },
          { lotId: 'a1', points: 2 },
        ]),
      ]),
    ).toEqual({
      p1: { points: 40, remaining: 0, activatesAt: null, position: 4n },
      a1: { points: 5, remaining: 3, activatesAt: null, position: 4n },
    });
  });

  it('draws a spend recorded without its draws (from before lots existed) from the available lots in spending order', () => {
    const later = paymentRecorded('p2', 10, { occurredAt: '2026-03-02T00:00:00.000Z' });
    const earlier = paymentRecorded('p1', 10, { occurredAt: '2026-03-01T00:00:00.000Z' });
    const tie = paymentRecorded('p0', 10, { occurredAt: '2026-03-02T00:00:00.000Z' });
    const pendingFirst = pendingPayment('p9', 10, '2026-02-01T00:00:00.000Z');
    expect(lots([customerEnrolled(), later, earlier, tie, pendingFirst, spend('r1', 25)])).toEqual({
      p2: { points: 10, remaining: 5, activatesAt: null, position: 6n },
      p1: { points: 10, remaining: 0, activatesAt: null, position: 6n },
      p0: { points: 10, remaining: 0, activatesAt: null, position: 6n },
      p9: { points: 10, remaining: 10, activatesAt: ACTIVATES, position: 5n },
    });
  });

  it('pays what is owed first from an earning that is available at once: the lot keeps the rest', () => {
    expect(lots([customerEnrolled(), manualAdjustment('a1', -15, 'clawback'), paymentRecorded('p1', 10), paymentRecorded('p2', 20)])).toEqual({
      p1: { points: 10, remaining: 0, activatesAt: null, position: 3n },
      p2: { points: 20, remaining: 15, activatesAt: null, position: 4n },
    });
  });

  it('keeps a pending lot whole while owed, and at activation pays the debt first, lot by lot in the recorded order', () => {
    const events = [
      customerEnrolled(),
      pendingPayment('p1', 10),
      ruleIssued('cashback', 'cb1', 4, { reference: 'p1', activatesAt: ACTIVATES }),
      manualAdjustment('a1', -12, 'clawback'),
    ];
    expect(lots(events)).toMatchObject({ p1: { remaining: 10, activatesAt: ACTIVATES }, cb1: { remaining: 4, activatesAt: ACTIVATES } });
    expect(
      lots([
        ...events,
        pointsActivated('p1', [
          { lotId: 'p1', points: 10 },
          { lotId: 'cb1', points: 4 },
        ]),
      ]),
    ).toEqual({
      p1: { points: 10, remaining: 0, activatesAt: null, position: 5n },
      cb1: { points: 4, remaining: 2, activatesAt: null, position: 5n },
    });
  });

  it("takes a refund's pending points from the payment's own lot and the rest from the lots it drew; voids cancel what is left", () => {
    const events = [
      customerEnrolled(),
      paymentRecorded('p0', 30),
      pendingPayment('p1', 10),
      ruleIssued('cashback', 'cb1', 4, { reference: 'p1', activatesAt: ACTIVATES }),
      paymentRefunded('rf1', 'p1', { pointsReversed: 6, fromPending: 6 }, { amountMinor: 6000 }),
      cashbackReversed('rf1', 'cb1', 'p1', { pointsReversed: 2, fromPending: 2 }),
      paymentRefunded('rf2', 'p0', { pointsReversed: 12, lots: [{ lotId: 'p0', points: 12 }] }, { amountMinor: 1200 }),
      pointsVoided('p1', [
        { lotId: 'p1', points: 4 },
        { lotId: 'cb1', points: 2 },
      ]),
    ];
    expect(lots(events)).toEqual({
      p0: { points: 30, remaining: 18, activatesAt: null, position: 7n },
      p1: { points: 10, remaining: 0, activatesAt: ACTIVATES, position: 8n },
      cb1: { points: 4, remaining: 0, activatesAt: ACTIVATES, position: 8n },
    });
  });

  it('applies each event once: a redelivered earning never reopens its lot, even one used up in an earlier batch', () => {
    const first = project([customerEnrolled(), paymentRecorded('p1', 10), spend('r1', 10, [{ lotId: 'p1', points: 10 }])]);
    // The projector loads only open lots and the ones an event names: here, neither.
    const loaded: ReadModelRows = { ...first.rows, lots: new Map() };
    const again = projectBatch(loaded, log([paymentRecorded('p1', 10)], 2));
    expect(again.changed.lots).toEqual(new Set());
    expect(again.changed.balances).toEqual(new Set());
  });

  it('ignores draws naming a lot that is used up or unknown, as the domain does', () => {
    expect(
      lots([
        customerEnrolled(),
        paymentRecorded('p1', 5),
        spend('r1', 5, [{ lotId: 'p1', points: 5 }]),
        spend('r2', 3, [
          { lotId: 'p1', points: 3 },
          { lotId: 'zz', points: 1 },
        ]),
      ]),
    ).toEqual({
      p1: { points: 5, remaining: 0, activatesAt: null, position: 3n },
    });
  });
});

describe('points_lots and points_movements with lot expiry', () => {
  const NEW_YORK = { programs: [{ programId: 'default', version: 1, currency: 'USD', timezone: 'America/New_York', position: 0n }] };
  const inNewYork = (events: readonly CustomerEvent[]) => project(events, { ...emptyRows(), ...NEW_YORK });
  // 1 May 2026 00:00 in New York (EDT, UTC-4): the points are valid through 30 April there (1 May in UTC).
  const MAY_FIRST = '2026-05-01T04:00:00.000Z';
  const JUNE_FIRST = '2026-06-01T04:00:00.000Z';

  it("keeps the lot's expiresAt, its last valid day in the program timezone, and takes what remained when it expires", () => {
    const { rows, movements } = inNewYork([
      customerEnrolled(),
      paymentRecorded('p1', 40, { occurredAt: '2026-03-01T10:05:00.000Z', expiresAt: MAY_FIRST }),
      spend('r1', 15, [{ lotId: 'p1', points: 15 }]),
      pointsExpired('p1', 25, { occurredAt: MAY_FIRST }),
    ]);
    expect(rows.lots.get(lotKey(CUSTOMER_ID, 'p1'))).toMatchObject({
      points: 40,
      remaining: 0,
      expired: 25,
      expiresAt: MAY_FIRST,
      lastValidDay: '2026-04-30',
      position: 4n,
    });
    expect(movements.map((m) => [m.position, m.seq, m.lotId, m.kind, m.pending, m.points, m.day, m.lastValidDay])).toEqual([
      [2n, 0, 'p1', 'earned', false, 40, '2026-03-01', '2026-04-30'],
      [3n, 0, 'p1', 'spent', false, -15, '2026-03-03', '2026-04-30'],
      // On the day the lot expired (its expiresAt), in New York.
      [4n, 0, 'p1', 'expired', false, -25, '2026-05-01', '2026-04-30'],
    ]);
  });

  it("draws a spend recorded without its draws in the domain's spending order: the earliest expiry first, lots that never expire last", () => {
    const events = [
      customerEnrolled(),
      paymentRecorded('never', 10, { occurredAt: '2026-02-01T00:00:00.000Z' }),
      paymentRecorded('june', 10, { occurredAt: '2026-03-01T00:00:00.000Z', expiresAt: JUNE_FIRST }),
      paymentRecorded('may', 10, { occurredAt: '2026-03-05T00:00:00.000Z', expiresAt: MAY_FIRST }),
      spend('r1', 25),
    ];
    expect(lots(events)).toMatchObject({ may: { remaining: 0 }, june: { remaining: 0 }, never: { remaining: 5 } });
    expect(
      project(events)
        .movements.filter((m) => m.position === 5n)
        .map((m) => [m.seq, m.lotId, m.points]),
    ).toEqual([
      [0, 'may', -10],
      [1, 'june', -10],
      [2, 'never', -5],
    ]);
  });

  it('records every change of a lot as a movement of its pending or available part, summing to what remains', () => {
    const { rows, movements } = project([
      customerEnrolled(),
      manualAdjustment('a0', -6, 'clawback'),
      paymentRecorded('p0', 10, { expiresAt: MAY_FIRST }),
      pendingPayment('p1', 20),
      ruleIssued('cashback', 'cb1', 4, { reference: 'p1', activatesAt: ACTIVATES }),
      paymentRefunded('rf1', 'p1', { pointsReversed: 5, fromPending: 5 }, { amountMinor: 2500 }),
      manualAdjustment('a1', -9, 'clawback'),
      pointsActivated('p1', [
        { lotId: 'p1', points: 15 },
        { lotId: 'cb1', points: 4 },
      ]),
      manualAdjustment('a2', 8),
    ]);
    const rowsOf = (position: bigint) => movements.filter((m) => m.position === position).map((m) => [m.seq, m.lotId, m.source, m.kind, m.pending, m.points]);
    expect(rowsOf(2n)).toEqual([]); // the clawback drew from no lot: all of it owed
    expect(rowsOf(3n)).toEqual([
      [0, 'p0', 'payment', 'earned', false, 10],
      [1, 'p0', 'payment', 'repaid', false, -6],
    ]);
    expect(rowsOf(4n)).toEqual([[0, 'p1', 'payment', 'earned', true, 20]]);
    expect(rowsOf(5n)).toEqual([[0, 'cb1', 'cashback', 'earned', true, 4]]);
    expect(rowsOf(6n)).toEqual([[0, 'p1', 'payment', 'reversed', true, -5]]);
    expect(rowsOf(7n)).toEqual([[0, 'p0', 'payment', 'debited', false, -4]]); // 5 more owed
    expect(rowsOf(8n)).toEqual([
      [0, 'p1', 'payment', 'activated', true, -15],
      [1, 'p1', 'payment', 'activated', false, 15],
      [2, 'p1', 'payment', 'repaid', false, -5],
      [3, 'cb1', 'cashback', 'activated', true, -4],
      [4, 'cb1', 'cashback', 'activated', false, 4],
    ]);
    expect(rowsOf(9n)).toEqual([[0, 'a2', 'adjustment', 'credited', false, 8]]);
    for (const lot of rows.lots.values()) {
      expect(movements.filter((m) => m.lotId === lot.lotId).reduce((n, m) => n + m.points, 0)).toBe(lot.remaining);
    }
    expect(movements.every((m) => m.recordedAt === '2026-03-10T12:00:00.000Z' && m.expiresAt === (m.lotId === 'p0' ? MAY_FIRST : null))).toBe(true);
  });

  it('writes no movement for an event delivered again', () => {
    const first = project([customerEnrolled(), paymentRecorded('p1', 10)]);
    expect(projectBatch(first.rows, log([paymentRecorded('p1', 10)], 2)).movements).toEqual([]);
  });
});
