import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { enrolCustomer, startLedger, type Json, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectInvalid, expectProblem, historyOf, paymentBody, visitBody } from '../support/e2e';

describe('customer history (GET /customers/{id}/history)', () => {
  let now = new Date('2026-05-01T09:00:00.000Z');
  const at = (iso: string) => {
    now = new Date(iso);
  };
  let ledger: RunningLedger;
  let customerId: string;
  let responses: Record<string, Json>;

  beforeAll(async () => {
    ledger = await startLedger({ clock: () => now });
    at('2026-05-01T09:00:00.000Z');
    customerId = await enrolCustomer(ledger, { name: 'Ada' });
    at('2026-05-02T10:00:00.000Z');
    const visit = await ledger.request(
      'POST',
      `/customers/${customerId}/visits`,
      visitBody({ occurredAt: '2026-04-30T08:00:00+02:00', kind: 'service', notes: 'fitting' }),
      {
        'x-correlation-id': 'corr-visit-1',
      },
    );
    at('2026-05-03T11:00:00.000Z');
    const payment = await ledger.request(
      'POST',
      `/customers/${customerId}/payments`,
      paymentBody({ amount: '80.50', occurredAt: '2026-05-03T10:59:00Z', source: 'scan' }),
    );
    at('2026-05-04T12:00:00.000Z');
    const adjustment = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 20, reason: 'welcome bonus' });
    at('2026-05-05T13:00:00.000Z');
    const redemption = await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 60, reference: 'voucher-1' });
    at('2026-05-06T14:00:00.000Z');
    const debit = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -5, reason: 'correction' });
    responses = { visit: visit.body, payment: payment.body, adjustment: adjustment.body, redemption: redemption.body, debit: debit.body };
    for (const r of [visit, payment, adjustment, redemption, debit]) expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('lists the events oldest first with the running balance', async () => {
    const history = await historyOf(ledger, customerId);
    expect(history.customerId).toBe(customerId);
    expect(history.entries.map((e) => [e.type, e.pointsDelta, e.balanceAfter])).toEqual([
      ['CustomerEnrolled', 0, 0],
      ['VisitCreated', 0, 0],
      ['VisitCreated', 0, 0], // the purchase visit of the in-store payment
      ['PaymentRecorded', 80, 80],
      ['PointsAdjusted', 20, 100],
      ['PointsAdjusted', -60, 40],
      ['PointsAdjusted', -5, 35],
    ]);
    expect(history.balance).toBe(35);
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.balance.available).toBe(35);
  });

  it('every entry has type, occurredAt, recordedAt, pointsDelta, balanceAfter, eventId, revision, position, commandId and actor', async () => {
    const history = await historyOf(ledger, customerId);
    history.entries.forEach((entry, index) => {
      expect(entry).toEqual(
        expect.objectContaining({
          type: expect.any(String),
          occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          pointsDelta: expect.any(Number),
          balanceAfter: expect.any(Number),
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          revision: String(index),
          position: expect.stringMatching(/^\d+$/),
          commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          actor: expect.any(String),
          customerId,
        }),
      );
    });
    const positions = history.entries.map((e) => BigInt(e.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    expect(new Set(history.entries.map((e) => e.eventId)).size).toBe(history.entries.length);
  });

  it("carries each event's own fields, and separates business time (occurredAt) from server time (recordedAt)", async () => {
    const [enrolled, visit, purchaseVisit, payment, adjustment, redemption] = (await historyOf(ledger, customerId)).entries;
    expect(enrolled).toMatchObject({
      name: 'Ada',
      enrolledAt: '2026-05-01T09:00:00.000Z',
      occurredAt: '2026-05-01T09:00:00.000Z',
      recordedAt: '2026-05-01T09:00:00.000Z',
    });
    expect(visit).toMatchObject({
      visitId: responses['visit'].visitId,
      kind: 'service',
      source: 'manual',
      notes: 'fitting',
      locationId: 'store-1',
      occurredAt: '2026-04-30T06:00:00.000Z',
      recordedAt: '2026-05-02T10:00:00.000Z',
    });
    expect(purchaseVisit).toMatchObject({ kind: 'purchase', source: 'scan', paymentId: responses['payment'].paymentId, visitId: responses['payment'].visitId });
    expect(payment).toMatchObject({
      paymentId: responses['payment'].paymentId,
      amountMinor: 8050,
      currency: 'USD',
      points: 80,
      pointsPerUnit: '1',
      programVersion: 1,
      source: 'scan',
      occurredAt: '2026-05-03T10:59:00.000Z',
      recordedAt: '2026-05-03T11:00:00.000Z',
    });
    expect(purchaseVisit.commandId).toBe(payment.commandId);
    expect(adjustment).toMatchObject({
      adjustmentId: responses['adjustment'].adjustmentId,
      kind: 'manual',
      points: 20,
      reason: 'welcome bonus',
      occurredAt: '2026-05-04T12:00:00.000Z',
    });
    expect(redemption).toMatchObject({
      adjustmentId: responses['redemption'].redemptionId,
      kind: 'redemption',
      points: -60,
      reference: 'voucher-1',
      recordedAt: '2026-05-05T13:00:00.000Z',
    });
  });

  it('is the stream as stored: same ids, types, data and metadata as the event store holds', async () => {
    const history = await historyOf(ledger, customerId);
    const stored = await accountEvents(ledger, customerId);
    expect(history.entries).toHaveLength(stored.length);
    history.entries.forEach((entry, i) => {
      const event = stored[i]!;
      expect(entry).toMatchObject({
        ...event.data,
        type: event.type,
        eventId: event.id,
        revision: event.revision.toString(),
        position: event.position.toString(),
        commandId: event.metadata['commandId'],
        actor: event.metadata['actor'],
        recordedAt: event.metadata['recordedAt'],
      });
    });
    // Metadata the history does not show is still recorded with every event.
    for (const event of stored) {
      expect(event.metadata).toMatchObject({
        correlationId: expect.any(String),
        schemaVersion: 1,
        recordedAt: expect.any(String),
        causationId: event.metadata['commandId'],
      });
    }
    expect(stored[1]!.metadata['correlationId']).toBe('corr-visit-1');
  });

  it('is replayed from the store: identical after restarting the API on the same data', async () => {
    const before = await historyOf(ledger, customerId);
    const fresh = await startLedger({ dataDir: ledger.dataDir, clock: () => now });
    try {
      const after = await historyOf(fresh, customerId);
      expect(after).toEqual(before);
    } finally {
      await fresh.close();
    }
  });

  it('is 404 customer-not-found for an unknown customer and 400 for a malformed id', async () => {
    const unknown = randomUUID();
    const response = await ledger.request('GET', `/customers/${unknown}/history`);
    expectProblem(response, 404, 'customer-not-found');
    expect(response.body.customerId).toBe(unknown);
    expectInvalid(await ledger.request('GET', '/customers/not-a-uuid/history'), 'customerId');
  });
});

describe('history after a full restart', () => {
  it('is identical once the first instance is gone and a new one replays the file', async () => {
    const first = await startLedger();
    const dataDir = first.dataDir;
    try {
      const customerId = await enrolCustomer(first);
      await first.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '12.00' }));
      await first.request('POST', `/customers/${customerId}/redemptions`, { points: 2 });
      const before = await historyOf(first, customerId);
      await first.close({ keepData: true });
      const second = await startLedger({ dataDir });
      try {
        expect(await historyOf(second, customerId)).toEqual(before);
        expect((await second.request('GET', `/customers/${customerId}`)).body.balance.available).toBe(10);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
