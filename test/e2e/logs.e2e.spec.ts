import { PassThrough } from 'node:stream';
import { startLedger, TEST_ADMIN_SECRET, type Json, type RunningLedger } from '../support/ledger-app';

describe('request logs', () => {
  let ledger: RunningLedger;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    ledger = await startLedger({ logStream: stream });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('writes JSON lines with a request id, and never a secret, an e-mail, a phone or a key', async () => {
    const enrolled = await ledger.request(
      'POST',
      '/customers',
      { email: 'log-canary@example.com', phone: '+15550199999' },
      { 'idempotency-key': 'idem-canary-key' },
    );
    expect(enrolled.status).toBe(201);
    await ledger.request('GET', '/customers?email=log-canary@example.com&phone=%2B15550199999');
    await ledger.request('GET', '/program', undefined, { authorization: 'Bearer wrong-canary-secret-0123456789' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const entries = lines.map((l) => JSON.parse(l) as Record<string, Json>);
    const completed = entries.filter((e) => e['msg'] === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(3);
    for (const e of completed) {
      expect(e['reqId']).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof e['responseTime']).toBe('number');
    }
    expect(entries.some((e) => e['req']?.path === '/customers' && e['req']?.method === 'GET')).toBe(true);
    const all = lines.join('\n');
    for (const secret of ['log-canary', '15550199999', 'idem-canary-key', 'wrong-canary-secret', TEST_ADMIN_SECRET]) expect(all).not.toContain(secret);
  });

  it('logs the route template, not a personal datum put in a path segment', async () => {
    lines.length = 0;
    expect((await ledger.request('GET', '/customers/leak.me@example.com')).status).toBe(400);
    expect((await ledger.request('GET', '/nowhere/leak.me@example.com')).status).toBe(404);
    const customerId = (await ledger.request('POST', '/customers', { email: `path-${Date.now()}@example.com` })).body.customerId as string;
    expect((await ledger.request('GET', `/customers/${customerId}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(lines.join('\n')).not.toContain('leak.me');
    const requests = lines.map((l) => JSON.parse(l) as Record<string, Json>).filter((e) => e['req'] !== undefined);
    expect(requests.map((e) => e['req'])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', route: '/customers/:customerId', path: '/customers/:customerId' }),
        expect.objectContaining({ method: 'GET', route: 'unmatched', path: '/nowhere/:redacted' }),
        // An id is not personal data on its own, and it is what an operator searches the logs for.
        expect.objectContaining({ method: 'GET', route: '/customers/:customerId', path: `/customers/${customerId}` }),
      ]),
    );
  });
});
