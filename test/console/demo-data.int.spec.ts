import { DemoData } from '../../apps/ledger-api/src/demo/demo-data';
import { DEMO_BRANCHES, DEMO_CUSTOMERS } from '../../apps/ledger-api/src/demo/demo-plan';
import { loadConfig } from '#runtime/config';
import { eventsAfter, head } from '../support/e2e';
import { startLedger, type RunningLedger } from '../support/ledger-app';
import { newcomerEnv, runToExit } from '../support/programs';
import { tempDir } from '../support/temp-dir';

/**
 * LEDGER_DEMO_DATA=true: a few dozen customers with months of history, written through the
 * command bus (the routes' own handlers), once: a second run, or a restart, writes nothing.
 */
describe('demo data', () => {
  let ledger: RunningLedger;
  const dir = tempDir('ledger-demo-');

  beforeAll(async () => {
    ledger = await startLedger({ dataDir: dir.path });
  });
  afterAll(async () => {
    await ledger?.close();
    dir.cleanup();
  });

  it('enrols a few dozen customers with months of visits, payments, adjustments, redemptions and refunds over several branches', async () => {
    const summary = await ledger.app.get(DemoData).load();
    expect(summary).toMatchObject({ customers: DEMO_CUSTOMERS, replayed: 0, refused: 0 });
    expect(summary.written).toBeGreaterThan(600);
    const events = await eventsAfter(ledger, 0n);
    const count = (type: string, where: (data: Record<string, unknown>) => boolean = () => true) =>
      events.filter((e) => e.type === type && where(e.data as Record<string, unknown>)).length;
    expect(count('CustomerEnrolled')).toBe(DEMO_CUSTOMERS);
    expect(count('VisitCreated', (d) => d['kind'] !== 'purchase')).toBeGreaterThan(100);
    expect(count('PaymentRecorded')).toBeGreaterThan(300);
    expect(count('PaymentRecorded', (d) => d['source'] === 'online')).toBeGreaterThan(5);
    expect(count('PointsAdjusted', (d) => d['kind'] === 'manual')).toBeGreaterThan(5);
    expect(count('PointsAdjusted', (d) => d['kind'] === 'redemption')).toBeGreaterThan(5);
    expect(count('PaymentRefunded')).toBeGreaterThanOrEqual(3);
    const customerEvents = events.filter((e) => e.streamName.startsWith('loyaltyAccount-'));
    // Written as the demo (cashback and rewards, if the program had rules, would be the reactions').
    expect(new Set(customerEvents.map((e) => e.metadata['actor']))).toEqual(new Set(['system:demo-data']));
    const times = events.flatMap((e) =>
      typeof (e.data as { occurredAt?: unknown }).occurredAt === 'string' ? [Date.parse((e.data as { occurredAt: string }).occurredAt)] : [],
    );
    expect(Date.now() - Math.min(...times)).toBeGreaterThan(90 * 86_400_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(Date.now());
    // The reports have every branch in them, with and without purchases.
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 120 * 86_400_000).toISOString().slice(0, 10);
    const report = await ledger.request('GET', `/reports/visits?from=${from}&to=${today}&minPosition=${await head(ledger)}`);
    const locations = new Set((report.body.days as { locationId: string }[]).map((d) => d.locationId));
    for (const branch of DEMO_BRANCHES) expect(locations).toContain(branch);
    const withAndWithout = (report.body.days as { visitsWithPurchase: number; visitsWithoutPurchase: number }[]).reduce(
      (t, d) => [t[0]! + d.visitsWithPurchase, t[1]! + d.visitsWithoutPurchase],
      [0, 0],
    );
    expect(withAndWithout[0]).toBeGreaterThan(100);
    expect(withAndWithout[1]).toBeGreaterThan(100);
  });

  it('writes nothing the second time, nor after a restart on the same data', async () => {
    const before = await head(ledger);
    const again = await ledger.app.get(DemoData).load();
    expect(again).toMatchObject({ customers: DEMO_CUSTOMERS, written: 0, refused: 0 });
    expect(await head(ledger)).toBe(before);

    await ledger.close({ keepData: true });
    // Later, on another clock: the plan is laid out from the first run's time, so it is the same plan.
    ledger = await startLedger({ dataDir: dir.path, clock: () => new Date(Date.now() + 3 * 86_400_000) });
    const restarted = await ledger.app.get(DemoData).load();
    expect(restarted).toMatchObject({ customers: DEMO_CUSTOMERS, written: 0, refused: 0 });
    expect(await head(ledger)).toBe(before);
  });

  it('is off by default, and refused in production with a one-line error', () => {
    expect(loadConfig({}).demoData ?? false).toBe(false);
    expect(loadConfig({ LEDGER_DEMO_DATA: 'false' }).demoData ?? false).toBe(false);
    expect(loadConfig({ LEDGER_DEMO_DATA: 'true' }).demoData).toBe(true);
    expect(() => loadConfig({ LEDGER_DEMO_DATA: 'yes' })).toThrow(/LEDGER_DEMO_DATA: expected "true" or "false"/);
    expect(() => loadConfig({ LEDGER_DEMO_DATA: 'true', LEDGER_ENV: 'production', LEDGER_API_KEYS: 'ops:admin:long-enough-secret-0123456789' })).toThrow(
      /^LEDGER_DEMO_DATA=true is refused in production/,
    );
  });

  it('the API refuses to start with it in production: one line on stderr, exit 1', () => {
    const data = tempDir('ledger-demo-production-');
    try {
      const run = runToExit(
        'api',
        [],
        newcomerEnv({
          LEDGER_DEMO_DATA: 'true',
          LEDGER_ENV: 'production',
          LEDGER_DATA_DIR: data.path,
          LEDGER_API_KEYS: 'ops:admin:long-enough-secret-0123456789',
        }),
      );
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^LEDGER_DEMO_DATA=true is refused in production/)]);
    } finally {
      data.cleanup();
    }
  });
});
