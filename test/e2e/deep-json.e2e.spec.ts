import { startLedger, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';

describe('deeply nested JSON up to the body limit', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it.each([12_000, 16_000])('refuses %i levels of nesting with a 4xx, and stays up', async (depth) => {
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const objects = `${'{"a":'.repeat(depth / 2)}1${'}'.repeat(depth / 2)}`;
    for (const body of [`{"email":${arrays}}`, objects]) {
      const response = await ledger.request('POST', '/customers', body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectProblem(response, response.status);
    }
    expect((await ledger.request('GET', '/program')).status).toBe(200);
  });
});
