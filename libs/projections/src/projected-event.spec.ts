import type { RecordedEvent } from '#event-store/event-store.port';
import { toProjected } from './projected-event';

const stored = (streamName: string, type: string, data: Record<string, unknown>, metadata: Record<string, unknown> = {}): RecordedEvent =>
  ({ id: 'evt-1', streamName, type, data, metadata, revision: 3n, position: 42n }) as RecordedEvent;

describe('toProjected: what projections see of a stored event', () => {
  it('decodes a customer event with its place in the log and the metadata reporting needs', () => {
    const projected = toProjected(
      stored(
        'loyaltyAccount-cus-1',
        'VisitCreated',
        { visitId: 'v1', customerId: 'cus-1', locationId: 'l1', occurredAt: '2026-11-23T10:00:00.000Z', kind: 'browse', source: 'scan' },
        { recordedAt: '2026-11-23T10:00:01.000Z', actor: 'till:1', commandId: 'c-1' },
      ),
    );
    expect(projected).toEqual({
      event: {
        type: 'VisitCreated',
        data: { visitId: 'v1', customerId: 'cus-1', locationId: 'l1', occurredAt: '2026-11-23T10:00:00.000Z', kind: 'browse', source: 'scan' },
      },
      eventId: 'evt-1',
      streamName: 'loyaltyAccount-cus-1',
      revision: 3n,
      position: 42n,
      recordedAt: '2026-11-23T10:00:01.000Z',
      actor: 'till:1',
    });
  });

  it('decodes a program configuration', () => {
    const data = {
      programId: 'default',
      version: 2,
      effectiveFrom: '2026-11-01T00:00:00.000Z',
      currency: 'USD',
      pointsPerUnit: '1.5',
      timezone: 'Australia/Sydney',
      negativeBalance: 'deny',
    };
    expect(toProjected(stored('loyaltyProgram-default', 'ProgramConfigured', data))?.event).toEqual({ type: 'ProgramConfigured', data });
  });

  it('skips events of other categories (reservations)', () => {
    expect(toProjected(stored('loyaltyReservation-email_abc', 'UniqueValueReserved', { scope: 'email' }))).toBeUndefined();
    expect(toProjected(stored('nocategory', 'Whatever', {}))).toBeUndefined();
  });

  it('refuses, by throwing, a ledger event that does not decode: never silently skips points', () => {
    expect(() => toProjected(stored('loyaltyAccount-cus-1', 'PaymentRecorded', { paymentId: 'p1' }))).toThrow(/does not decode/);
    expect(() => toProjected(stored('loyaltyAccount-cus-1', 'SomethingNew', {}))).toThrow(/does not decode/);
  });

  it('reads a missing recorded time as empty and a missing actor as null', () => {
    const projected = toProjected(
      stored('loyaltyAccount-cus-1', 'CustomerEnrolled', { customerId: 'cus-1', enrolledAt: '2026-11-01T00:00:00.000Z', email: 'a@b.co' }),
    );
    expect(projected).toMatchObject({ recordedAt: '', actor: null });
  });
});
