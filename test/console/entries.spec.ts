import { describeHistory, describeTimeline } from '../../apps/ledger-console/src/lib/entries';
import { makeFormat } from '../../apps/ledger-console/src/lib/format';
import type { HistoryEntry, TimelineEntry } from '../../apps/ledger-console/src/lib/types';

/**
 * One fact reaches the console two ways: as a row of the customer_timeline projection (Timeline
 * Activity) and as an event of the replayed history (the auditor's As of view). Both must read the
 * same to staff; the fields each carries are as the API answers them (README, "The API").
 */
const format = makeFormat({ currency: 'AUD', timezone: 'Australia/Sydney' }, 'en-AU');
const at = '2026-12-01T09:00:00.000Z';
const timeline = (fields: Partial<TimelineEntry> & Pick<TimelineEntry, 'type'>): TimelineEntry => ({
  eventId: 'e-1',
  kind: null,
  occurredAt: at,
  recordedAt: at,
  locationId: null,
  amountMinor: null,
  currency: null,
  pointsDelta: 0,
  balanceAfter: 0,
  reason: null,
  reference: null,
  actor: 'lifecycle',
  subjectId: 's-1',
  position: '9',
  ...fields,
});
const history = (fields: Partial<HistoryEntry> & Pick<HistoryEntry, 'type'>): HistoryEntry => ({
  occurredAt: at,
  recordedAt: at,
  pointsDelta: 0,
  pendingDelta: 0,
  balanceAfter: 0,
  pendingAfter: 0,
  owedAfter: 0,
  eventId: 'e-1',
  position: '9',
  actor: 'lifecycle',
  ...fields,
});

describe("the console's words for lifecycle entries", () => {
  it('an expiry of pending points reads the same in the timeline and in the history', () => {
    const fromTimeline = describeTimeline(timeline({ type: 'PointsExpired', kind: 'pending', subjectId: 'pay-1' }), format);
    const fromHistory = describeHistory(history({ type: 'PointsExpired', lotId: 'pay-1', pending: true, points: 30 }), format);
    expect(fromTimeline).toEqual({ label: 'Points expired', color: 'gray', details: ['still pending when they expired'] });
    expect(fromHistory).toEqual(fromTimeline);
  });

  it('an expiry of available points has no pending note', () => {
    expect(describeHistory(history({ type: 'PointsExpired', lotId: 'pay-1', pending: false, points: 30 }), format).details).toEqual([]);
  });

  it('a tier change names the tier now held and why, both ways', () => {
    const fromTimeline = describeTimeline(timeline({ type: 'TierChanged', kind: 'qualified', reference: 'gold' }), format);
    const fromHistory = describeHistory(history({ type: 'TierChanged', from: null, to: 'gold', reason: 'qualified', qualifyingPoints: 1000 }), format);
    expect(fromTimeline).toEqual({ label: 'Tier changed', color: 'yellow', details: ['now gold', 'qualifying points reached the threshold'] });
    expect(fromHistory).toEqual(fromTimeline);
  });

  it('a downgrade below every tier says so', () => {
    const fromHistory = describeHistory(history({ type: 'TierChanged', from: 'silver', to: null, reason: 'window', qualifyingPoints: 10 }), format);
    expect(fromHistory.details).toEqual(['no tier now', 'the qualifying window dropped below the threshold']);
    expect(describeTimeline(timeline({ type: 'TierChanged', kind: 'window', reference: null }), format)).toEqual(fromHistory);
  });
});
