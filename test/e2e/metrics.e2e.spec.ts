import { enrolCustomer, startLedger, TEST_ADMIN_SECRET, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';

describe('GET /metrics (Prometheus)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ apiKeys: ['scraper:reporter:scraper-secret-0123456789abcdef'] });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('counts commands by route and outcome, with latency, batch sizes and projection lag', async () => {
    const customerId = await enrolCustomer(ledger, { email: 'metrics-private@example.com' });
    const paid = await ledger.request('POST', `/customers/${customerId}/payments`, {
      locationId: 's1',
      amount: '5.00',
      purchaseIdentifier: 'MX-1',
      occurredAt: '2026-11-20T10:00:00Z',
    });
    expect(paid.status).toBe(201);
    await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 999 }); // 422
    const scraped = await ledger.request('GET', '/metrics', undefined, { authorization: 'Bearer scraper-secret-0123456789abcdef' });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = scraped.body as string;
    expect(text).toContain('ledger_http_requests_total{route="/customers/:customerId/payments",method="POST",status="201"} 1');
    expect(text).toContain('ledger_http_requests_total{route="/customers/:customerId/redemptions",method="POST",status="422"} 1');
    expect(text).toMatch(/ledger_http_request_duration_seconds_count\{route="\/customers\/:customerId\/payments",method="POST",outcome="2xx"\} 1/);
    expect(text).toMatch(/ledger_append_batch_size_count \d+/);
    expect(text).toMatch(/ledger_projection_lag_events \d+/);
    expect(text).toMatch(/ledger_process_nodejs_eventloop_lag_seconds/);
    // Route templates only: no customer ids, e-mails or secrets in label values.
    expect(text).not.toContain(customerId);
    expect(text).not.toContain('metrics-private');
    expect(text).not.toContain(TEST_ADMIN_SECRET);
  });

  it('needs a key', async () => {
    expectProblem(await ledger.request('GET', '/metrics', undefined, { authorization: '' }), 401, 'unauthorized');
  });
});
