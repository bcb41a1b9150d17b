import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { verifyChain } from '#audit/verify-chain';
import { tempDir } from '../support/temp-dir';

/**
 * The API as a child process under load, SIGKILLed at random moments and restarted, CYCLES times.
 * Afterwards: every acknowledged payment is in the ledger exactly once; every unacknowledged one
 * is wholly there (payment and its purchase visit) or wholly absent; the hash chain is intact;
 * and once the projector has caught up, reconciliation finds the read models equal to a replay.
 */
const API = join(__dirname, '../../dist/apps/ledger-api/src/main.js');
const CYCLES = Number(process.env['LEDGER_CRASH_CYCLES'] ?? 20);
const SECRET = 'crash-test-admin-secret-0123456789';
const AUTH = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

interface Sent {
  readonly key: string;
  readonly customerId: string;
  readonly purchaseIdentifier: string;
  outcome: 'acknowledged' | 'unknown';
  paymentId?: string;
}

describe('ledger-api killed with SIGKILL under load', () => {
  const dir = tempDir('api-crash-');
  afterAll(() => dir.cleanup());

  it(`keeps every acknowledged command exactly once and every other one all-or-nothing, over ${CYCLES} kills`, async () => {
    if (!existsSync(API)) throw new Error(`${API} is missing: run "npm run build" first (npm test does)`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const sent: Sent[] = [];
    let customers: string[] = [];
    let sequence = 0;

    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const api = start(dir.path, port);
      await ready(base);
      if (customers.length === 0) {
        customers = await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const res = await fetch(`${base}/customers`, { method: 'POST', headers: AUTH, body: JSON.stringify({ email: `crash-${i}@example.com` }) });
            return ((await res.json()) as { customerId: string }).customerId;
          }),
        );
      }
      if (cycle === CYCLES) {
        // The last start: no kill. Let the projector catch up, then check everything.
        await expectConsistent(base, sent);
        api.kill('SIGTERM');
        await exited(api);
        break;
      }
      let stop = false;
      const workers = Array.from({ length: 12 }, async () => {
        while (!stop) {
          const n = sequence++;
          const entry: Sent = { key: `crash-key-${n}`, customerId: customers[n % customers.length]!, purchaseIdentifier: `C-${n}`, outcome: 'unknown' };
          sent.push(entry);
          try {
            const res = await fetch(`${base}/customers/${entry.customerId}/payments`, {
              method: 'POST',
              headers: { ...AUTH, 'idempotency-key': entry.key },
              body: JSON.stringify({
                locationId: 'store-1',
                amount: '1.00',
                purchaseIdentifier: entry.purchaseIdentifier,
                occurredAt: '2026-11-20T10:00:00Z',
                source: 'scan',
              }),
            });
            if (res.status === 201) {
              entry.outcome = 'acknowledged';
              entry.paymentId = ((await res.json()) as { paymentId: string }).paymentId;
            }
          } catch {
            stop = true; // the server died under us: this request's fate is unknown
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 450)));
      api.kill('SIGKILL');
      stop = true;
      await Promise.all([exited(api), ...workers]);
    }

    expect(sent.filter((s) => s.outcome === 'acknowledged').length).toBeGreaterThan(CYCLES * 5);

    // The ledger itself, read straight from the store.
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite'), readOnly: true });
    const payments = new Map<string, number>();
    const visitsForPayment = new Map<string, number>();
    const paymentIdByPurchase = new Map<string, string>();
    let after = 0n;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 5000 });
      if (page.length === 0) break;
      for (const e of page) {
        after = e.position;
        if (e.type === 'PaymentRecorded') {
          const purchase = String(e.data['purchaseIdentifier']);
          payments.set(purchase, (payments.get(purchase) ?? 0) + 1);
          paymentIdByPurchase.set(purchase, String(e.data['paymentId']));
        }
        if (e.type === 'VisitCreated' && typeof e.data['paymentId'] === 'string') {
          visitsForPayment.set(e.data['paymentId'], (visitsForPayment.get(e.data['paymentId']) ?? 0) + 1);
        }
      }
    }
    const chain = await verifyChain(store);
    await store.close();

    for (const s of sent) {
      const count = payments.get(s.purchaseIdentifier) ?? 0;
      if (s.outcome === 'acknowledged') {
        expect({ purchase: s.purchaseIdentifier, count, paymentId: paymentIdByPurchase.get(s.purchaseIdentifier) }).toEqual({
          purchase: s.purchaseIdentifier,
          count: 1,
          paymentId: s.paymentId,
        });
      } else {
        expect({ purchase: s.purchaseIdentifier, atMostOnce: count <= 1 }).toEqual({ purchase: s.purchaseIdentifier, atMostOnce: true });
      }
      // All or nothing: a payment is there with exactly its purchase visit, or neither is.
      const paymentId = paymentIdByPurchase.get(s.purchaseIdentifier);
      if (paymentId !== undefined) expect({ paymentId, visits: visitsForPayment.get(paymentId) ?? 0 }).toEqual({ paymentId, visits: 1 });
    }
    expect(chain.findings).toEqual([]);
  }, 300_000);
});

async function expectConsistent(base: string, sent: readonly Sent[]): Promise<void> {
  // Retrying an unknown command with its Idempotency-Key settles it: written once, never twice.
  const unknown = sent.filter((s) => s.outcome === 'unknown').slice(0, 20);
  for (const s of unknown) {
    const res = await fetch(`${base}/customers/${s.customerId}/payments`, {
      method: 'POST',
      headers: { ...AUTH, 'idempotency-key': s.key },
      body: JSON.stringify({
        locationId: 'store-1',
        amount: '1.00',
        purchaseIdentifier: s.purchaseIdentifier,
        occurredAt: '2026-11-20T10:00:00Z',
        source: 'scan',
      }),
    });
    expect(res.status).toBe(201);
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = (await (await fetch(`${base}/projections`, { headers: AUTH })).json()) as { projections: { lag: string }[] };
    if (status.projections[0]?.lag === '0') break;
    if (Date.now() > deadline) throw new Error('the projector did not catch up');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const report = (await (await fetch(`${base}/audit/reconcile`, { headers: AUTH })).json()) as { mismatches: unknown[] };
  expect(report.mismatches).toEqual([]);
}

function start(dataDir: string, port: number): ChildProcess {
  return fork(API, [], {
    env: { ...process.env, PORT: String(port), LEDGER_DATA_DIR: dataDir, LEDGER_API_KEYS: `crash:admin:${SECRET}`, LEDGER_RATE_LIMIT: '0' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
}

async function ready(base: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/program`, { headers: AUTH })).ok) return;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
