import { countEventsAfter } from '#event-store/log-progress';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApiKeys } from '../../apps/ledger-api/src/app.module';
import { loadConfig } from '#runtime/config';
import { keyFor } from '#runtime/api-keys';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';
import { tempDir } from '../support/temp-dir';

/**
 * Access: a key on every route but the documentation, 401 without a valid one, 403 for the wrong
 * role, and the key's name recorded as the actor. The matrix covers every route and every role.
 */
const SECRETS = {
  operator: 'operator-secret-0123456789abcdef',
  auditor: 'auditor-secret-0123456789abcdefg',
  reporter: 'reporter-secret-0123456789abcdef',
  admin: 'second-admin-secret-0123456789ab',
} as const;
type Role = keyof typeof SECRETS;

describe('API keys and roles', () => {
  let ledger: RunningLedger;
  let customerId: string;
  /** Payments for the routes under a payment: one to refund a cent at a time, two with pending points (activate, void: admin only). */
  const payments = { refund: '', activate: '', void: '' };

  beforeAll(async () => {
    ledger = await startLedger({ apiKeys: (Object.keys(SECRETS) as Role[]).map((role) => `till-${role}:${role}:${SECRETS[role]}`) });
    customerId = await enrolCustomer(ledger);
    await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 100, reason: 'opening balance' });
    expect((await ledger.request('PUT', '/program', { pendingDays: 14 })).status).toBe(200);
    for (const purpose of Object.keys(payments) as (keyof typeof payments)[]) {
      const paid = await ledger.request('POST', `/customers/${customerId}/payments`, {
        locationId: 's1',
        amount: '10.00',
        purchaseIdentifier: `matrix-${purpose}`,
        occurredAt: new Date().toISOString(),
      });
      expect(paid.status).toBe(201);
      payments[purpose] = paid.body.paymentId;
    }
  });
  afterAll(async () => {
    await ledger.close();
  });

  const as = (role: Role) => ({ authorization: `Bearer ${SECRETS[role]}` });
  let receipt = 0;
  /** Every route, with a body that is valid, so a refusal can only come from access control. */
  const routes = (): [string, string, () => unknown, readonly Role[]][] => [
    ['GET', '/program', () => undefined, ['operator', 'auditor', 'reporter', 'admin']],
    ['PUT', '/program', () => ({ pointsPerUnit: '1' }), ['admin']],
    ['POST', '/customers', () => ({ email: `matrix-${++receipt}@example.com` }), ['operator', 'admin']],
    ['GET', '/customers?email=nobody@example.com', () => undefined, ['operator', 'auditor', 'admin']],
    ['GET', `/customers/${customerId}`, () => undefined, ['operator', 'auditor', 'admin']],
    ['POST', `/customers/${customerId}/visits`, () => ({ locationId: 's1', occurredAt: '2026-11-20T10:00:00Z' }), ['operator', 'admin']],
    [
      'POST',
      `/customers/${customerId}/payments`,
      () => ({ locationId: 's1', amount: '1.00', purchaseIdentifier: `M-${++receipt}`, occurredAt: '2026-11-20T10:00:00Z' }),
      ['operator', 'admin'],
    ],
    ['POST', `/customers/${customerId}/adjustments`, () => ({ points: 1, reason: 'matrix' }), ['operator', 'admin']],
    ['POST', `/customers/${customerId}/redemptions`, () => ({ points: 1 }), ['operator', 'admin']],
    [
      'POST',
      `/customers/${customerId}/payments/${payments.refund}/refunds`,
      () => ({ amount: '0.01', refundIdentifier: `CN-${++receipt}`, occurredAt: new Date().toISOString() }),
      ['operator', 'admin'],
    ],
    ['POST', `/customers/${customerId}/payments/${payments.activate}/activate`, () => ({ reason: 'matrix' }), ['admin']],
    ['POST', `/customers/${customerId}/payments/${payments.void}/void`, () => ({ reason: 'matrix' }), ['admin']],
    ['GET', `/customers/${customerId}/history`, () => undefined, ['auditor', 'admin']],
    ['GET', `/customers/${customerId}/history.csv`, () => undefined, ['auditor', 'admin']],
    ['GET', `/customers/${customerId}/balance`, () => undefined, ['operator', 'auditor', 'admin']],
    ['GET', `/customers/${customerId}/timeline`, () => undefined, ['operator', 'auditor', 'admin']],
    ['GET', `/customers/${customerId}/achievements`, () => undefined, ['operator', 'auditor', 'admin']],
    ['GET', '/reports/visits?from=2026-11-01&to=2026-11-30', () => undefined, ['reporter', 'auditor', 'admin']],
    ['GET', `/reports/visits/customers/${customerId}`, () => undefined, ['reporter', 'auditor', 'admin']],
    ['GET', `/customers/${customerId}/expirations`, () => undefined, ['operator', 'auditor', 'admin']],
    ['GET', '/reports/liability?from=2026-11-01&to=2026-11-30', () => undefined, ['reporter', 'auditor', 'admin']],
    ['GET', '/reports/tiers?from=2026-11-01&to=2026-11-30', () => undefined, ['reporter', 'auditor', 'admin']],
    ['GET', '/projections', () => undefined, ['operator', 'auditor', 'reporter', 'admin']],
    ['GET', '/reactions', () => undefined, ['operator', 'auditor', 'reporter', 'admin']],
    ['GET', '/lifecycle', () => undefined, ['operator', 'auditor', 'reporter', 'admin']],
    ['GET', '/audit/reconcile', () => undefined, ['auditor', 'admin']],
    ['GET', '/metrics', () => undefined, ['operator', 'auditor', 'reporter', 'admin']],
  ];

  it('allows each role exactly its routes and refuses the others with 403, writing nothing', async () => {
    const outcomes: string[] = [];
    for (const [method, path, body, allowed] of routes()) {
      for (const role of Object.keys(SECRETS) as Role[]) {
        const before = await ledger.store.headPosition();
        const response = await ledger.request(method, path, body(), as(role));
        const expected = allowed.includes(role) ? 'allowed' : 'forbidden';
        const actual = response.status === 403 ? 'forbidden' : response.status < 400 ? 'allowed' : `status ${response.status}`;
        outcomes.push(`${role} ${method} ${path}: ${actual}`);
        expect(`${role} ${method} ${path}: ${actual}`).toBe(`${role} ${method} ${path}: ${expected}`);
        if (expected === 'forbidden') {
          expectProblem(response, 403, 'forbidden');
          expect(await ledger.store.headPosition()).toBe(before);
        }
      }
    }
    expect(outcomes).toHaveLength(routes().length * 4);
  });

  it('refuses every route without a key, or with a wrong or malformed one, with 401 and a Bearer challenge', async () => {
    for (const [method, path, body] of routes()) {
      for (const authorization of ['', 'Bearer not-a-key-0123456789abcdefgh', `Basic ${SECRETS.admin}`, `Bearer ${SECRETS.admin} extra`]) {
        const response = await ledger.request(method, path, body(), { authorization });
        expectProblem(response, 401, 'unauthorized');
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="loyalty-ledger"');
      }
    }
  });

  it('never repeats the secret it was sent', async () => {
    const response = await ledger.request('GET', '/program', undefined, { authorization: 'Bearer leak-canary-secret-0123456789abc' });
    expect(JSON.stringify(response.body)).not.toContain('leak-canary');
  });

  it("records the key's name as the actor of every event it writes", async () => {
    const paid = await ledger.request(
      'POST',
      `/customers/${customerId}/payments`,
      { locationId: 's1', amount: '2.00', purchaseIdentifier: 'actor-1', occurredAt: '2026-11-20T10:00:00Z' },
      as('operator'),
    );
    expect(paid.status).toBe(201);
    const history = await ledger.request('GET', `/customers/${customerId}/history`, undefined, as('auditor'));
    const written = history.body.entries.filter(
      (e: { commandId: string; purchaseIdentifier?: string; paymentId?: string }) => e.purchaseIdentifier === 'actor-1' || e.paymentId === paid.body.paymentId,
    );
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.every((e: { actor: string }) => e.actor === 'till-operator')).toBe(true);
  });

  it('serves the API documentation without a key', async () => {
    expect((await ledger.request('GET', '/docs', undefined, { authorization: '' })).status).toBe(200);
    expect((await ledger.request('GET', '/docs-json', undefined, { authorization: '' })).status).toBe(200);
  });

  it('serves the console without a key (static files: the page holds no data)', async () => {
    // 200 once built (`npm run build`), 503 "not built" before: never a challenge for a key.
    for (const path of ['/console', '/console/customers/x', '/console/assets/none.js']) {
      const response = await ledger.request('GET', path, undefined, { authorization: '' });
      expect({ path, status: String(response.status), challenge: response.headers.get('www-authenticate') }).toEqual({
        path,
        status: expect.not.stringMatching(/^40[13]$/),
        challenge: null,
      });
    }
  });
});

describe('keys at start-up', () => {
  it('makes an admin key on first start without keys, keeps only its digest (0600), and reuses it afterwards', () => {
    const dir = tempDir('first-start-');
    try {
      const config = loadConfig({ LEDGER_DATA_DIR: dir.path });
      const [first] = loadApiKeys(config);
      expect(first).toMatchObject({ name: 'admin', role: 'admin' });
      const file = join(dir.path, 'api-keys.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const stored = readFileSync(file, 'utf8');
      expect(stored).toContain(first!.secretSha256);
      expect(loadApiKeys(config)).toEqual([first]);
      expect(keyFor([first!], 'a guess that is long enough')).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  });

  it('refuses to start in production without keys', () => {
    const dir = tempDir('production-');
    try {
      expect(() => loadApiKeys(loadConfig({ LEDGER_DATA_DIR: dir.path, LEDGER_ENV: 'production' }))).toThrow(/No API keys/);
    } finally {
      dir.cleanup();
    }
  });

  it('names a bad LEDGER_API_KEYS entry by position without echoing its secret', () => {
    expect(() => loadConfig({ LEDGER_API_KEYS: 'ok:admin:long-enough-secret-0123456789,bad:root:canary-secret-0123456789abcd' })).toThrow(
      /entry 2: expected a role/,
    );
    expect(() => loadConfig({ LEDGER_API_KEYS: 'short:admin:canary' })).toThrow(/entry 1: expected a secret of at least 24/);
    expect(() => loadConfig({ LEDGER_API_KEYS: 'short:admin:canary' })).not.toThrow(/canary/);
    expect(() => loadConfig({ LEDGER_API_KEYS: 'a:admin:long-enough-secret-0123456789,a:operator:another-long-secret-0123456789' })).toThrow(/used twice/);
  });
});

describe('rate limiting per key', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ rateLimitPerSecond: 5, apiKeys: ['other:operator:other-operator-secret-0123456789'] });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('answers 429 with Retry-After once a key spends its burst, without touching other keys', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<RunningLedger['request']>> | undefined;
    for (let i = 0; i < 15; i++) {
      const response = await ledger.request('GET', '/program');
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200)); // a burst of twice the rate
    expect(statuses).toContain(429);
    expectProblem(limited!, 429, 'rate-limited');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await ledger.request('GET', '/program', undefined, { authorization: 'Bearer other-operator-secret-0123456789' })).status).toBe(200);
  });

  it('refuses a rate-limited command without writing it', async () => {
    const before = await ledger.store.headPosition();
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      const r = await ledger.request('POST', '/customers', { email: `burst-${i}@example.com` });
      if (r.status === 429) refused += 1;
      else expect(r.status).toBe(201);
    }
    expect(refused).toBeGreaterThan(0);
    // Each enrolment that got through wrote its reservation and its customer event.
    expect(await countEventsAfter(ledger.store, before)).toBe(2 * (20 - refused));
  });
});
