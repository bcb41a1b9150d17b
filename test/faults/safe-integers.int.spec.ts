import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { expectNothingWritten, expectProblem, paymentBody } from '../support/e2e';

/**
 * Points beyond 2^53 must never be silently lost. The probe: a JPY program at 1000 points per
 * yen and a payment of 999,999,999,999 yen took a balance past Number.MAX_SAFE_INTEGER, after
 * which +1 adjustments vanished and reconciliation (sharing the arithmetic) found nothing. Now
 * every balance and lifetime total is bounded (10^12 points), a command past it is refused with
 * 422 amount-out-of-range and writes nothing, and reconcile checks with its own BigInt sums.
 */
describe('balances stay inside the safe-integer range', () => {
  let ledger: RunningLedger;

  beforeAll(async () => {
    ledger = await startLedger();
    const program = await ledger.request('PUT', '/program', { currency: 'JPY', pointsPerUnit: '1000', negativeBalance: 'allow' });
    expect(program.status).toBe(200);
  });
  afterAll(async () => {
    await ledger.close();
  });

  it("refuses the probe's payment (10^15 points) with 422 amount-out-of-range, writing nothing", async () => {
    const customerId = await enrolCustomer(ledger);
    const response = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '999999999999', currency: 'JPY' })),
    );
    expectProblem(response, 422, 'amount-out-of-range');
    expect(response.body).toMatchObject({ limit: 1_000_000_000_000 });
  });

  it('accepts up to the bound, refuses one point past it, and every point counts exactly', async () => {
    const customerId = await enrolCustomer(ledger);
    // 999,999,999 yen at 1000 points per yen: 999,999,999,000 points; then adjustments to the bound.
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '999999999', currency: 'JPY' }));
    expect(payment.body).toMatchObject({ pointsEarned: 999_999_999_000, balance: 999_999_999_000 });
    const toTheBound = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 1000, reason: 'to the bound' });
    expect(toTheBound.body).toMatchObject({ balance: 1_000_000_000_000 });
    const past = await expectNothingWritten(ledger, () =>
      ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 1, reason: 'one too many' }),
    );
    expectProblem(past, 422, 'amount-out-of-range');
    // Points move exactly near the bound: −3 then +3 (lifetime adjusted in would pass the bound: refused too).
    const down = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -3, reason: 'exact' });
    expect(down.body).toMatchObject({ balance: 999_999_999_997 });
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.balance).toEqual({ available: 999_999_999_997, pending: 0, owed: 0 });
    // Once the projection has the last adjustment, the read model and the ledger agree to the point.
    expect((await ledger.request('GET', `/customers/${customerId}/balance?minPosition=${down.body.position}`)).body).toMatchObject({
      available: 999_999_999_997,
    });
    const reconciled = await ledger.request('GET', '/audit/reconcile');
    expect(reconciled.body.mismatches).toEqual([]);
  });
});
