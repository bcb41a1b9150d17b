import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_COLUMNS } from '#audit/export';
import { reconcile } from '#audit/reconcile';
import { accountStreamOf, generateScenario } from '#projections/testing/ledger-scenario';
import { Projector } from '#read-models/projector';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';
import { openReadModelFixture, type ReadModelFixture } from '../read-models/read-model-fixture';
import { appendCommands } from '../read-models/read-model-tables';

const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');

/**
 * Runs the CLI on the ledger's data and store. Asynchronously: on EventStoreDB the test server
 * lives in this process and must keep answering while the CLI runs.
 */
function cli(args: string[], ledger: RunningLedger): Promise<{ status: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...ledger.childEnv }, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ status: error === null ? 0 : typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

describe('reconciliation and export for auditors', () => {
  let ledger: RunningLedger;
  let ada: string;
  let bob: string;
  let last = '0';

  beforeAll(async () => {
    ledger = await startLedger();
    ada = await enrolCustomer(ledger);
    bob = await enrolCustomer(ledger);
    await ledger.request('POST', `/customers/${ada}/payments`, {
      locationId: 'store-1',
      amount: '30.00',
      purchaseIdentifier: 'R-a1',
      occurredAt: '2026-11-20T10:00:00Z',
    });
    await ledger.request('POST', `/customers/${ada}/adjustments`, { points: -4, reason: '=HYPERLINK("http://evil","click"), "quoted"' });
    await ledger.request('POST', `/customers/${bob}/visits`, { locationId: 'store-2', occurredAt: '2026-11-21T10:00:00Z' });
    const paid = await ledger.request('POST', `/customers/${bob}/payments`, {
      locationId: 'store-2',
      amount: '5.00',
      purchaseIdentifier: 'R-b1',
      occurredAt: '2026-11-21T11:00:00Z',
    });
    last = paid.body.position;
    await ledger.request('GET', `/customers/${bob}/balance?minPosition=${last}`);
  });
  afterAll(async () => {
    await ledger.close();
  });

  const readModels = () => new Database(join(ledger.dataDir, 'read-models.sqlite'));

  it('finds the projections in agreement with the ledger', async () => {
    const report = await ledger.request('GET', '/audit/reconcile');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ customers: 2, mismatches: [] });
    expect(BigInt(report.body.checkpoint)).toBeGreaterThanOrEqual(BigInt(last));
  });

  it('reports a corrupted projection row, over HTTP and from the CLI with exit code 1', async () => {
    const db = readModels();
    db.prepare('UPDATE customer_balances SET available = 999, visit_count = 42, owed = 5 WHERE customer_id = ?').run(ada);
    db.close();
    const report = await ledger.request('GET', '/audit/reconcile');
    expect(report.body.mismatches).toEqual(
      expect.arrayContaining([
        { customerId: ada, field: 'available', ledger: 26, projection: 999 },
        { customerId: ada, field: 'visit_count', ledger: 1, projection: 42 },
        { customerId: ada, field: 'owed', ledger: 0, projection: 5 },
      ]),
    );
    const run = await cli(['audit', 'reconcile'], ledger);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`mismatch: customer ${ada} available: ledger 26, projection 999`);
  });

  it('reports a projection row that went missing', async () => {
    const db = readModels();
    db.prepare('DELETE FROM customer_balances WHERE customer_id = ?').run(bob);
    db.close();
    const report = await ledger.request('GET', '/audit/reconcile');
    expect(report.body.mismatches).toEqual(expect.arrayContaining([{ customerId: bob, field: 'row', ledger: 'enrolled customer', projection: null }]));
  });

  it("exports a customer's ledger as CSV with the documented header, running balances and safe cells", async () => {
    const csv = await ledger.request('GET', `/customers/${ada}/history.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 4); // enrolment, purchase visit, payment, adjustment
    const adjustment = lines.find((l) => l.includes('PointsAdjusted'))!;
    // A reason that would run as a spreadsheet formula is neutralised, and quotes are escaped.
    expect(adjustment).toContain(`"'=HYPERLINK(""http://evil"",""click""), ""quoted"""`);
    expect(adjustment).toMatch(/,-4,26,/);
  });

  it('exports as of an instant, on recorded time', async () => {
    const before = await ledger.request('GET', `/customers/${ada}/history.csv?asOf=2000-01-01T00:00:00Z`);
    expect((before.body as string).trimEnd().split('\r\n')).toEqual([EXPORT_COLUMNS.join(',')]);
    expectProblem(await ledger.request('GET', `/customers/${ada}/history.csv?asOf=yesterday`), 400, 'invalid-input');
    expectProblem(await ledger.request('GET', '/customers/6b1f8fa1-a70f-5f3a-b4fc-e60911a01df0/history.csv'), 404, 'customer-not-found');
  });

  it('exports the whole ledger as NDJSON from the CLI, one line per entry', async () => {
    const run = await cli(['audit', 'export', '--all', '--format', 'ndjson'], ledger);
    expect(run.status).toBe(0);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(new Set(rows.map((r) => r['customer_id']))).toEqual(new Set([ada, bob]));
    expect(rows.every((r) => typeof r['hash'] === 'string')).toBe(true);
    const adaRows = rows.filter((r) => r['customer_id'] === ada);
    expect(adaRows[adaRows.length - 1]).toMatchObject({ type: 'PointsAdjusted', points_delta: -4, balance_after: 26 });
    expect(run.stderr).toMatch(/\d+ entries exported/);
  });

  it('verifies the hash chain of the whole ledger from the CLI, on whichever store the ledger runs', async () => {
    const run = await cli(['audit', 'verify-chain', '--all'], ledger);
    expect(run.stderr).toMatch(/\d+ events in \d+ streams checked, 0 finding\(s\)/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ findings: [] });
  });

  it('refuses export usage errors with exit code 2', async () => {
    expect((await cli(['audit', 'export'], ledger)).status).toBe(2);
    expect((await cli(['audit', 'export', '--all', '--format', 'xml'], ledger)).status).toBe(2);
    expect((await cli(['audit', 'export', '--all', '--as-of', 'soon'], ledger)).status).toBe(2);
  });
});

describe('reconciliation through the points lifecycle: pending, owed, reversed, written off and expired', () => {
  type Column = 'available' | 'pending' | 'owed' | 'lifetime_reversed' | 'lifetime_written_off' | 'lifetime_expired';
  let fx: ReadModelFixture;
  beforeAll(async () => {
    fx = await openReadModelFixture('sqlite');
    // Decided by the real deciders: pending points, refunds, activations, voids, expiries, tier changes; it ends with a customer owing points and one with points written off.
    await appendCommands(fx.store, generateScenario({ seed: 3, customers: 8, steps: 240 }));
    await new Projector(fx.store, fx.database).catchUp();
  });
  afterAll(() => fx.close());

  const rows = () => fx.database.db.selectFrom('customer_balances').selectAll().orderBy('customer_id').execute();

  it('finds the projection in agreement with the domain fold (available never negative, the debt as owed)', async () => {
    const report = await reconcile(fx.store, fx.database);
    expect(report.mismatches).toEqual([]);
    expect(report.customers).toBe(8);
    const balances = await rows();
    for (const column of ['pending', 'owed', 'lifetime_reversed', 'lifetime_written_off', 'lifetime_expired'] as const) {
      expect(balances.some((r) => Number(r[column]) > 0)).toBe(true);
    }
  });

  it.each<Column>(['available', 'pending', 'owed', 'lifetime_reversed', 'lifetime_written_off', 'lifetime_expired'])(
    'reports a corrupted %s',
    async (column) => {
      // The customer with the most in that column (the owing one for owed, a written-off one for written off).
      const row = (await rows()).sort((a, b) => Number(b[column]) - Number(a[column]))[0]!;
      const value = Number(row[column]);
      await fx.database.db
        .updateTable('customer_balances')
        .set({ [column]: value + 7 })
        .where('customer_id', '=', row.customer_id)
        .execute();
      try {
        const { mismatches } = await reconcile(fx.store, fx.database);
        expect(mismatches).toContainEqual({ customerId: row.customer_id, field: column, ledger: value, projection: value + 7 });
        // Balances are also checked against reconcile's own exact (BigInt) sums of the events: the same row, flagged there too.
        const exact = column === 'pending' ? ['pending (exact)'] : column === 'available' || column === 'owed' ? ['available − owed (exact)'] : [];
        expect(mismatches.map((m) => [m.customerId, m.field]).sort()).toEqual(
          [[row.customer_id, column], ...exact.map((field) => [row.customer_id, field])].sort(),
        );
      } finally {
        await fx.database.db
          .updateTable('customer_balances')
          .set({ [column]: value })
          .where('customer_id', '=', row.customer_id)
          .execute();
      }
    },
  );
  it('reports a customer_tiers row that holds another tier, has gone missing, or has no tier change behind it', async () => {
    const tiers = await fx.database.db.selectFrom('customer_tiers').selectAll().orderBy('customer_id').execute();
    const held = tiers.find((t) => t.tier_id !== null)!;
    expect(held).toBeDefined();
    // A customer enrolled last, whose tier never changed (the generated customers all reached one).
    const untiered = { customer_id: 'cus-untiered' };
    await appendCommands(fx.store, [
      {
        streamName: accountStreamOf(untiered.customer_id),
        events: [
          { type: 'CustomerEnrolled', data: { customerId: untiered.customer_id, email: 'untiered@example.com', enrolledAt: '2027-02-01T00:00:00.000Z' } },
        ],
        eventIds: ['40000000-0000-4000-8000-000000000001'],
        recordedAt: '2027-02-01T00:00:00.000Z',
        actor: 'staff:alice',
      },
    ]);
    await new Projector(fx.store, fx.database).catchUp();
    expect(tiers.some((t) => t.customer_id === untiered.customer_id)).toBe(false);
    const other = held.tier_id === 'gold' ? 'silver' : 'gold';
    await fx.database.db.updateTable('customer_tiers').set({ tier_id: other }).where('customer_id', '=', held.customer_id).execute();
    await fx.database.db
      .insertInto('customer_tiers')
      .values({ customer_id: untiered.customer_id, tier_id: 'gold', qualifying_points: 999, since: '2026-11-20T00:00:00.000Z', position: held.position })
      .execute();
    try {
      const { mismatches } = await reconcile(fx.store, fx.database);
      expect(mismatches).toHaveLength(2);
      expect(mismatches).toEqual(
        expect.arrayContaining([
          { customerId: held.customer_id, field: 'customer_tiers.tier_id', ledger: held.tier_id, projection: other },
          { customerId: untiered.customer_id, field: 'customer_tiers row', ledger: null, projection: 'gold' },
        ]),
      );
      await fx.database.db.deleteFrom('customer_tiers').where('customer_id', '=', held.customer_id).execute();
      expect((await reconcile(fx.store, fx.database)).mismatches).toContainEqual({
        customerId: held.customer_id,
        field: 'customer_tiers row',
        ledger: held.tier_id,
        projection: null,
      });
    } finally {
      await fx.database.db.deleteFrom('customer_tiers').where('customer_id', 'in', [held.customer_id, untiered.customer_id]).execute();
      await fx.database.db.insertInto('customer_tiers').values(held).execute();
    }
    expect((await reconcile(fx.store, fx.database)).mismatches).toEqual([]);
  });
});
