import { formErrors, plainMessage, type Problem } from '../../apps/ledger-console/src/lib/problems';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';

/**
 * What the console says when the API refuses a form: the API's own answers to what staff could
 * type into each form, in plain words, under the field they name.
 */
describe('API errors in plain words', () => {
  let ledger: RunningLedger;
  let customerId: string;
  beforeAll(async () => {
    ledger = await startLedger();
    customerId = await enrolCustomer(ledger);
  });
  afterAll(async () => ledger?.close());

  /** Bad input for every field of every console form, as the console would send it. */
  const attempts = (): [string, string, unknown][] => [
    ['POST', `/customers/${customerId}/payments`, {}],
    ['POST', `/customers/${customerId}/payments`, { locationId: 'store 1', amount: 'ten', purchaseIdentifier: 'x'.repeat(101), occurredAt: 'yesterday' }],
    ['POST', `/customers/${customerId}/payments`, { locationId: 'store-1', amount: '12.345', purchaseIdentifier: 'R-1', occurredAt: '2026-01-01T10:00:00Z' }],
    ['POST', `/customers/${customerId}/payments`, { locationId: 'store-1', amount: '0', purchaseIdentifier: 'R-1', occurredAt: '2026-01-01T10:00:00Z' }],
    ['POST', `/customers/${customerId}/visits`, { notes: 'x'.repeat(1001), kind: 'browse' }],
    ['POST', `/customers/${customerId}/adjustments`, { points: 0 }],
    ['POST', `/customers/${customerId}/adjustments`, { points: 'five', reason: 'x' }],
    ['POST', `/customers/${customerId}/redemptions`, { points: -3, reference: 'x'.repeat(201) }],
    ['POST', `/customers/${customerId}/redemptions`, {}],
    ['POST', `/customers/${customerId}/payments/00000000-0000-0000-0000-000000000000/refunds`, { amount: 'all' }],
    ['POST', '/customers', {}],
    ['POST', '/customers', { email: 'ada at example.com', phone: '12', name: '' }],
    ['PUT', '/program', { currency: 'XYZ', pointsPerUnit: 'one', timezone: 'Mars/Olympus', pendingDays: 999, negativeBalance: 'maybe' }],
  ];

  it('rewords every field message the API gives for the forms, and puts it under its field', async () => {
    const seen: string[] = [];
    for (const [method, path, body] of attempts()) {
      const response = await ledger.request(method, path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      const problem = response.body as Problem;
      const fields = (problem.errors ?? []).map((e) => e.path);
      expect(fields.length).toBeGreaterThan(0);
      const shown = formErrors(problem, fields);
      expect(shown.general).toBeUndefined();
      for (const error of problem.errors ?? []) {
        const plain = plainMessage(error.message);
        seen.push(`${error.path}: ${error.message} → ${plain}`);
        expect(shown.fields[error.path]).toBe(plain);
        // No codec names, no regular expressions, no "expected": sentences staff can act on.
        expect({ message: error.message, plain }).toEqual({
          message: error.message,
          plain: expect.not.stringMatching(/ISO|IANA|\[A-Za-z|expected|UUID|\||decimal string|integer|\d{5}/),
        });
        expect(plain).toMatch(/^[A-Z].*\.$/);
      }
    }
    expect(seen.length).toBeGreaterThan(15);
    if (process.env['SHOW_MESSAGES']) console.log(seen.join('\n'));
  });

  it('puts refusals about one field under that field: too few points, a receipt already recorded', async () => {
    const redeem = await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 5 });
    expect(formErrors(redeem.body as Problem, ['points', 'reference'])).toEqual({
      fields: { points: 'The available balance is 0 points; 5 were requested.' },
      general: undefined,
    });
    const payment = { locationId: 'store-1', amount: '5.00', purchaseIdentifier: 'R-77', occurredAt: new Date().toISOString() };
    expect((await ledger.request('POST', `/customers/${customerId}/payments`, payment)).status).toBe(201);
    const again = await ledger.request('POST', `/customers/${customerId}/payments`, payment);
    expect(formErrors(again.body as Problem, ['locationId', 'amount', 'purchaseIdentifier', 'occurredAt']).fields['purchaseIdentifier']).toMatch(
      /already recorded at this location/,
    );
    // A refusal the form has no field for is shown above its buttons.
    const unknown = await ledger.request('POST', `/customers/${customerId}/payments/00000000-0000-0000-0000-000000000000/refunds`, {
      amount: '1.00',
      refundIdentifier: 'CN-1',
      occurredAt: new Date().toISOString(),
    });
    expect(formErrors(unknown.body as Problem, ['amount', 'refundIdentifier', 'occurredAt', 'reason'])).toEqual({
      fields: {},
      general: expect.stringMatching(/No payment with id/),
    });
  });
});
