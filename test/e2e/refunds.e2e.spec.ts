import type { RecordedEvent } from '#event-store/event-store.port';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectInvalid, expectNothingWritten, expectProblem, head, paymentBody, randomCustomerId } from '../support/e2e';

/**
 * Returns over HTTP: POST /customers/{id}/payments/{paymentId}/refunds reverses the payment's
 * points in proportion (cumulatively, from what the payment earned), its cashback likewise, and
 * never refuses for lack of points: the shortfall is owed or written off as the program says.
 * The oracle here is the arithmetic, written out by hand for each case.
 */

const refundBody = (fields: Record<string, unknown> = {}) => ({
  amount: '10.00',
  refundIdentifier: `CN-${Math.random()}`,
  occurredAt: new Date().toISOString(),
  ...fields,
});

const ofType = (events: readonly RecordedEvent[], type: string) => events.filter((e) => e.type === type);

describe('refunds (POST /customers/{id}/payments/{paymentId}/refunds)', () => {
  let ledger: RunningLedger;

  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  async function paid(customerId: string, amount: string, fields: Record<string, unknown> = {}): Promise<string> {
    const response = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount, ...fields }));
    expect(response.status).toBe(201);
    return response.body.paymentId;
  }
  const refund = (customerId: string, paymentId: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    ledger.request('POST', `/customers/${customerId}/payments/${paymentId}/refunds`, refundBody(fields), headers);

  it('partial refunds never drift: 33.33 + 33.33 + 33.34 of 100.00 (100 points) reverse 33, 33 and 34', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '100.00');
    const reversed: number[] = [];
    for (const amount of ['33.33', '33.33', '33.34']) {
      const response = await refund(customerId, paymentId, { amount, reason: 'Returned' });
      expect(response.status).toBe(201);
      reversed.push(response.body.pointsReversed);
    }
    expect(reversed).toEqual([33, 33, 34]);
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body).toMatchObject({ balance: { available: 0, pending: 0, owed: 0 }, lifetime: { earned: 100, reversed: 100, writtenOff: 0 } });
    // The visit the store payment recorded stays: the customer was there.
    expect(customer.body.visitCount).toBe(1);
  });

  it('answers with the refund, how its points were found and the balances, and records the figures used', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '49.99');
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const response = await refund(customerId, paymentId, { amount: '10.00', refundIdentifier: 'CN-0042', occurredAt, reason: 'Wrong size' });
    expect(response.status).toBe(201);
    // floor(49 × 10.00 / 49.99) = floor(9.80…) = 9
    expect(response.body).toEqual({
      refundId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      paymentId,
      refundIdentifier: 'CN-0042',
      amount: '10.00',
      currency: 'USD',
      occurredAt,
      reason: 'Wrong size',
      pointsReversed: 9,
      fromPending: 0,
      fromAvailable: 9,
      owedAdded: 0,
      writtenOff: 0,
      cashbackReversed: [],
      balance: 40,
      pending: 0,
      owed: 0,
      position: expect.stringMatching(/^\d+$/),
    });
    const [event] = ofType(await accountEvents(ledger, customerId), 'PaymentRefunded');
    expect(event?.data).toMatchObject({
      paymentId,
      amountMinor: 1000,
      paymentAmountMinor: 4999,
      paymentPoints: 49,
      refundedBeforeMinor: 0,
      reversedBefore: 0,
      pointsReversed: 9,
      lots: [{ lotId: paymentId, points: 9 }],
      owed: 0,
      writtenOff: 0,
    });
    // The rest of the payment: 49 − 9 = 40 more, exactly what was left to reverse.
    const rest = await refund(customerId, paymentId, { amount: '39.99' });
    expect(rest.body).toMatchObject({ pointsReversed: 40, balance: 0 });
  });

  it('refuses a refund that would exceed the payment, writing nothing', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '20.00');
    expect((await refund(customerId, paymentId, { amount: '15.00' })).status).toBe(201);
    const over = await expectNothingWritten(ledger, () => refund(customerId, paymentId, { amount: '5.01' }));
    expectProblem(over, 422, 'refund-exceeds-payment');
    expect(over.body).toMatchObject({ paid: '20.00', refunded: '15.00', requested: '5.01', currency: 'USD' });
    expect((await refund(customerId, paymentId, { amount: '5.00' })).status).toBe(201);
  });

  it('404 for an unknown payment and for a payment of another customer; 404 for an unknown customer', async () => {
    const owner = await enrolCustomer(ledger);
    const other = await enrolCustomer(ledger);
    const paymentId = await paid(owner, '10.00');
    expectProblem(await expectNothingWritten(ledger, () => refund(other, paymentId)), 404, 'payment-not-found');
    expectProblem(await expectNothingWritten(ledger, () => refund(owner, randomCustomerId())), 404, 'payment-not-found');
    expectProblem(await expectNothingWritten(ledger, () => refund(randomCustomerId(), paymentId)), 404, 'customer-not-found');
  });

  it('the same refund identifier on a payment twice is 409, nothing written; another payment may use it', async () => {
    const customerId = await enrolCustomer(ledger);
    const first = await paid(customerId, '10.00');
    const second = await paid(customerId, '10.00');
    expect((await refund(customerId, first, { amount: '1.00', refundIdentifier: 'CN-7' })).status).toBe(201);
    const again = await expectNothingWritten(ledger, () => refund(customerId, first, { amount: '2.00', refundIdentifier: 'CN-7' }));
    expectProblem(again, 409, 'duplicate-refund');
    expect((await refund(customerId, second, { amount: '1.00', refundIdentifier: 'CN-7' })).status).toBe(201);
  });

  it('Idempotency-Key: the same request again answers the first time and writes nothing', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '10.00');
    const body = { amount: '5.00', refundIdentifier: 'CN-idem', occurredAt: new Date().toISOString() };
    const headers = { 'Idempotency-Key': `refund-${customerId}` };
    const first = await ledger.request('POST', `/customers/${customerId}/payments/${paymentId}/refunds`, body, headers);
    expect(first.status).toBe(201);
    const before = await head(ledger);
    const replay = await ledger.request('POST', `/customers/${customerId}/payments/${paymentId}/refunds`, body, headers);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await head(ledger)).toBe(before);
  });

  it('refuses bad input with the field named: amount, identifier, a time before the payment or in the future', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '10.00', { occurredAt: '2026-01-10T10:00:00Z' });
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { amount: '1.001' })), 'amount');
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { amount: '0.00' })), 'amount');
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { refundIdentifier: '' })), 'refundIdentifier');
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { refundIdentifier: 'x'.repeat(101) })), 'refundIdentifier');
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { occurredAt: '2026-01-09T10:00:00Z' })), 'occurredAt');
    expectProblem(
      await expectNothingWritten(ledger, () => refund(customerId, paymentId, { occurredAt: new Date(Date.now() + 3_600_000).toISOString() })),
      422,
      'occurred-in-future',
    );
    expectInvalid(await expectNothingWritten(ledger, () => refund(customerId, paymentId, { unexpected: true })), 'unexpected');
    expectInvalid(
      await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments/not-a-uuid/refunds`, refundBody())),
      'paymentId',
    );
  });

  it('a refund after the points were spent, under "debt": the shortfall is owed, paid first by the next earnings, and redemptions wait', async () => {
    const customerId = await enrolCustomer(ledger);
    const paymentId = await paid(customerId, '50.00');
    expect((await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 40 })).status).toBe(201);
    const full = await refund(customerId, paymentId, { amount: '50.00' });
    expect(full.body).toMatchObject({ pointsReversed: 50, fromAvailable: 10, owedAdded: 40, writtenOff: 0, balance: 0, owed: 40 });
    const redemption = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 }));
    expectProblem(redemption, 422, 'insufficient-points');
    expect(redemption.body).toMatchObject({ available: 0, owed: 40 });
    const next = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '30.00' }));
    expect(next.body).toMatchObject({ pointsEarned: 30, balance: 0, owed: 10 });
    const after = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '25.00' }));
    expect(after.body).toMatchObject({ balance: 15, owed: 0 });
  });
});

describe('refunds under reversalShortfall "writeOff", and of cashback', () => {
  let ledger: RunningLedger;

  beforeAll(async () => {
    ledger = await startLedger();
    const changed = await ledger.request('PUT', '/program', { reversalShortfall: 'writeOff', cashback: [{ ruleId: 'cashback-10', percent: '10' }] });
    expect(changed.body).toMatchObject({ reversalShortfall: 'writeOff', version: 2 });
  });
  afterAll(async () => {
    await ledger.close();
  });

  async function cashbackOf(customerId: string): Promise<RecordedEvent> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = (await accountEvents(ledger, customerId)).find((e) => e.type === 'PointsAdjusted' && e.data['kind'] === 'cashback');
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('no cashback was issued');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('the balance stops at zero and the event records the points written off', async () => {
    const customerId = await enrolCustomer(ledger);
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '50.00', source: 'manual' }));
    await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 40 });
    const full = await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/refunds`, refundBody({ amount: '50.00' }));
    expect(full.body).toMatchObject({ pointsReversed: 50, fromAvailable: 10, owedAdded: 0, writtenOff: 40, balance: 0, owed: 0 });
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.lifetime).toMatchObject({ earned: 50, redeemed: 40, reversed: 50, writtenOff: 40 });
  });

  it("reverses the payment's cashback in the same proportion, as its own event naming the cashback", async () => {
    const customerId = await enrolCustomer(ledger);
    // 10 % of 35.00 at 1 point per 1.00: floor(3.5) = 3 points of cashback (a scan payment earns it).
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '35.00', source: 'scan' }));
    const cashback = await cashbackOf(customerId);
    expect(cashback.data['points']).toBe(3);
    const half = await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/refunds`, refundBody({ amount: '17.50' }));
    // Payment: floor(35 × 17.50 / 35.00) = 17; cashback: floor(3 × 17.50 / 35.00) = 1.
    expect(half.body).toMatchObject({ pointsReversed: 17, cashbackReversed: [{ cashbackId: cashback.data['adjustmentId'], pointsReversed: 1 }] });
    const rest = await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/refunds`, refundBody({ amount: '17.50' }));
    expect(rest.body).toMatchObject({ pointsReversed: 18, cashbackReversed: [{ pointsReversed: 2 }], balance: 0 });
    const reversals = ofType(await accountEvents(ledger, customerId), 'CashbackReversed');
    expect(reversals.map((e) => [e.data['cashbackId'], e.data['refundId'], e.data['pointsReversed']])).toEqual([
      [cashback.data['adjustmentId'], half.body.refundId, 1],
      [cashback.data['adjustmentId'], rest.body.refundId, 2],
    ]);
  });

  it('history shows the refund and the reversal with the running balances', async () => {
    const customerId = await enrolCustomer(ledger);
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '20.00', source: 'manual' }));
    await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/refunds`, refundBody({ amount: '5.00' }));
    const history = await ledger.request('GET', `/customers/${customerId}/history`);
    expect(history.body).toMatchObject({ balance: 15, pending: 0, owed: 0 });
    const entry = history.body.entries.find((e: { type: string }) => e.type === 'PaymentRefunded');
    expect(entry).toMatchObject({
      pointsDelta: -5,
      balanceAfter: 15,
      pendingAfter: 0,
      owedAfter: 0,
      lotsMoved: [{ lotId: payment.body.paymentId, points: 5 }],
    });
    expect(history.body.lots).toEqual([expect.objectContaining({ lotId: payment.body.paymentId, remaining: 15 })]);
  });
});
