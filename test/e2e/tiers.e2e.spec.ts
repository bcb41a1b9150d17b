import type { RecordedEvent } from '#event-store/event-store.port';
import { freshPostgresDatabase } from '../support/postgres';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectInvalid, paymentBody } from '../support/e2e';

/**
 * Tiers over HTTP with the lifecycle runner running inline, on SQLite and on PostgreSQL, with a
 * movable server clock. Program in Paris (CET, UTC+1), ratio 1, tiers Silver (100 qualifying
 * points, ×1.5) and Gold (300, ×2), a 30-day rolling window. Worked by hand:
 * - 24 Nov: payments of 60.00 and 50.00 earn 60 + 50 = 110 points: the runner upgrades the
 *   customer to Silver (qualifying 110; Gold needs 300 − 110 = 190 more);
 * - then a payment of 20.00 earns floor(20 × 1 × 1.5) = 30 (tier Silver, ×1.5): qualifying 140;
 * - 26 Dec (Paris): the 24 Nov payments left the window (the last 30 local days are 27 Nov..26 Dec),
 *   so the daily sweep steps the customer down to no tier (reason "window").
 * A second customer pays 10.00 and never reaches a tier.
 */
describe.each(['sqlite', 'postgres'] as const)('tiers, the lifecycle runner and the tier report over HTTP (%s)', (dialect) => {
  let ledger: RunningLedger;
  let dropDatabase = async () => {};
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const setClock = (iso: string) => (offset = Date.parse(iso) - Date.now());
  let customerId: string;
  let other: string;
  let upgradedAt: string;

  const tierChanges = async (id: string): Promise<RecordedEvent[]> => (await accountEvents(ledger, id)).filter((e) => e.type === 'TierChanged');
  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const changesOf = (id: string, n: number) =>
    until(`${n} tier change(s)`, async () => {
      const found = await tierChanges(id);
      return found.length >= n ? found : undefined;
    });

  beforeAll(async () => {
    let readDbUrl: string | undefined;
    if (dialect === 'postgres') {
      const pg = await freshPostgresDatabase();
      readDbUrl = pg.url;
      dropDatabase = pg.drop;
    }
    // The clock set before the ledger starts: no runner pass ever runs on today's date.
    setClock('2026-11-24T11:00:00Z');
    ledger = await startLedger({ clock, lifecycleIntervalMs: 100, ...(readDbUrl !== undefined && { readDbUrl }) });
    const program = await ledger.request('PUT', '/program', {
      timezone: 'Europe/Paris',
      tiers: [
        { tierId: 'silver', name: 'Silver', threshold: 100, multiplier: '1.5' },
        { tierId: 'gold', name: 'Gold', threshold: 300, multiplier: '2' },
      ],
      tierWindow: { rollingDays: 30 },
    });
    expect(program.status).toBe(200);
    customerId = await enrolCustomer(ledger);
    other = await enrolCustomer(ledger);
  });
  afterAll(async () => {
    await ledger.close();
    await dropDatabase();
  });

  it('upgrades a customer once the qualifying points reach a threshold, and shows the tier, the qualifying points and what the next tier needs', async () => {
    for (const amount of ['60.00', '50.00']) {
      const paid = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount, occurredAt: '2026-11-24T10:00:00Z' }));
      expect(paid.status).toBe(201);
      expect(paid.body).toMatchObject({ pointsEarned: Number.parseInt(amount, 10), tierId: null, multiplier: null });
    }
    expect((await ledger.request('POST', `/customers/${other}/payments`, paymentBody({ amount: '10.00', occurredAt: '2026-11-24T10:00:00Z' }))).status).toBe(
      201,
    );
    const [upgrade] = await changesOf(customerId, 1);
    expect(upgrade?.data).toMatchObject({ customerId, from: null, to: 'silver', qualifyingPoints: 110, reason: 'qualified' });
    expect(upgrade?.metadata['actor']).toBe('system:lifecycle');
    upgradedAt = String(upgrade?.data['occurredAt']);
    // More passes write no second change; the other customer never reaches a tier.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await tierChanges(customerId)).toHaveLength(1);
    expect(await tierChanges(other)).toHaveLength(0);

    const view = await ledger.request('GET', `/customers/${customerId}`);
    expect(view.body.tier).toEqual({
      tierId: 'silver',
      name: 'Silver',
      since: upgradedAt,
      multiplier: '1.5',
      qualifyingPoints: 110,
      next: { tierId: 'gold', name: 'Gold', threshold: 300, pointsNeeded: 190 },
    });
    expect((await ledger.request('GET', `/customers/${other}`)).body.tier).toMatchObject({ tierId: null, qualifyingPoints: 10, next: { pointsNeeded: 90 } });
  });

  it("applies the tier's multiplier to a later payment, recorded on the payment, and counts its points towards qualification", async () => {
    setClock('2026-11-24T12:00:00Z');
    const paid = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '20.00', occurredAt: '2026-11-24T11:30:00Z' }));
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ pointsEarned: 30, tierId: 'silver', multiplier: '1.5', balance: 140 });
    const recorded = (await accountEvents(ledger, customerId)).find((e) => e.type === 'PaymentRecorded' && e.data['paymentId'] === paid.body.paymentId);
    expect(recorded?.data).toMatchObject({ points: 30, tierId: 'silver', multiplier: '1.5' });
    const view = await ledger.request('GET', `/customers/${customerId}`);
    expect(view.body.tier).toMatchObject({ tierId: 'silver', qualifyingPoints: 140, next: { tierId: 'gold', pointsNeeded: 160 } });
  });

  it('reports the customers per tier and the upgrades per day, as of an instant', async () => {
    const position = (await ledger.store.headPosition()).toString();
    const report = await ledger.request('GET', `/reports/tiers?asOf=2026-11-24T13:00:00Z&minPosition=${position}`);
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      asOf: '2026-11-24T13:00:00.000Z',
      tiers: [
        { tierId: 'silver', name: 'Silver', threshold: 100, multiplier: '1.5', customers: 1 },
        { tierId: 'gold', name: 'Gold', threshold: 300, multiplier: '2', customers: 0 },
      ],
      withoutTier: 0,
      from: '2026-11-01',
      to: '2026-11-24',
      days: [{ day: '2026-11-24', upgrades: 1, downgrades: 0 }],
      totals: { upgrades: 1, downgrades: 0 },
    });
    // Before the upgrade was recorded: nobody held a tier.
    const before = await ledger.request('GET', `/reports/tiers?asOf=2026-11-24T10:59:00Z`);
    expect(before.body).toMatchObject({ tiers: [expect.objectContaining({ customers: 0 }), expect.objectContaining({ customers: 0 })], days: [] });
  });

  it('steps the customer down once the rolling window has dropped the payments, and reports the downgrade on its day', async () => {
    setClock('2026-12-26T09:00:00Z');
    const [, downgrade] = await changesOf(customerId, 2);
    expect(downgrade?.data).toMatchObject({ customerId, from: 'silver', to: null, qualifyingPoints: 0, reason: 'window' });
    expect((await ledger.request('GET', `/customers/${customerId}`)).body.tier).toMatchObject({ tierId: null, qualifyingPoints: 0 });
    const position = (await ledger.store.headPosition()).toString();
    const report = await ledger.request('GET', `/reports/tiers?from=2026-11-01&to=2026-12-31&minPosition=${position}`);
    expect(report.body).toMatchObject({
      tiers: [expect.objectContaining({ tierId: 'silver', customers: 0 }), expect.objectContaining({ tierId: 'gold', customers: 0 })],
      withoutTier: 1,
      days: [
        { day: '2026-11-24', upgrades: 1, downgrades: 0 },
        { day: '2026-12-26', upgrades: 0, downgrades: 1 },
      ],
      totals: { upgrades: 1, downgrades: 1 },
    });
    // The recorded basis: as of November, still Silver.
    const then = await ledger.request('GET', '/reports/tiers?asOf=2026-11-30T00:00:00Z');
    expect(then.body.tiers[0]).toMatchObject({ tierId: 'silver', customers: 1 });
  });

  it("replays the tier changes in the customer's history as of any instant, with the tier held then", async () => {
    const then = await ledger.request('GET', `/customers/${customerId}/history?asOf=2026-11-30T00:00:00Z`);
    expect(then.status).toBe(200);
    expect(then.body.tier).toEqual({ tierId: 'silver', since: upgradedAt });
    expect(then.body.entries.filter((e: { type: string }) => e.type === 'TierChanged')).toEqual([
      expect.objectContaining({ from: null, to: 'silver', qualifyingPoints: 110, reason: 'qualified', pointsDelta: 0, balanceAfter: 110 }),
    ]);
    expect(then.body.entries.find((e: { pointsEarned?: number; points?: number; tierId?: string }) => e.tierId === 'silver')).toMatchObject({
      points: 30,
      multiplier: '1.5',
    });
    const now = await ledger.request('GET', `/customers/${customerId}/history`);
    expect(now.body.tier).toBeNull();
    expect(now.body.entries.filter((e: { type: string }) => e.type === 'TierChanged').map((e: { to: string | null }) => e.to)).toEqual(['silver', null]);
  });

  it("exports the tier changes and the payments' tier and multiplier in their own columns", async () => {
    const csv = await ledger.request('GET', `/customers/${customerId}/history.csv`);
    expect(csv.status).toBe(200);
    const [header, ...lines] = (csv.body as string)
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
    const cell = (line: readonly string[], column: string) => line[header!.indexOf(column)];
    const of = (type: string) => lines.filter((line) => cell(line, 'type') === type);
    expect(of('TierChanged').map((line) => [cell(line, 'tier_from'), cell(line, 'tier_id'), cell(line, 'qualifying_points'), cell(line, 'reason')])).toEqual([
      ['', 'silver', '110', 'qualified'],
      ['silver', '', '0', 'window'],
    ]);
    expect(of('PaymentRecorded').map((line) => [cell(line, 'points_delta'), cell(line, 'tier_id'), cell(line, 'multiplier')])).toEqual([
      ['60', '', ''],
      ['50', '', ''],
      ['30', 'silver', '1.5'],
    ]);
  });

  it('refuses a bad query with the path and the expected type, and a span longer than a report lists', async () => {
    expectInvalid(await ledger.request('GET', '/reports/tiers?asOf=yesterday'), 'asOf');
    expectInvalid(await ledger.request('GET', '/reports/tiers?from=2026-12-02&to=2026-12-01'), 'from');
    expectInvalid(await ledger.request('GET', '/reports/tiers?from=2025-01-01&to=2026-12-01'), 'to');
  });
});
