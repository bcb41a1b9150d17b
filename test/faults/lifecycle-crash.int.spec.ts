import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import type { RecordedEvent } from '#event-store/event-store.port';
import { verifyChain } from '#audit/verify-chain';
import { freePort, programPath } from '../support/programs';
import { tempDir } from '../support/temp-dir';

/**
 * The lifecycle runner and refunds under SIGKILL. Pending payments are recorded with the real
 * clock; then the API restarts under libfaketime (preloaded into it) 15 days later, so every one of them is due, and
 * is SIGKILLed at random moments while the runner activates them and refunds arrive. Afterwards:
 * no payment was activated twice, none was lost (no points are left pending), every acknowledged
 * refund is there exactly once and every other one at most once, the chain is intact, and the
 * read models reconcile with a replay.
 */
const CYCLES = Number(process.env['LEDGER_CRASH_CYCLES'] ?? 8);
const SECRET = 'lifecycle-crash-admin-secret-0123456789';
const AUTH = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
const PAYMENTS = 300;

/**
 * libfaketime preloaded into the API itself, not the `faketime` wrapper: the wrapper forks, so a
 * SIGKILL sent to it would leave the API running (and answering the next cycle's requests).
 */
const FAKETIME_LIBRARY = '/usr/$LIB/faketime/libfaketime.so.1';
const underFaketime = (shift: string): NodeJS.ProcessEnv => ({ LD_PRELOAD: FAKETIME_LIBRARY, FAKETIME: shift });

function faketimeAvailable(): boolean {
  try {
    const shifted = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env: { ...process.env, ...underFaketime('+1d') } });
    return Number(shifted.toString()) - Date.now() > 23 * 3_600_000;
  } catch {
    return false;
  }
}

interface Refund {
  readonly key: string;
  readonly customerId: string;
  readonly paymentId: string;
  readonly refundIdentifier: string;
  outcome: 'acknowledged' | 'unknown';
}

describe('the lifecycle runner and refunds, killed with SIGKILL', () => {
  const dir = tempDir('lifecycle-crash-');
  afterAll(() => dir.cleanup());

  beforeAll(() => {
    // Debian's faketime (libfaketime) moves the API's clock; .ci/run installs it.
    if (!faketimeAvailable()) throw new Error('the Debian package faketime is needed to move the API clock (apt-get install faketime)');
  });

  it(`activates every due payment exactly once and keeps refunds exact, over ${CYCLES} kills`, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;

    // 1. Today: a 14-day return window, customers, pending payments.
    let api = start(dir.path, port, undefined);
    await ready(base);
    expect((await call(base, 'PUT', '/program', { pendingDays: 14 })).status).toBe(200);
    const customers = await Promise.all(
      Array.from(
        { length: 20 },
        async (_, i) => ((await (await call(base, 'POST', '/customers', { email: `lc-${i}@example.com` })).json()) as { customerId: string }).customerId,
      ),
    );
    const payments: { customerId: string; paymentId: string }[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const customerId = customers[i % customers.length]!;
      const res = await call(base, 'POST', `/customers/${customerId}/payments`, {
        locationId: 'store-1',
        amount: '10.00',
        purchaseIdentifier: `LC-${i}`,
        occurredAt: new Date().toISOString(),
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { paymentId: string; pending: number };
      payments.push({ customerId, paymentId: body.paymentId });
    }
    api.kill('SIGTERM');
    await exited(api);

    // 2. Fifteen days later: everything is due. Kill the API while it activates and refunds arrive.
    const refunds: Refund[] = [];
    let sequence = 0;
    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      api = start(dir.path, port, '+15d');
      await ready(base);
      if (cycle === CYCLES) break;
      let stop = false;
      const workers = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const n = sequence++;
          const payment = payments[(n * 7) % payments.length]!;
          const refund: Refund = { key: `lc-refund-${n}`, ...payment, refundIdentifier: `CN-${n}`, outcome: 'unknown' };
          refunds.push(refund);
          try {
            const res = await call(
              base,
              'POST',
              `/customers/${payment.customerId}/payments/${payment.paymentId}/refunds`,
              { amount: '0.50', refundIdentifier: refund.refundIdentifier, occurredAt: new Date(Date.now() + 15 * 86_400_000).toISOString() },
              { 'idempotency-key': refund.key },
            );
            if (res.status === 201) refund.outcome = 'acknowledged';
            else if (res.status !== 503) expect([res.status, await res.text()]).toEqual([201, '']);
          } catch {
            stop = true; // the server died under us
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 400)));
      api.kill('SIGKILL');
      stop = true;
      await Promise.all([exited(api), ...workers]);
      // The process killed was the API: nothing answers until the next one starts.
      await expect(call(base, 'GET', '/program')).rejects.toThrow();
    }

    // 3. The last start runs to the end: nothing left pending, read models reconciled.
    await settled(base, customers);
    api.kill('SIGTERM');
    await exited(api);

    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite'), readOnly: true });
    const events: RecordedEvent[] = [];
    for (let after = 0n; ;) {
      const page = await store.readAll({ after, maxCount: 5000 });
      if (page.length === 0) break;
      events.push(...page);
      after = page[page.length - 1]!.position;
    }
    const chain = await verifyChain(store);
    await store.close();

    const activations = new Map<string, number>();
    const refundsRecorded = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'PointsActivated') activations.set(String(e.data['paymentId']), (activations.get(String(e.data['paymentId'])) ?? 0) + 1);
      if (e.type === 'PaymentRefunded')
        refundsRecorded.set(String(e.data['refundIdentifier']), (refundsRecorded.get(String(e.data['refundIdentifier'])) ?? 0) + 1);
    }
    // Never twice, never lost: every payment activated exactly once (a 0.50 refund leaves points to activate).
    const counts = payments.map((p) => activations.get(p.paymentId) ?? 0);
    expect({ twice: counts.filter((c) => c > 1).length, lost: counts.filter((c) => c === 0).length }).toEqual({ twice: 0, lost: 0 });
    for (const r of refunds) {
      const count = refundsRecorded.get(r.refundIdentifier) ?? 0;
      if (r.outcome === 'acknowledged') expect({ refund: r.refundIdentifier, count }).toEqual({ refund: r.refundIdentifier, count: 1 });
      else expect({ refund: r.refundIdentifier, atMostOnce: count <= 1 }).toEqual({ refund: r.refundIdentifier, atMostOnce: true });
    }
    expect(refunds.filter((r) => r.outcome === 'acknowledged').length).toBeGreaterThan(CYCLES);
    expect(chain.findings).toEqual([]);
  }, 600_000);
});

function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { method, headers: { ...AUTH, ...headers }, ...(body !== undefined && { body: JSON.stringify(body) }) });
}

/** No customer has points left pending, and the read models agree with a replay. */
async function settled(base: string, customers: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pending = await Promise.all(
      customers.map(async (id) => ((await (await call(base, 'GET', `/customers/${id}`)).json()) as { balance: { pending: number } }).balance.pending),
    );
    const status = (await (await call(base, 'GET', '/projections')).json()) as { projections: { lag: string }[] };
    if (pending.every((p) => p === 0) && status.projections[0]?.lag === '0') break;
    if (Date.now() > deadline) throw new Error(`not settled: pending ${pending.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const report = (await (await call(base, 'GET', '/audit/reconcile')).json()) as { mismatches: unknown[] };
  expect(report.mismatches).toEqual([]);
}

/** The built API, under faketime when `shift` is given (e.g. "+15d"). */
function start(dataDir: string, port: number, shift: string | undefined): ChildProcess {
  const env = {
    ...process.env,
    PORT: String(port),
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_KEYS: `crash:admin:${SECRET}`,
    LEDGER_RATE_LIMIT: '0',
    LEDGER_LIFECYCLE_INTERVAL_MS: '100',
    LEDGER_LOG_FORMAT: 'json',
  };
  return spawn(process.execPath, [programPath('api')], { env: shift === undefined ? env : { ...env, ...underFaketime(shift) }, stdio: 'ignore' });
}

async function ready(base: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await call(base, 'GET', '/program')).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the API did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}
