import { rmSync } from 'node:fs';
import { startLedger, type RunningLedger } from '../support/ledger-app';
import {
  customerWithPoints,
  eventsAfter,
  expectNothingWritten,
  expectProblem,
  head,
  historyOf,
  paymentBody,
  uniqueEmail,
  uniqueId,
  visitBody,
} from '../support/e2e';

interface Route {
  readonly name: string;
  /** Whether the same body twice without a key is two commands (not for unique e-mail / purchase). */
  readonly repeatable: boolean;
  /** Path and two different valid bodies for a fresh customer (funded with 100 points). */
  readonly setUp: (ledger: RunningLedger) => Promise<{ path: string; body: Record<string, unknown>; otherBody: Record<string, unknown> }>;
}

const routes: readonly Route[] = [
  {
    name: 'POST /customers',
    repeatable: false,
    setUp: async () => ({ path: '/customers', body: { email: uniqueEmail('idem'), name: 'Ada' }, otherBody: { email: uniqueEmail('idem-other') } }),
  },
  {
    name: 'POST /customers/{id}/visits',
    repeatable: true,
    setUp: async (ledger) => {
      const id = await customerWithPoints(ledger, 100);
      return { path: `/customers/${id}/visits`, body: visitBody({ kind: 'event', notes: 'launch' }), otherBody: visitBody({ kind: 'pickup' }) };
    },
  },
  {
    name: 'POST /customers/{id}/payments',
    repeatable: false,
    setUp: async (ledger) => {
      const id = await customerWithPoints(ledger, 100);
      const purchaseIdentifier = uniqueId('R');
      return {
        path: `/customers/${id}/payments`,
        body: paymentBody({ purchaseIdentifier, amount: '12.34' }),
        otherBody: paymentBody({ purchaseIdentifier, amount: '99.00' }),
      };
    },
  },
  {
    name: 'POST /customers/{id}/adjustments',
    repeatable: true,
    setUp: async (ledger) => {
      const id = await customerWithPoints(ledger, 100);
      return { path: `/customers/${id}/adjustments`, body: { points: -10, reason: 'goodwill' }, otherBody: { points: -11, reason: 'goodwill' } };
    },
  },
  {
    name: 'POST /customers/{id}/redemptions',
    repeatable: true,
    setUp: async (ledger) => {
      const id = await customerWithPoints(ledger, 100);
      return { path: `/customers/${id}/redemptions`, body: { points: 10, reference: 'v-1' }, otherBody: { points: 10, reference: 'v-2' } };
    },
  },
];

describe('Idempotency-Key on every POST', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  describe.each(routes)('$name', ({ setUp, repeatable }) => {
    it('the same key and body again returns the first answer, marked idempotent-replayed, and writes one set of events', async () => {
      const { path, body } = await setUp(ledger);
      const key = uniqueId('key');
      const before = await head(ledger);
      const first = await ledger.request('POST', path, body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const afterFirst = await head(ledger);
      expect(afterFirst).toBeGreaterThan(before);
      const written = await eventsAfter(ledger, before);

      for (let i = 0; i < 3; i++) {
        const again = await expectNothingWritten(ledger, () => ledger.request('POST', path, body, { 'idempotency-key': key }));
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
      }
      // Every event of that one command carries the key.
      for (const event of written) expect(event.metadata).toMatchObject({ idempotencyKey: key });
    });

    it('the same key with a different body is 422 idempotency-key-reused and writes nothing', async () => {
      const { path, body, otherBody } = await setUp(ledger);
      const key = uniqueId('key');
      expect((await ledger.request('POST', path, body, { 'idempotency-key': key })).status).toBe(201);
      const reused = await expectNothingWritten(ledger, () => ledger.request('POST', path, otherBody, { 'idempotency-key': key }));
      expectProblem(reused, 422, 'idempotency-key-reused');
      expect(reused.headers.get('idempotent-replayed')).toBeNull();
    });

    it('the same body with the keys of the JSON object in another order is the same request', async () => {
      const { path, body } = await setUp(ledger);
      const key = uniqueId('key');
      const first = await ledger.request('POST', path, body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const reversed = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()));
      expect(reversed).not.toBe(JSON.stringify(body));
      const again = await expectNothingWritten(ledger, () => ledger.request('POST', path, reversed, { 'idempotency-key': key }));
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
    });

    if (repeatable)
      it('without a key, the same body twice is two commands', async () => {
        const { path, body } = await setUp(ledger);
        const first = await ledger.request('POST', path, body);
        const second = await ledger.request('POST', path, body);
        expect([first.status, second.status]).toEqual([201, 201]);
        expect(second.headers.get('idempotent-replayed')).toBeNull();
        expect(second.body).not.toEqual(first.body);
      });
  });

  it('ten concurrent requests with the same key write one set of events and all answer the same body', async () => {
    const customerId = await customerWithPoints(ledger, 100);
    const key = uniqueId('key');
    const body = paymentBody({ amount: '7.00' });
    const before = await head(ledger);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => ledger.request('POST', `/customers/${customerId}/payments`, body, { 'idempotency-key': key })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const r of responses) expect(r.body).toEqual(responses[0]!.body);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    const written = await eventsAfter(ledger, before);
    expect(written.filter((e) => e.type === 'PaymentRecorded')).toHaveLength(1);
    expect((await historyOf(ledger, customerId)).balance).toBe(107);
  });

  it('a key of 200 visible ASCII characters is accepted; 201 characters is 400 and writes nothing', async () => {
    const customerId = await customerWithPoints(ledger, 10);
    const ok = await ledger.request('POST', `/customers/${customerId}/visits`, visitBody(), { 'idempotency-key': `${uniqueId('k')}`.padEnd(200, '~') });
    expect(ok.status).toBe(201);
    const tooLong = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/visits`, visitBody(), { 'idempotency-key': 'k'.repeat(201) }),
    );
    expectProblem(tooLong, 400);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ path: 'header.Idempotency-Key' })]);
  });

  it.each([['with a space'], ['tab\there'], ['caf\u00e9']])('a key with characters outside visible ASCII (%j) is 400 and writes nothing', async (key) => {
    const customerId = await customerWithPoints(ledger, 10);
    const response = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/visits`, visitBody(), { 'idempotency-key': key }),
    );
    expectProblem(response, 400);
  });

  it('the same key on another route of the same customer is 422 idempotency-key-reused', async () => {
    const customerId = await customerWithPoints(ledger, 100);
    const key = uniqueId('key');
    expect((await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 5 }, { 'idempotency-key': key })).status).toBe(201);
    const response = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 5, reason: 'x' }, { 'idempotency-key': key }),
    );
    expectProblem(response, 422, 'idempotency-key-reused');
  });

  // Keys are kept permanently and identify one request. A key already used for customer A,
  // sent again for customer B, is a different request: it must be refused, not executed.
  it('the same key and body on ANOTHER customer is 422 idempotency-key-reused and writes nothing', async () => {
    const a = await customerWithPoints(ledger, 100);
    const b = await customerWithPoints(ledger, 100);
    const key = uniqueId('key');
    expect((await ledger.request('POST', `/customers/${a}/adjustments`, { points: 5, reason: 'x' }, { 'idempotency-key': key })).status).toBe(201);
    const response = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${b}/adjustments`, { points: 5, reason: 'x' }, { 'idempotency-key': key }),
    );
    expectProblem(response, 422, 'idempotency-key-reused');
  });

  it('a reused key cannot credit the same purchase to a second customer (double-credit guard)', async () => {
    const a = await customerWithPoints(ledger, 0);
    const b = await customerWithPoints(ledger, 0);
    const key = uniqueId('key');
    const body = paymentBody({ amount: '50.00', source: 'online' });
    expect((await ledger.request('POST', `/customers/${a}/payments`, body, { 'idempotency-key': key })).status).toBe(201);
    const second = await ledger.request('POST', `/customers/${b}/payments`, body, { 'idempotency-key': key });
    expect(second.status).not.toBe(201);
    expectProblem(second, second.status);
    expect([409, 422]).toContain(second.status);
    expect((await historyOf(ledger, b)).balance).toBe(0);
  });
});

describe('Idempotency-Key across a restart', () => {
  it('a replay after restarting the API on the same data directory returns the first answer and writes nothing', async () => {
    const first = await startLedger();
    const dataDir = first.dataDir;
    try {
      const customerId = await customerWithPoints(first, 100);
      const enrolKey = uniqueId('key');
      const enrolBody = { email: uniqueEmail('restart'), phone: '+3531234567' };
      const enrolled = await first.request('POST', '/customers', enrolBody, { 'idempotency-key': enrolKey });
      expect(enrolled.status).toBe(201);
      const payKey = uniqueId('key');
      const payBody = paymentBody({ amount: '20.00' });
      const paid = await first.request('POST', `/customers/${customerId}/payments`, payBody, { 'idempotency-key': payKey });
      expect(paid.status).toBe(201);
      const redeemKey = uniqueId('key');
      const redeemed = await first.request('POST', `/customers/${customerId}/redemptions`, { points: 50 }, { 'idempotency-key': redeemKey });
      expect(redeemed.status).toBe(201);
      await first.close({ keepData: true });

      const second = await startLedger({ dataDir });
      try {
        const before = await head(second);
        const enrolAgain = await second.request('POST', '/customers', enrolBody, { 'idempotency-key': enrolKey });
        const payAgain = await second.request('POST', `/customers/${customerId}/payments`, payBody, { 'idempotency-key': payKey });
        const redeemAgain = await second.request('POST', `/customers/${customerId}/redemptions`, { points: 50 }, { 'idempotency-key': redeemKey });
        for (const [again, original] of [
          [enrolAgain, enrolled],
          [payAgain, paid],
          [redeemAgain, redeemed],
        ] as const) {
          expect(again.status).toBe(201);
          expect(again.headers.get('idempotent-replayed')).toBe('true');
          expect(again.body).toEqual(original.body);
        }
        const reused = await second.request('POST', `/customers/${customerId}/redemptions`, { points: 51 }, { 'idempotency-key': redeemKey });
        expectProblem(reused, 422, 'idempotency-key-reused');
        expect(await head(second)).toBe(before);
        expect((await historyOf(second, customerId)).balance).toBe(70);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
