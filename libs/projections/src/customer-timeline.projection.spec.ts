import { CUSTOMER_ID, customerEnrolled, manualAdjustment, paymentRecorded, redemption, visitCreated } from '#ledger-domain/testing/customer-fixtures';
import { timelineEntry } from './customer-timeline.projection';
import type { Projected } from './projected-event';

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
    expect(timelineEntry(at(1, customerEnrolled(), meta), 0)).toEqual({
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
      reason: null,
      reference: null,
      actor: 'till:42',
      subjectId: CUSTOMER_ID,
    });
  });

  it('records a visit with its kind and location, its notes as the reason, and no points', () => {
    const entry = timelineEntry(at(2, visitCreated('v1', { kind: 'service', notes: 'fitting', locationId: 'loc-cork' }), meta), 12);
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
    const entry = timelineEntry(at(2, visitCreated('v1', { kind: 'purchase', paymentId: 'p1' }), meta), 0);
    expect(entry).toMatchObject({ kind: 'purchase', reference: 'p1', reason: null, subjectId: 'v1' });
  });

  it('records a payment with amount in minor units, currency, points, source as kind and receipt as reference', () => {
    const entry = timelineEntry(
      at(3, paymentRecorded('p1', 49, { amountMinor: 4999, source: 'scan', locationId: 'loc-cork', purchaseIdentifier: 'R-77' }), meta),
      61,
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
    const entry = timelineEntry(at(4, manualAdjustment('a1', -20, 'clawback'), meta), 41);
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
    const entry = timelineEntry(at(5, { ...spent, data: { ...spent.data, reference: 'voucher-9' } }, meta), 11);
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

  it('keeps a missing actor and recorded time as the projected event carries them', () => {
    const entry = timelineEntry(at(2, visitCreated('v1'), { actor: null, recordedAt: '' }), 0);
    expect(entry).toMatchObject({ actor: null, recordedAt: '' });
  });
});
