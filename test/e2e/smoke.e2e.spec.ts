import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';

describe('ledger API smoke', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('records a payment that earns points at the demo program ratio', async () => {
    const customerId = await enrolCustomer(ledger);
    const payment = await ledger.request('POST', `/customers/${customerId}/payments`, {
      locationId: 'store-1',
      amount: '50.00',
      purchaseIdentifier: 'R-smoke',
      occurredAt: '2026-01-01T10:00:00Z',
    });
    expect(payment.status).toBe(201);
    expect(payment.body).toMatchObject({ pointsEarned: 50, balance: 50 });
  });
});
