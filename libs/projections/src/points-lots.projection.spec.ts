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
import { cashbackReversed, paymentRefunded, pointsActivated, pointsVoided } from './testing/lifecycle-events';

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
