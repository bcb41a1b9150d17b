import type { RecordedEvent } from '#event-store/event-store.port';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectNothingWritten, expectProblem, head, paymentBody } from '../support/e2e';

/**
 * Pending points over HTTP: a program with a return window keeps a payment's points pending
 * until the end of the local day `pendingDays` after it; the lifecycle runner activates them
 * once its (injected, here movable) clock passes `activatesAt`, exactly once; an admin may
 * activate early or void. The expected instants are worked out by hand below.
 */

const DAY = 86_400_000;

describe('pending points and the lifecycle runner', () => {
  let ledger: RunningLedger;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    ledger = await startLedger({ clock, lifecycleIntervalMs: 100 });
    const changed = await ledger.request('PUT', '/program', { pendingDays: 14, timezone: 'Europe/Paris' });
    expect(changed.body).toMatchObject({ pendingDays: 14, version: 2 });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const activations = async (customerId: string): Promise<RecordedEvent[]> =>
    (await accountEvents(ledger, customerId)).filter((e) => e.type === 'PointsActivated');

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('records activatesAt at the end of the local day 14 days after the payment, and keeps the points pending', async () => {
    // The server clock on 24 November, whatever day the suite runs: the worked example's dates hold.
    offset = Date.parse('2026-11-24T11:00:00Z') - Date.now();
    const customerId = await enrolCustomer(ledger);
    await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 20, reason: 'opening' });
    // 10:15 in Paris on 23 November; the window ends with 7 December; points available at 8 December 00:00 Paris (23:00Z).
    const payment = await ledger.request(
      'POST',
      `/customers/${customerId}/payments`,
      paymentBody({ amount: '80.00', occurredAt: '2026-11-23T10:15:00+01:00' }),
    );
    expect(payment.status).toBe(201);
    expect(payment.body).toMatchObject({ pointsEarned: 80, activatesAt: '2026-12-07T23:00:00.000Z', balance: 20, pending: 80, owed: 0 });
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.balance).toEqual({ available: 20, pending: 80, owed: 0 });
    expect(customer.body.lifetime).toMatchObject({ earned: 80, adjustedIn: 20 });
    // Pending points cannot be spent.
    const spend = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 21 }));
    expectProblem(spend, 422, 'insufficient-points');
    // A refund inside the window (a day later) takes its points from the pending ones: nothing is owed.
    offset = Date.parse('2026-11-25T13:00:00Z') - Date.now();
    const refund = await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/refunds`, {
      amount: '30.00',
      refundIdentifier: 'CN-1',
      occurredAt: '2026-11-25T12:00:00+01:00',
    });
    expect(refund.body).toMatchObject({ pointsReversed: 30, fromPending: 30, fromAvailable: 0, owedAdded: 0, balance: 20, pending: 50, owed: 0 });
  });

  it('the runner activates due points once its clock passes activatesAt, exactly once, with the business time of activatesAt', async () => {
    offset = 0;
    const customerId = await enrolCustomer(ledger);
    const occurredAt = clock().toISOString();
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '12.00', occurredAt }));
    const activatesAt: string = payment.body.activatesAt;
    expect(Date.parse(activatesAt) - Date.parse(occurredAt)).toBeGreaterThan(14 * DAY);
    expect(Date.parse(activatesAt) - Date.parse(occurredAt)).toBeLessThanOrEqual(15 * DAY);
    // Not yet due: several passes of the runner write nothing.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await activations(customerId)).toEqual([]);

    offset = Date.parse(activatesAt) - Date.now() + 1_000;
    const [activation] = await until('the activation', async () => {
      const found = await activations(customerId);
      return found.length > 0 ? found : undefined;
    });
    expect(activation?.data).toMatchObject({ paymentId: payment.body.paymentId, occurredAt: activatesAt, early: false, points: 12 });
    expect(activation?.metadata['actor']).toBe('system:lifecycle');
    // More passes: still one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await activations(customerId)).toHaveLength(1);
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.balance).toEqual({ available: 12, pending: 0, owed: 0 });
    const status = await ledger.request('GET', '/lifecycle');
    expect(status.body).toMatchObject({ mode: 'inline', ok: true });
    expect(status.body.lastRun).toEqual(expect.objectContaining({ asOf: expect.any(String) }));
  });

  it('an admin activates early (an operator may not); a void cancels pending points; neither twice', async () => {
    offset = 0;
    const customerId = await enrolCustomer(ledger);
    const early = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '10.00', occurredAt: clock().toISOString() }));
    const voided = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '7.00', occurredAt: clock().toISOString() }));
    const activate = await ledger.request('POST', `/customers/${customerId}/payments/${early.body.paymentId}/activate`, { reason: 'gift purchase' });
    expect(activate.status).toBe(201);
    expect(activate.body).toMatchObject({ paymentId: early.body.paymentId, activated: 10, early: true, balance: 10, pending: 7 });
    expectProblem(
      await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments/${early.body.paymentId}/activate`, {})),
      422,
      'points-not-pending',
    );

    const v = await ledger.request('POST', `/customers/${customerId}/payments/${voided.body.paymentId}/void`, { reason: 'made to be returned' });
    expect(v.body).toMatchObject({ voided: 7, balance: 10, pending: 0 });
    expectProblem(
      await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments/${voided.body.paymentId}/void`, { reason: 'again' })),
      422,
      'points-not-pending',
    );
    // A void needs a reason.
    expect((await ledger.request('POST', `/customers/${customerId}/payments/${voided.body.paymentId}/void`, {})).status).toBe(400);
    // The voided payment's refund records the money and reverses nothing more.
    const refund = await ledger.request('POST', `/customers/${customerId}/payments/${voided.body.paymentId}/refunds`, {
      amount: '7.00',
      refundIdentifier: 'CN-void',
      occurredAt: new Date().toISOString(),
    });
    expect(refund.body).toMatchObject({ pointsReversed: 0, balance: 10, pending: 0, owed: 0 });
    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.lifetime).toMatchObject({ earned: 17, reversed: 7 });
  });

  it('history as of a moment before the activation shows the points pending then', async () => {
    offset = 0;
    const customerId = await enrolCustomer(ledger);
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount: '5.00', occurredAt: clock().toISOString() }));
    const before = clock().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ledger.request('POST', `/customers/${customerId}/payments/${payment.body.paymentId}/activate`, {});
    const then = await ledger.request('GET', `/customers/${customerId}/history?asOf=${encodeURIComponent(before)}`);
    expect(then.body).toMatchObject({ balance: 0, pending: 5 });
    expect(then.body.lots).toEqual([expect.objectContaining({ lotId: payment.body.paymentId, remaining: 5, activatesAt: payment.body.activatesAt })]);
    const now = await ledger.request('GET', `/customers/${customerId}/history`);
    expect(now.body).toMatchObject({ balance: 5, pending: 0 });
    expect(now.body.entries.map((e: { type: string }) => e.type)).toContain('PointsActivated');
    expect(await head(ledger)).toBeGreaterThan(0n);
  });
});
