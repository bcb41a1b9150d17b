import { DeciderSpecification } from '../testing/decider-specification';
import { CUSTOMER_ID, customerEnrolled, NOW, visitCreated } from '../testing/customer-fixtures';
import { customerDecider } from './customer.decider';
import type { RecordVisit, VisitKind } from './record-visit';

const given = DeciderSpecification.for(customerDecider);

const recordVisit = (overrides: Partial<RecordVisit> = {}): RecordVisit => ({
  type: 'RecordVisit',
  customerId: CUSTOMER_ID,
  visitId: 'vis-0001',
  locationId: 'loc-dublin',
  occurredAt: '2026-03-10T11:45:00.000Z',
  kind: 'browse',
  source: 'manual',
  now: NOW,
  ...overrides,
});

describe('Recording a visit', () => {
  it('records a visit of an enrolled customer with its business time, not the server time', () => {
    given([customerEnrolled()])
      .when(recordVisit({ notes: 'asked about the winter range' }))
      .then([
        {
          type: 'VisitCreated',
          data: {
            visitId: 'vis-0001',
            customerId: CUSTOMER_ID,
            locationId: 'loc-dublin',
            occurredAt: '2026-03-10T11:45:00.000Z',
            kind: 'browse',
            source: 'manual',
            notes: 'asked about the winter range',
          },
        },
      ]);
  });

  it('records no notes key when there are no notes', () => {
    const state = customerDecider.evolve(customerDecider.initialState(), customerEnrolled());
    const result = customerDecider.decide(recordVisit(), state);
    if (result._tag === 'Left') throw new Error('expected a visit');
    expect(result.right[0]!.data).not.toHaveProperty('notes');
  });

  it.each<VisitKind>(['browse', 'service', 'event', 'pickup', 'purchase'])('accepts a visit of kind %s', (kind) => {
    given([customerEnrolled()])
      .when(recordVisit({ kind, source: 'scan' }))
      .then([{ type: 'VisitCreated', data: expect.objectContaining({ kind, source: 'scan' }) }]);
  });

  it('refuses a visit for a customer who is not enrolled', () => {
    given([])
      .when(recordVisit({ customerId: 'cus-unknown' }))
      .thenFails('CustomerNotFound', { customerId: 'cus-unknown' });
  });

  it('refuses a visit more than 5 minutes in the future of the server clock', () => {
    given([customerEnrolled()])
      .when(recordVisit({ occurredAt: '2026-03-10T12:05:00.001Z' }))
      .thenFails('OccurredInFuture', { occurredAt: '2026-03-10T12:05:00.001Z', latestAllowed: '2026-03-10T12:05:00.000Z' });
  });

  it('refuses a visit an hour in the future', () => {
    given([customerEnrolled()])
      .when(recordVisit({ occurredAt: '2026-03-10T13:00:00.000Z' }))
      .thenFails('OccurredInFuture');
  });

  it('accepts a visit exactly 5 minutes ahead of the server clock (till clock skew)', () => {
    given([customerEnrolled()])
      .when(recordVisit({ occurredAt: '2026-03-10T12:05:00.000Z' }))
      .then([{ type: 'VisitCreated', data: expect.objectContaining({ occurredAt: '2026-03-10T12:05:00.000Z' }) }]);
  });

  it('accepts a visit backdated by back-office staff, even by a year', () => {
    given([customerEnrolled()])
      .when(recordVisit({ occurredAt: '2025-03-10T09:00:00.000Z' }))
      .then([{ type: 'VisitCreated', data: expect.objectContaining({ occurredAt: '2025-03-10T09:00:00.000Z' }) }]);
  });

  it('counts the visit and remembers its id, without touching the balance', () => {
    given([customerEnrolled(), visitCreated('vis-0000')])
      .when(recordVisit())
      .thenState((state) => {
        if (state.status !== 'Enrolled') throw new Error('expected an enrolled customer');
        expect(state.visitCount).toBe(2);
        expect(state.visits.has('vis-0000')).toBe(true);
        expect(state.visits.has('vis-0001')).toBe(true);
        expect(state.balance).toEqual({ available: 0, pending: 0 });
      });
  });
});
