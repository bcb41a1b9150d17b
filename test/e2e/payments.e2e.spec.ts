import { randomUUID } from 'node:crypto';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import {
  accountEvents,
  eventsAfter,
  expectInvalid,
  expectNothingWritten,
  expectProblem,
  head,
  historyOf,
  paymentBody,
  uniqueId,
  visitBody,
} from '../support/e2e';

describe('payments (POST /customers/{id}/payments) on the demo program', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  const pay = (customerId: string, body: Record<string, unknown>) => ledger.request('POST', `/customers/${customerId}/payments`, body);

  describe('points earned', () => {
    it('earns floor(amount × pointsPerUnit): "49.99" at "1" is 49, and the event records the ratio and program version', async () => {
      const customerId = await enrolCustomer(ledger);
      const body = paymentBody({ amount: '49.99', source: 'online' });
      const response = await pay(customerId, body);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        customerId,
        visitId: null,
        locationId: 'store-1',
        amount: '49.99',
        currency: 'USD',
        purchaseIdentifier: body['purchaseIdentifier'],
        occurredAt: '2025-06-01T10:00:00.000Z',
        source: 'online',
        pointsEarned: 49,
        pointsPerUnit: '1',
        programVersion: 1,
        activatesAt: null,
        tierId: null,
        multiplier: null,
        balance: 49,
        pending: 0,
        owed: 0,
        position: expect.stringMatching(/^\d+$/),
      });

      const history = await historyOf(ledger, customerId);
      const payment = history.entries.find((e) => e.type === 'PaymentRecorded');
      expect(payment).toMatchObject({
        paymentId: response.body.paymentId,
        amountMinor: 4999,
        currency: 'USD',
        points: 49,
        pointsPerUnit: '1',
        programVersion: 1,
        pointsDelta: 49,
        balanceAfter: 49,
      });
      expect(history.balance).toBe(49);

      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body).toMatchObject({ balance: { available: 49, pending: 0 }, paymentCount: 1, lifetime: expect.objectContaining({ earned: 49 }) });
    });

    it.each([
      ['0.01', 0],
      ['0.99', 0],
      ['1', 1],
      ['1.5', 1],
      ['100.00', 100],
      ['00012.30', 12],
    ])('amount %s earns %i point(s) at ratio "1"', async (amount, points) => {
      const customerId = await enrolCustomer(ledger);
      const response = await pay(customerId, paymentBody({ amount }));
      expect(response.status).toBe(201);
      expect(response.body.pointsEarned).toBe(points);
      expect(response.body.balance).toBe(points);
    });

    it('trims the amount string (" 5.00 ")', async () => {
      const customerId = await enrolCustomer(ledger);
      const response = await pay(customerId, paymentBody({ amount: ' 5.00 ' }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ amount: '5.00', pointsEarned: 5 });
    });
  });

  describe('visits created with a payment', () => {
    it.each(['manual', 'scan'])('an in-store (%s) payment without visitId also records a purchase visit, before the payment, in one append', async (source) => {
      const customerId = await enrolCustomer(ledger);
      const before = await head(ledger);
      const response = await pay(customerId, paymentBody({ source, amount: '20.00' }));
      expect(response.status).toBe(201);
      expect(response.body.visitId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));

      const history = await historyOf(ledger, customerId);
      expect(history.entries.map((e) => e.type)).toEqual(['CustomerEnrolled', 'VisitCreated', 'PaymentRecorded']);
      const [, visit, payment] = history.entries;
      expect(visit).toMatchObject({
        visitId: response.body.visitId,
        kind: 'purchase',
        source,
        locationId: 'store-1',
        paymentId: response.body.paymentId,
        pointsDelta: 0,
      });
      expect(payment).toMatchObject({ visitId: response.body.visitId, paymentId: response.body.paymentId, points: 20 });
      // Both events carry the same command id: they were written by one command.
      expect(visit.commandId).toBe(payment.commandId);
      expect(BigInt(payment.revision)).toBe(BigInt(visit.revision) + 1n);

      const written = await eventsAfter(ledger, before);
      const ledgerEvents = written.filter((e) => e.streamName === `loyaltyAccount-${customerId}`);
      expect(ledgerEvents.map((e) => e.type)).toEqual(['VisitCreated', 'PaymentRecorded']);
      // Adjacent in the global log: nothing was committed between them (positions are not counts).
      expect(written.indexOf(ledgerEvents[1]!)).toBe(written.indexOf(ledgerEvents[0]!) + 1);

      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body).toMatchObject({ visitCount: 1, paymentCount: 1 });
    });

    it('the default source is manual, so a payment without source and visitId creates a visit', async () => {
      const customerId = await enrolCustomer(ledger);
      const response = await pay(customerId, paymentBody());
      expect(response.status).toBe(201);
      expect(response.body.source).toBe('manual');
      expect(response.body.visitId).not.toBeNull();
    });

    it('an online payment creates no visit (visitId null)', async () => {
      const customerId = await enrolCustomer(ledger);
      const response = await pay(customerId, paymentBody({ source: 'online' }));
      expect(response.status).toBe(201);
      expect(response.body.visitId).toBeNull();
      const history = await historyOf(ledger, customerId);
      expect(history.entries.map((e) => e.type)).toEqual(['CustomerEnrolled', 'PaymentRecorded']);
      expect(history.entries[1]).not.toHaveProperty('visitId');
      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body.visitCount).toBe(0);
    });

    it.each(['manual', 'online'])('a %s payment with an existing visitId attaches to that visit and creates none', async (source) => {
      const customerId = await enrolCustomer(ledger);
      const visit = await ledger.request('POST', `/customers/${customerId}/visits`, visitBody({ kind: 'service' }));
      expect(visit.status).toBe(201);
      const response = await pay(customerId, paymentBody({ visitId: visit.body.visitId, source }));
      expect(response.status).toBe(201);
      expect(response.body.visitId).toBe(visit.body.visitId);
      const history = await historyOf(ledger, customerId);
      expect(history.entries.map((e) => e.type)).toEqual(['CustomerEnrolled', 'VisitCreated', 'PaymentRecorded']);
      expect(history.entries[2]).toMatchObject({ visitId: visit.body.visitId });
      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body).toMatchObject({ visitCount: 1, paymentCount: 1 });
    });

    it('an unknown visitId is 422 visit-not-found and writes nothing; the purchase identifier stays free', async () => {
      const customerId = await enrolCustomer(ledger);
      const body = paymentBody();
      const visitId = randomUUID();
      const response = await expectNothingWritten(ledger, () => pay(customerId, { ...body, visitId }));
      expectProblem(response, 422, 'visit-not-found');
      expect(response.body.visitId).toBe(visitId);
      expect((await pay(customerId, body)).status).toBe(201);
    });

    it("another customer's visit is 422 visit-not-found", async () => {
      const owner = await enrolCustomer(ledger);
      const other = await enrolCustomer(ledger);
      const visit = await ledger.request('POST', `/customers/${owner}/visits`, visitBody());
      const response = await expectNothingWritten(ledger, () => pay(other, paymentBody({ visitId: visit.body.visitId })));
      expectProblem(response, 422, 'visit-not-found');
    });
  });

  describe('the double-credit guard: (locationId, purchaseIdentifier) is unique across customers', () => {
    it('a second payment with the same location and purchase identifier is 409 duplicate-purchase for the same customer, nothing written', async () => {
      const customerId = await enrolCustomer(ledger);
      const body = paymentBody({ amount: '30.00' });
      expect((await pay(customerId, body)).status).toBe(201);
      const again = await expectNothingWritten(ledger, () => pay(customerId, { ...body, amount: '31.00' }));
      expectProblem(again, 409, 'duplicate-purchase');
      expect(again.body).toMatchObject({ locationId: body['locationId'], purchaseIdentifier: body['purchaseIdentifier'] });
      expect((await historyOf(ledger, customerId)).balance).toBe(30);
    });

    it('…and for ANOTHER customer, nothing written', async () => {
      const first = await enrolCustomer(ledger);
      const second = await enrolCustomer(ledger);
      const body = paymentBody({ amount: '30.00', source: 'online' });
      expect((await pay(first, body)).status).toBe(201);
      const response = await expectNothingWritten(ledger, () => pay(second, body));
      expectProblem(response, 409, 'duplicate-purchase');
      expect(await accountEvents(ledger, second)).toHaveLength(1);
      expect((await historyOf(ledger, second)).balance).toBe(0);
    });

    it('the same purchase identifier at another location is a different purchase', async () => {
      const customerId = await enrolCustomer(ledger);
      const purchaseIdentifier = uniqueId('R');
      expect((await pay(customerId, paymentBody({ purchaseIdentifier, locationId: 'store-1' }))).status).toBe(201);
      const other = await pay(customerId, paymentBody({ purchaseIdentifier, locationId: 'store-2' }));
      expect(other.status).toBe(201);
      expect(other.body.balance).toBe(20);
    });

    it('the purchase identifier is compared after trimming, and is case-sensitive', async () => {
      const customerId = await enrolCustomer(ledger);
      const purchaseIdentifier = uniqueId('Rcase');
      expect((await pay(customerId, paymentBody({ purchaseIdentifier }))).status).toBe(201);
      expectProblem(await pay(customerId, paymentBody({ purchaseIdentifier: ` ${purchaseIdentifier} ` })), 409, 'duplicate-purchase');
      expect((await pay(customerId, paymentBody({ purchaseIdentifier: purchaseIdentifier.toUpperCase() }))).status).toBe(201);
    });
  });

  describe('refusals', () => {
    let customerId: string;
    beforeAll(async () => {
      customerId = await enrolCustomer(ledger);
    });

    it('a currency other than the program’s is 422 currency-mismatch and writes nothing', async () => {
      const response = await expectNothingWritten(ledger, () => pay(customerId, paymentBody({ currency: 'EUR' })));
      expectProblem(response, 422, 'currency-mismatch');
      expect(response.body).toMatchObject({ expected: 'USD', actual: 'EUR' });
    });

    it('the program’s currency given explicitly is accepted', async () => {
      const response = await pay(customerId, paymentBody({ currency: 'USD' }));
      expect(response.status).toBe(201);
    });

    it.each([['49.999'], ['0'], ['0.00'], ['-1.00'], ['1e2'], ['.5'], ['5.'], ['1,000.00'], ['abc'], [''], ['10000000000.01'], ['99999999999999999']])(
      'amount "%s" is 400 with path amount and writes nothing',
      async (amount) => {
        const response = await expectNothingWritten(ledger, () => pay(customerId, paymentBody({ amount })));
        expectInvalid(response, 'amount');
      },
    );

    it.each([
      ['amount', { amount: 49.99 }],
      ['currency', { currency: 'usd' }],
      ['currency', { currency: 'ZZZ' }],
      ['purchaseIdentifier', { purchaseIdentifier: '' }],
      ['purchaseIdentifier', { purchaseIdentifier: 'p'.repeat(101) }],
      ['locationId', { locationId: 'store/1' }],
      ['occurredAt', { occurredAt: '2025-06-01 10:00' }],
      ['source', { source: 'till' }],
      ['visitId', { visitId: 'not-a-uuid' }],
      ['points', { points: 100 }],
    ])('an invalid %s (%j) is 400 naming the field and writes nothing', async (path, fields) => {
      const response = await expectNothingWritten(ledger, () => pay(customerId, paymentBody(fields)));
      expectInvalid(response, path);
    });

    it('missing required fields are each reported', async () => {
      const response = await expectNothingWritten(ledger, () => pay(customerId, {}));
      expectInvalid(response, 'locationId', 'amount', 'purchaseIdentifier', 'occurredAt');
    });

    it('a purchase identifier of 100 characters is accepted', async () => {
      const response = await pay(customerId, paymentBody({ purchaseIdentifier: `${uniqueId('R')}-`.padEnd(100, 'x') }));
      expect(response.status).toBe(201);
    });

    it('a payment more than 5 minutes in the future is 422 occurred-in-future and writes nothing', async () => {
      const occurredAt = new Date(Date.now() + 60 * 60_000).toISOString();
      const response = await expectNothingWritten(ledger, () => pay(customerId, paymentBody({ occurredAt })));
      expectProblem(response, 422, 'occurred-in-future');
    });

    it('an unknown customer is 404 and writes nothing (the purchase identifier is not reserved)', async () => {
      const body = paymentBody();
      const response = await expectNothingWritten(ledger, () => pay(randomUUID(), body));
      expectProblem(response, 404, 'customer-not-found');
      expect((await pay(customerId, body)).status).toBe(201);
    });
  });
});

describe('payments after a program change', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('earns at the new ratio ("10.01" at "2.5" → 25) and records version 2, while older payments keep their points', async () => {
    const customerId = await enrolCustomer(ledger);
    const old = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '10.01' }));
    expect(old.body).toMatchObject({ pointsEarned: 10, pointsPerUnit: '1', programVersion: 1 });

    const changed = await ledger.request('PUT', '/program', { pointsPerUnit: '2.5' });
    expect(changed.body.version).toBe(2);

    const response = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '10.01' }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ pointsEarned: 25, pointsPerUnit: '2.5', programVersion: 2, balance: 35 });

    const history = await historyOf(ledger, customerId);
    const payments = history.entries.filter((e) => e.type === 'PaymentRecorded');
    expect(payments.map((p) => [p.points, p.pointsPerUnit, p.programVersion, p.balanceAfter])).toEqual([
      [10, '1', 1, 10],
      [25, '2.5', 2, 35],
    ]);
    expect(history.balance).toBe(35);
  });

  it('a fractional ratio floors exactly, without floating point error ("9.99" at "0.1" → 0, "30.00" at "0.1" → 3, "100.00" at "0.29" → 29 where 0.29 × 100 in floats is 28.999…)', async () => {
    const customerId = await enrolCustomer(ledger);
    await ledger.request('PUT', '/program', { pointsPerUnit: '0.1' });
    expect((await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '9.99' }))).body.pointsEarned).toBe(0);
    expect((await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '30.00' }))).body.pointsEarned).toBe(3);
    await ledger.request('PUT', '/program', { pointsPerUnit: '0.29' });
    expect((await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '100.00' }))).body.pointsEarned).toBe(29);
  });
});

describe('payments in a zero-decimal currency (JPY program)', () => {
  let ledger: RunningLedger;
  let customerId: string;
  beforeAll(async () => {
    ledger = await startLedger();
    const changed = await ledger.request('PUT', '/program', { currency: 'JPY', pointsPerUnit: '1' });
    expect(changed.body).toMatchObject({ currency: 'JPY', version: 2 });
    customerId = await enrolCustomer(ledger);
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('refuses "10.5" (JPY has no minor digits) with 400 path amount, nothing written', async () => {
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '10.5' })));
    expectInvalid(response, 'amount');
  });

  it('accepts "1000" and earns 1000 points', async () => {
    const response = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '1000' }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ amount: '1000', currency: 'JPY', pointsEarned: 1000, programVersion: 2 });
    const events = await accountEvents(ledger, customerId);
    expect(events.find((e) => e.type === 'PaymentRecorded')!.data).toMatchObject({ amountMinor: 1000, currency: 'JPY', points: 1000 });
  });

  it('a USD payment is now a currency mismatch', async () => {
    const response = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '10', currency: 'USD' })),
    );
    expectProblem(response, 422, 'currency-mismatch');
    expect(response.body).toMatchObject({ expected: 'JPY', actual: 'USD' });
  });
});
