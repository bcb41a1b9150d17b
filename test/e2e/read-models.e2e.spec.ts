import { freshPostgresDatabase } from '../support/postgres';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';

/**
 * The query API reads the projections (never a replay), on SQLite and on PostgreSQL, and every
 * command response's `position` can be waited for with `?minPosition=`.
 */
describe.each(['sqlite', 'postgres'] as const)('read models over HTTP (%s)', (dialect) => {
  let ledger: RunningLedger;
  let dropDatabase = async () => {};

  beforeAll(async () => {
    let readDbUrl: string | undefined;
    if (dialect === 'postgres') {
      const pg = await freshPostgresDatabase();
      readDbUrl = pg.url;
      dropDatabase = pg.drop;
    }
    ledger = await startLedger({ ...(readDbUrl !== undefined && { readDbUrl }) });
  });
  afterAll(async () => {
    await ledger.close();
    await dropDatabase();
  });

  const pay = (customerId: string, fields: Record<string, unknown>) =>
    ledger.request('POST', `/customers/${customerId}/payments`, {
      locationId: 'store-1',
      amount: '10.00',
      occurredAt: '2026-11-20T10:00:00Z',
      purchaseIdentifier: `R-${Math.random()}`,
      ...fields,
    });

  it('reads a balance right after the command that changed it (read-your-writes)', async () => {
    const customerId = await enrolCustomer(ledger);
    const paid = await pay(customerId, { amount: '42.50' });
    expect(paid.status).toBe(201);
    const balance = await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${paid.body.position}`);
    expect(balance.status).toBe(200);
    expect(balance.body).toMatchObject({ customerId, available: 42, lifetimeEarned: 42, visitCount: 1, purchaseCount: 1 });
    expect(BigInt(balance.body.position)).toBeGreaterThanOrEqual(BigInt(paid.body.position));
  });

  it('pages through the timeline newest first with a cursor, each entry exactly once', async () => {
    const customerId = await enrolCustomer(ledger);
    let last = 0n;
    for (let i = 0; i < 7; i++)
      last = BigInt((await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: i + 1, reason: `goodwill ${i}` })).body.position);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=3&minPosition=${last}${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page: { status: number; body: { entries: { type: string; position: string; balanceAfter: number }[]; nextCursor: string | null } } =
        await ledger.request('GET', `/customers/${customerId}/timeline?${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((e) => e.position));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(8); // enrolment + 7 adjustments
    expect([...seen].sort((a, b) => Number(BigInt(b) - BigInt(a)))).toEqual(seen);
    const oldestFirst = await ledger.request('GET', `/customers/${customerId}/timeline?order=asc&limit=200`);
    expect(oldestFirst.body.entries.map((e: { balanceAfter: number }) => e.balanceAfter)).toEqual([0, 1, 3, 6, 10, 15, 21, 28]);
  });

  it('reports visits per location per day with conversion, and per customer', async () => {
    const location = `branch-${dialect}-${Date.now()}`;
    const a = await enrolCustomer(ledger);
    const b = await enrolCustomer(ledger);
    await ledger.request('POST', `/customers/${a}/visits`, { locationId: location, occurredAt: '2026-11-20T09:00:00Z' });
    await ledger.request('POST', `/customers/${b}/visits`, { locationId: location, occurredAt: '2026-11-20T09:30:00Z' });
    const paid = await pay(b, { locationId: location, amount: '25.00', occurredAt: '2026-11-20T09:45:00Z' });
    const report = await ledger.request('GET', `/reports/visits?from=2026-11-20&to=2026-11-20&locationId=${location}&minPosition=${paid.body.position}`);
    expect(report.status).toBe(200);
    expect(report.body.days).toEqual([
      expect.objectContaining({
        locationId: location,
        day: '2026-11-20',
        visits: 3,
        visitsWithPurchase: 1,
        visitsWithoutPurchase: 2,
        distinctCustomers: 2,
        payments: 1,
        pointsEarned: 25,
      }),
    ]);
    expect(report.body.days[0].conversion).toBeCloseTo(1 / 3);
    expect(report.body.days[0].revenue).toEqual([{ currency: 'USD', payments: 1, amountMinor: 2500, pointsEarned: 25 }]);
    const perCustomer = await ledger.request('GET', `/reports/visits/customers/${b}?minPosition=${paid.body.position}`);
    expect(perCustomer.body).toMatchObject({ customerId: b, visits: 2, visitsWithPurchase: 1, visitsWithoutPurchase: 1, conversion: 0.5 });
  });

  it('lists the projection with its checkpoint, the head and the lag', async () => {
    const customerId = await enrolCustomer(ledger);
    const paid = await pay(customerId, {});
    await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${paid.body.position}`);
    const projections = await ledger.request('GET', '/projections');
    expect(projections.status).toBe(200);
    expect(projections.body.projections).toEqual([expect.objectContaining({ name: 'ledger-read-models', database: dialect, ok: true })]);
    expect(BigInt(projections.body.projections[0].checkpoint)).toBeGreaterThanOrEqual(BigInt(paid.body.position));
    expect(BigInt(projections.body.head)).toBeGreaterThanOrEqual(BigInt(projections.body.projections[0].checkpoint));
  });

  it('refuses bad query parameters with 400 and unknown customers with 404', async () => {
    expectProblem(await ledger.request('GET', '/reports/visits?from=2026-11-30&to=2026-11-01'), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', '/reports/visits?from=yesterday&to=2026-11-01'), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', '/reports/visits'), 400, 'invalid-input');
    const customerId = await enrolCustomer(ledger);
    expectProblem(await ledger.request('GET', `/customers/${customerId}/timeline?limit=0`), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', `/customers/${customerId}/timeline?limit=500`), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', `/customers/${customerId}/balance?minPosition=-1`), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', `/customers/${customerId}/balance?surprise=1`), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', '/customers/6b1f8fa1-a70f-5f3a-b4fc-e60911a01df0/balance'), 404, 'customer-not-found');
    expectProblem(await ledger.request('GET', '/customers/6b1f8fa1-a70f-5f3a-b4fc-e60911a01df0/timeline'), 404, 'customer-not-found');
  });
});
