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
});
