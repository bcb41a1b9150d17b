import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { withoutMultiStreamAppends } from '../support/without-multi-stream-appends';
import { accountEvents, customerWithPoints, eventsAfter, expectProblem, head, historyOf, paymentBody, uniqueId } from '../support/e2e';

describe('concurrent commands', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('200 parallel 1-point redemptions on a 50-point customer: exactly 50 × 201 and 150 × 422, balance 0, history consistent', async () => {
    const customerId = await customerWithPoints(ledger, 50);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1, reference: `r-${i}` })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 422)).toHaveLength(150);
    for (const refused of responses.filter((r) => r.status === 422)) expectProblem(refused, 422, 'insufficient-points');

    const accepted = responses.filter((r) => r.status === 201);
    expect(new Set(accepted.map((r) => r.body.redemptionId)).size).toBe(50);
    // Each accepted redemption saw a distinct balance after it: 49, 48, …, 0.
    expect(accepted.map((r) => r.body.balance).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));

    const history = await historyOf(ledger, customerId);
    expect(history.balance).toBe(0);
    const redemptions = history.entries.filter((e) => e.type === 'PointsAdjusted' && e.kind === 'redemption');
    expect(redemptions).toHaveLength(50);
    for (const entry of history.entries) expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    // The running balance is the running sum of the deltas, in stream order.
    let running = 0;
    history.entries.forEach((entry, index) => {
      running += entry.pointsDelta;
      expect(entry.balanceAfter).toBe(running);
      expect(entry.revision).toBe(String(index));
    });
    expect(new Set(redemptions.map((r) => r.reference)).size).toBe(50);

    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body).toMatchObject({ balance: { available: 0 }, lifetime: expect.objectContaining({ redeemed: 50 }) });
    expect((await accountEvents(ledger, customerId)).length).toBe(2 + 50);
  });

  it('100 parallel payments with the same purchase identifier across 10 customers: exactly one 201, one PaymentRecorded', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => enrolCustomer(ledger)));
    const purchaseIdentifier = uniqueId('R-race');
    const before = await head(ledger);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        ledger.request('POST', `/customers/${customers[i % 10]}/payments`, paymentBody({ purchaseIdentifier, amount: '25.00', locationId: 'store-race' })),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    for (const refused of responses.filter((r) => r.status === 409)) expectProblem(refused, 409, 'duplicate-purchase');

    const written = await eventsAfter(ledger, before);
    expect(written.filter((e) => e.type === 'PaymentRecorded')).toHaveLength(1);
    expect(written.filter((e) => e.type === 'VisitCreated')).toHaveLength(1);
    const balances = await Promise.all(customers.map(async (id) => (await historyOf(ledger, id)).balance));
    expect(balances.filter((b) => b === 25)).toHaveLength(1);
    expect(balances.filter((b) => b === 0)).toHaveLength(9);
  });

  it('parallel payments on many customers all succeed, each customer credited once', async () => {
    const customers = await Promise.all(Array.from({ length: 20 }, () => enrolCustomer(ledger)));
    const responses = await Promise.all(
      customers.flatMap((id) =>
        Array.from({ length: 5 }, () => ledger.request('POST', `/customers/${id}/payments`, paymentBody({ amount: '2.00', source: 'online' }))),
      ),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const balances = await Promise.all(customers.map(async (id) => (await historyOf(ledger, id)).balance));
    expect(balances).toEqual(Array(20).fill(10));
  });

  it('mixed parallel credits and debits on one customer never break the deny rule and sum exactly', async () => {
    const customerId = await customerWithPoints(ledger, 10);
    const requests = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 2, reason: 'credit' })
        : ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 }),
    );
    const responses = await Promise.all(requests);
    expect(responses.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    const history = await historyOf(ledger, customerId);
    for (const entry of history.entries) expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    const accepted = responses.filter((r) => r.status === 201);
    const delta = accepted.reduce((sum, r) => sum + (r.body.redemptionId ? -r.body.points : r.body.points), 0);
    expect(history.balance).toBe(10 + delta);
  });
});

describe('two API instances on the same data directory', () => {
  let a: RunningLedger;
  let b: RunningLedger;
  beforeAll(async () => {
    a = await startLedger();
    b = await startLedger({ dataDir: a.dataDir });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('100 parallel 1-point redemptions split over both on a 30-point customer: exactly 30 succeed (optimistic concurrency across processes)', async () => {
    const customerId = await customerWithPoints(a, 30);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).request('POST', `/customers/${customerId}/redemptions`, { points: 1 })),
    );
    const statuses = responses.map((r) => r.status);
    // Anything but 201/422 is shown with its body, so a failure says what happened.
    expect(responses.filter((r) => r.status !== 201 && r.status !== 422).map((r) => r.body)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    expect(statuses.filter((s) => s === 422)).toHaveLength(70);
    const history = await historyOf(b, customerId);
    expect(history.balance).toBe(0);
    for (const entry of history.entries) expect(entry.balanceAfter).toBeGreaterThanOrEqual(0);
    expect((await a.request('GET', `/customers/${customerId}`)).body.balance.available).toBe(0);
    expect((await b.request('GET', `/customers/${customerId}`)).body.balance.available).toBe(0);
  });

  it('the same purchase sent to both instances for different customers is credited once', async () => {
    const [c1, c2] = await Promise.all([enrolCustomer(a), enrolCustomer(b)]);
    const body = paymentBody({ purchaseIdentifier: uniqueId('R-x'), amount: '9.00' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).request('POST', `/customers/${i % 4 < 2 ? c1 : c2}/payments`, body)),
    );
    expect(responses.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1);
    expect(responses.map((r) => r.status).filter((s) => s === 409)).toHaveLength(19);
  });
});

describe('concurrent commands on a store without multi-stream appends (as EventStoreDB presents itself)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ wrapStore: withoutMultiStreamAppends });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('100 parallel payments with the same purchase identifier across 10 customers: exactly one 201', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => enrolCustomer(ledger)));
    const purchaseIdentifier = uniqueId('R-seq');
    const before = await head(ledger);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        ledger.request('POST', `/customers/${customers[i % 10]}/payments`, paymentBody({ purchaseIdentifier, amount: '25.00' })),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(99);
    const written = await eventsAfter(ledger, before);
    expect(written.filter((e) => e.type === 'PaymentRecorded')).toHaveLength(1);
  });

  it('200 parallel 1-point redemptions on a 50-point customer: exactly 50 succeed', async () => {
    const customerId = await customerWithPoints(ledger, 50);
    const responses = await Promise.all(Array.from({ length: 200 }, () => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 })));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(50);
    expect(responses.filter((r) => r.status === 422)).toHaveLength(150);
    expect((await historyOf(ledger, customerId)).balance).toBe(0);
  });
});
