import { randomUUID } from 'node:crypto';
import { Projector } from '#read-models/projector';
import { customerBalance, visitReport } from '#read-models/queries';
import { openReadModelFixture, type Dialect, type ReadModelFixture } from './read-model-fixture';

describe.each<Dialect>(['sqlite', 'postgres'])('projector on %s', (dialect) => {
  let fx: ReadModelFixture;
  beforeEach(async () => {
    fx = await openReadModelFixture(dialect);
  });
  afterEach(async () => {
    await fx.close();
  });

  it('projects an enrolment, a visit and a payment into balances and the visit report', async () => {
    const customerId = randomUUID();
    const meta = { recordedAt: '2026-11-23T12:00:00.000Z', actor: 'test', commandId: randomUUID() };
    await fx.store.appendToStream('loyaltyProgram-default', 'no_stream', [
      {
        id: randomUUID(),
        type: 'ProgramConfigured',
        data: {
          programId: 'default',
          version: 1,
          effectiveFrom: '2026-01-01T00:00:00.000Z',
          currency: 'USD',
          pointsPerUnit: '1',
          timezone: 'UTC',
          negativeBalance: 'deny',
        },
        metadata: meta,
      },
    ]);
    await fx.store.appendToStream(`loyaltyAccount-${customerId}`, 'no_stream', [
      { id: randomUUID(), type: 'CustomerEnrolled', data: { customerId, enrolledAt: '2026-11-01T00:00:00.000Z', email: 'a@b.co' }, metadata: meta },
      {
        id: randomUUID(),
        type: 'VisitCreated',
        data: { visitId: 'v1', customerId, locationId: 's1', occurredAt: '2026-11-02T10:00:00.000Z', kind: 'browse', source: 'manual' },
        metadata: meta,
      },
      {
        id: randomUUID(),
        type: 'PaymentRecorded',
        data: {
          paymentId: 'p1',
          customerId,
          locationId: 's1',
          amountMinor: 2599,
          currency: 'USD',
          purchaseIdentifier: 'R1',
          occurredAt: '2026-11-02T10:05:00.000Z',
          source: 'manual',
          points: 25,
          pointsPerUnit: '1',
          programVersion: 1,
          visitId: 'v1',
        },
        metadata: meta,
      },
    ]);
    const projector = new Projector(fx.store, fx.database);
    expect(await projector.catchUp()).toBe(await fx.store.headPosition());
    expect(await customerBalance(fx.database.db, customerId)).toMatchObject({ available: 25, visitCount: 1, purchaseCount: 1 });
    expect(await visitReport(fx.database.db, { from: '2026-11-02', to: '2026-11-02' })).toEqual([
      expect.objectContaining({ locationId: 's1', visits: 1, visitsWithPurchase: 1, conversion: 1, distinctCustomers: 1, payments: 1, pointsEarned: 25 }),
    ]);
  });
});
