import { randomUUID } from 'node:crypto';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, customerWithPoints, expectInvalid, expectNothingWritten, expectProblem, historyOf } from '../support/e2e';

describe('adjustments and redemptions under the "deny" policy (demo program)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  const adjust = (customerId: string, body: unknown) => ledger.request('POST', `/customers/${customerId}/adjustments`, body);
  const redeem = (customerId: string, body: unknown) => ledger.request('POST', `/customers/${customerId}/redemptions`, body);

  describe('adjustments', () => {
    it('credits and debits with a reason: {adjustmentId, points, balance}, recorded as PointsAdjusted kind manual', async () => {
      const customerId = await enrolCustomer(ledger);
      const credit = await adjust(customerId, { points: 100, reason: '  Goodwill: delayed order ' });
      expect(credit.status).toBe(201);
      expect(credit.body).toEqual({
        adjustmentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        points: 100,
        reason: 'Goodwill: delayed order',
        balance: 100,
        pending: 0,
        owed: 0,
        position: expect.stringMatching(/^\d+$/),
      });
      const debit = await adjust(customerId, { points: -30, reason: 'Correction' });
      expect(debit.status).toBe(201);
      expect(debit.body).toMatchObject({ points: -30, balance: 70 });
      expect(debit.body.adjustmentId).not.toBe(credit.body.adjustmentId);

      const events = await accountEvents(ledger, customerId);
      expect(events.slice(1).map((e) => [e.type, e.data['kind'], e.data['points'], e.data['reason']])).toEqual([
        ['PointsAdjusted', 'manual', 100, 'Goodwill: delayed order'],
        ['PointsAdjusted', 'manual', -30, 'Correction'],
      ]);
      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body).toMatchObject({ balance: { available: 70 }, lifetime: expect.objectContaining({ adjustedIn: 100, adjustedOut: 30 }) });
    });

    it('accepts the bounds ±1 and ±1e9', async () => {
      const customerId = await enrolCustomer(ledger);
      expect((await adjust(customerId, { points: 1_000_000_000, reason: 'max' })).body.balance).toBe(1_000_000_000);
      expect((await adjust(customerId, { points: -1_000_000_000, reason: 'max' })).body.balance).toBe(0);
      expect((await adjust(customerId, { points: 1, reason: 'min' })).body.balance).toBe(1);
      expect((await adjust(customerId, { points: -1, reason: 'min' })).body.balance).toBe(0);
    });

    it.each([
      ['reason', { points: 10 }],
      ['reason', { points: 10, reason: '' }],
      ['reason', { points: 10, reason: '   ' }],
      ['reason', { points: 10, reason: 'r'.repeat(501) }],
      ['reason', { points: 10, reason: 5 }],
      ['points', { points: 0, reason: 'zero' }],
      ['points', { points: 1.5, reason: 'fraction' }],
      ['points', { points: 2e9, reason: 'too many' }],
      ['points', { points: -2e9, reason: 'too many' }],
      ['points', { points: 1_000_000_001, reason: 'just over' }],
      ['points', { points: '10', reason: 'string' }],
      ['points', { points: null, reason: 'null' }],
      ['points', { reason: 'missing' }],
      ['kind', { points: 10, reason: 'x', kind: 'redemption' }],
    ])('an invalid %s (%j) is 400 naming the field and writes nothing', async (path, body) => {
      const customerId = await customerWithPoints(ledger, 5);
      const response = await expectNothingWritten(ledger, () => adjust(customerId, body));
      expectInvalid(response, path);
    });

    it('a reason of exactly 500 characters is accepted', async () => {
      const customerId = await enrolCustomer(ledger);
      expect((await adjust(customerId, { points: 3, reason: 'r'.repeat(500) })).status).toBe(201);
    });

    it('a debit below zero is 422 insufficient-points and writes nothing; a debit to exactly zero is fine', async () => {
      const customerId = await customerWithPoints(ledger, 40);
      const refused = await expectNothingWritten(ledger, () => adjust(customerId, { points: -41, reason: 'too much' }));
      expectProblem(refused, 422, 'insufficient-points');
      expect(refused.body).toMatchObject({ available: 40, requested: 41 });
      const ok = await adjust(customerId, { points: -40, reason: 'all of it' });
      expect(ok.status).toBe(201);
      expect(ok.body.balance).toBe(0);
    });

    it('an unknown customer is 404 and writes nothing', async () => {
      const response = await expectNothingWritten(ledger, () => adjust(randomUUID(), { points: 5, reason: 'x' }));
      expectProblem(response, 404, 'customer-not-found');
    });
  });

  describe('redemptions', () => {
    it('spends points: {redemptionId, points, balance}, recorded as PointsAdjusted kind redemption with negative points', async () => {
      const customerId = await customerWithPoints(ledger, 100);
      const response = await redeem(customerId, { points: 30, reason: 'Coffee', reference: 'voucher-7781' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        redemptionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        points: 30,
        reason: 'Coffee',
        reference: 'voucher-7781',
        balance: 70,
        pending: 0,
        owed: 0,
        position: expect.stringMatching(/^\d+$/),
      });

      const history = await historyOf(ledger, customerId);
      const entry = history.entries[history.entries.length - 1];
      expect(entry).toMatchObject({
        type: 'PointsAdjusted',
        kind: 'redemption',
        points: -30,
        pointsDelta: -30,
        balanceAfter: 70,
        adjustmentId: response.body.redemptionId,
        reason: 'Coffee',
        reference: 'voucher-7781',
      });
      const customer = await ledger.request('GET', `/customers/${customerId}`);
      expect(customer.body).toMatchObject({ balance: { available: 70 }, lifetime: expect.objectContaining({ redeemed: 30 }) });
    });

    it('reason and reference are optional (null in the answer, absent from the event)', async () => {
      const customerId = await customerWithPoints(ledger, 10);
      const response = await redeem(customerId, { points: 10 });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ points: 10, balance: 0, reason: null, reference: null });
      const events = await accountEvents(ledger, customerId);
      expect(events[events.length - 1]!.data).not.toHaveProperty('reason');
      expect(events[events.length - 1]!.data).not.toHaveProperty('reference');
    });

    it('more than the balance is 422 insufficient-points and writes nothing', async () => {
      const customerId = await customerWithPoints(ledger, 10);
      const response = await expectNothingWritten(ledger, () => redeem(customerId, { points: 11 }));
      expectProblem(response, 422, 'insufficient-points');
      expect(response.body).toMatchObject({ available: 10, requested: 11 });
      const empty = await enrolCustomer(ledger);
      expectProblem(await expectNothingWritten(ledger, () => redeem(empty, { points: 1 })), 422, 'insufficient-points');
    });

    it.each([
      ['points', { points: 0 }],
      ['points', { points: -5 }],
      ['points', { points: 1.5 }],
      ['points', { points: 2e9 }],
      ['points', { points: '5' }],
      ['points', {}],
      ['reason', { points: 1, reason: '' }],
      ['reason', { points: 1, reason: 'r'.repeat(501) }],
      ['reference', { points: 1, reference: 'x'.repeat(201) }],
      ['voucher', { points: 1, voucher: 'v' }],
    ])('an invalid %s (%j) is 400 naming the field and writes nothing', async (path, body) => {
      const customerId = await customerWithPoints(ledger, 5);
      const response = await expectNothingWritten(ledger, () => redeem(customerId, body));
      expectInvalid(response, path);
    });

    it('an unknown customer is 404 and writes nothing', async () => {
      const response = await expectNothingWritten(ledger, () => redeem(randomUUID(), { points: 1 }));
      expectProblem(response, 404, 'customer-not-found');
    });
  });
});

describe('adjustments and redemptions under the "allow" policy', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
    const changed = await ledger.request('PUT', '/program', { negativeBalance: 'allow' });
    expect(changed.body).toMatchObject({ negativeBalance: 'allow', version: 2 });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('a manual debit below zero is accepted: the customer owes what the balance could not cover', async () => {
    const customerId = await customerWithPoints(ledger, 10);
    const response = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -25, reason: 'Clawback after refund' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ points: -25, balance: 0, pending: 0, owed: 15 });
    const history = await historyOf(ledger, customerId);
    expect(history).toMatchObject({ balance: 0, owed: 15 });
    expect(history.entries[history.entries.length - 1]).toMatchObject({ balanceAfter: 0, owedAfter: 15, pointsDelta: -25 });
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.balance).toEqual({ available: 0, pending: 0, owed: 15 });
  });

  it('a redemption never overdraws, even under allow: 422 and nothing written', async () => {
    const customerId = await customerWithPoints(ledger, 10);
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 11 }));
    expectProblem(response, 422, 'insufficient-points');

    await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -20, reason: 'into the red' });
    const negative = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 }));
    expectProblem(negative, 422, 'insufficient-points');
    expect(negative.body).toMatchObject({ available: 0, owed: 10, requested: 1 });
  });

  it('a credit brings a negative balance back up', async () => {
    const customerId = await enrolCustomer(ledger);
    await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -5, reason: 'debt' });
    const credit = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 8, reason: 'repaid' });
    expect(credit.body.balance).toBe(3);
  });
});
