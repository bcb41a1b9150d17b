import { CUSTOMER_ID, customerEnrolled, manualAdjustment, paymentRecorded, redemption, visitCreated } from '#ledger-domain/testing/customer-fixtures';
import { timelineEntry } from './customer-timeline.projection';
import type { Projected } from './projected-event';
import { cashbackReversed, paymentRefunded, pointsActivated, pointsVoided } from './testing/lifecycle-events';

/** The balances after an entry: available only, unless said. */
const after = (available: number, rest: { pending?: number; owed?: number } = {}) => ({ available, pending: rest.pending ?? 0, owed: rest.owed ?? 0 });

const at = <Ev>(position: number, event: Ev, meta: Partial<Omit<Projected<Ev>, 'event' | 'position'>> = {}): Projected<Ev> => ({
  event,
  eventId: `evt-${position}`,
  streamName: `loyaltyAccount-${CUSTOMER_ID}`,
  revision: BigInt(position - 1),
  position: BigInt(position),
  recordedAt: '2026-03-10T12:00:00.000Z',
  actor: 'staff:alice',
  ...meta,
});

describe('customer_timeline projection (timelineEntry)', () => {
  const meta = { eventId: 'e-1', recordedAt: '2026-03-10T12:00:01.000Z', actor: 'till:42' };

  it('records an enrolment at its enrolment time, with no money and no points', () => {
    expect(timelineEntry(at(1, customerEnrolled(), meta), after(0))).toEqual({
      eventId: 'e-1',
      customerId: CUSTOMER_ID,
      position: 1n,
      type: 'CustomerEnrolled',
      kind: null,
      occurredAt: '2026-01-05T09:00:00.000Z',
      recordedAt: '2026-03-10T12:00:01.000Z',
      locationId: null,
      amountMinor: null,
      currency: null,
      pointsDelta: 0,
      balanceAfter: 0,
      pendingDelta: 0,
      pendingAfter: 0,
      owedAfter: 0,
      reason: null,
      reference: null,
      actor: 'till:42',
      subjectId: CUSTOMER_ID,
    });
  });

  it('records a visit with its kind and location, its notes as the reason, and no points', () => {
    const entry = timelineEntry(at(2, visitCreated('v1', { kind: 'service', notes: 'fitting', locationId: 'loc-cork' }), meta), after(12));
    expect(entry).toEqual(
      expect.objectContaining({
        type: 'VisitCreated',
        kind: 'service',
        locationId: 'loc-cork',
        occurredAt: '2026-03-01T10:00:00.000Z',
        reason: 'fitting',
        reference: null,
        pointsDelta: 0,
        balanceAfter: 12,
        subjectId: 'v1',
        amountMinor: null,
        currency: null,
      }),
    );
  });

  it('records a visit created by a store payment with the payment as its reference', () => {
    const entry = timelineEntry(at(2, visitCreated('v1', { kind: 'purchase', paymentId: 'p1' }), meta), after(0));
    expect(entry).toMatchObject({ kind: 'purchase', reference: 'p1', reason: null, subjectId: 'v1' });
  });

  it('records a payment with amount in minor units, currency, points, source as kind and receipt as reference', () => {
    const entry = timelineEntry(
      at(3, paymentRecorded('p1', 49, { amountMinor: 4999, source: 'scan', locationId: 'loc-cork', purchaseIdentifier: 'R-77' }), meta),
      after(61),
    );
    expect(entry).toEqual(
      expect.objectContaining({
        type: 'PaymentRecorded',
        kind: 'scan',
        locationId: 'loc-cork',
        amountMinor: 4999,
        currency: 'USD',
        pointsDelta: 49,
        balanceAfter: 61,
        reference: 'R-77',
        reason: null,
        subjectId: 'p1',
        occurredAt: '2026-03-01T10:05:00.000Z',
      }),
    );
  });

  it('records a manual adjustment with its signed points and reason', () => {
    const entry = timelineEntry(at(4, manualAdjustment('a1', -20, 'clawback'), meta), after(41));
    expect(entry).toEqual(
      expect.objectContaining({
        type: 'PointsAdjusted',
        kind: 'manual',
        pointsDelta: -20,
        balanceAfter: 41,
        reason: 'clawback',
        reference: null,
        subjectId: 'a1',
        locationId: null,
        amountMinor: null,
        currency: null,
        occurredAt: '2026-03-02T08:00:00.000Z',
      }),
    );
  });

  it('records a redemption as a negative delta with its reference', () => {
    const spent = redemption('r1', 30);
    const entry = timelineEntry(at(5, { ...spent, data: { ...spent.data, reference: 'voucher-9' } }, meta), after(11));
    expect(entry).toMatchObject({
      type: 'PointsAdjusted',
      kind: 'redemption',
      pointsDelta: -30,
      balanceAfter: 11,
      reason: null,
      reference: 'voucher-9',
      subjectId: 'r1',
    });
  });

  it('records a payment in its return window with its points as a pending delta, none on the available balance', () => {
    const entry = timelineEntry(at(3, paymentRecorded('p1', 49, { activatesAt: '2026-03-08T00:00:00.000Z' }), meta), after(12, { pending: 49 }));
    expect(entry).toMatchObject({ pointsDelta: 0, balanceAfter: 12, pendingDelta: 49, pendingAfter: 49, owedAfter: 0 });
  });

  it('records a partial refund with its amount, location, credit note and the points it took back', () => {
    const refund = paymentRefunded(
      'rf1',
      'p1',
      { pointsReversed: 30, fromPending: 10, lots: [{ lotId: 'p2', points: 15 }], owed: 5 },
      { amountMinor: 3000, locationId: 'loc-cork', refundIdentifier: 'CN-7', reason: 'damaged', occurredAt: '2026-03-06T09:00:00.000Z' },
    );
    expect(timelineEntry(at(6, refund, meta), after(0, { owed: 5, pending: 30 }))).toMatchObject({
      type: 'PaymentRefunded',
      kind: 'partial',
      occurredAt: '2026-03-06T09:00:00.000Z',
      locationId: 'loc-cork',
      amountMinor: 3000,
      currency: 'USD',
      pointsDelta: -20,
      pendingDelta: -10,
      balanceAfter: 0,
      pendingAfter: 30,
      owedAfter: 5,
      reason: 'damaged',
      reference: 'CN-7',
      subjectId: 'rf1',
    });
  });

  it('records the refund that completes the payment as full; points written off leave no balance', () => {
    const refund = paymentRefunded(
      'rf2',
      'p1',
      { pointsReversed: 70, lots: [{ lotId: 'p1', points: 20 }], writtenOff: 50 },
      { amountMinor: 7000, refundedBeforeMinor: 3000 },
    );
    expect(timelineEntry(at(7, refund, meta), after(0))).toMatchObject({ kind: 'full', pointsDelta: -20, pendingDelta: 0, amountMinor: 7000 });
  });

  it('records a cashback reversal with the cashback as its reference', () => {
    const reversal = cashbackReversed('rf1', 'cb1', 'p1', { pointsReversed: 3, lots: [{ lotId: 'cb1', points: 3 }] });
    expect(timelineEntry(at(8, reversal, meta), after(9))).toMatchObject({
      type: 'CashbackReversed',
      kind: null,
      pointsDelta: -3,
      balanceAfter: 9,
      reference: 'cb1',
      subjectId: 'rf1:cb1',
      locationId: null,
      amountMinor: null,
    });
  });

  it('records an activation, due or early, as points moving from pending to available', () => {
    const due = pointsActivated('p1', [{ lotId: 'p1', points: 40 }]);
    expect(timelineEntry(at(9, due, meta), after(40))).toMatchObject({ kind: 'due', pointsDelta: 40, pendingDelta: -40, reason: null, subjectId: 'p1' });
    const early = pointsActivated('p1', [{ lotId: 'p1', points: 40 }], { early: true, reason: 'manager approval' });
    expect(timelineEntry(at(9, early, meta), after(40))).toMatchObject({ kind: 'early', reason: 'manager approval' });
  });

  it('records a void with its reason as pending points cancelled', () => {
    const voided = pointsVoided('p1', [{ lotId: 'p1', points: 40 }]);
    expect(timelineEntry(at(10, voided, meta), after(0))).toMatchObject({
      type: 'PointsVoided',
      kind: null,
      pointsDelta: 0,
      pendingDelta: -40,
      reason: 'suspected fraud',
      subjectId: 'p1',
    });
  });

  it('records no points moved as 0, never as -0', () => {
    const nothing = paymentRefunded('rf3', 'p1', { pointsReversed: 0 });
    const entry = timelineEntry(at(11, nothing, meta), after(5));
    expect(Object.is(entry.pointsDelta, 0)).toBe(true);
    expect(Object.is(entry.pendingDelta, 0)).toBe(true);
  });

  it('keeps a missing actor and recorded time as the projected event carries them', () => {
    const entry = timelineEntry(at(2, visitCreated('v1'), { actor: null, recordedAt: '' }), after(0));
    expect(entry).toMatchObject({ actor: null, recordedAt: '' });
  });
});
