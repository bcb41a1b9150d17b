import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importedCustomerId } from '../../apps/ledger-api/src/ledger/ids';
import { startLedger, type HttpResult, type Json, type RunningLedger } from '../support/ledger-app';

const SAMPLE = readFileSync(join(__dirname, '../../docs/import-sample.csv'), 'utf8');
const OPERATOR = 'operator-secret-0123456789abcdefgh';

describe('POST /imports and GET /imports/{importId} (admin)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ apiKeys: [`till:operator:${OPERATOR}`], lifecycle: 'off' });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const post = (body: string, type: string, query = '', headers: Record<string, string> = {}) =>
    ledger.request('POST', `/imports${query}`, body, { 'content-type': type, ...headers });
  /** Polls the status until the import has finished. */
  async function finished(importId: string): Promise<HttpResult> {
    for (;;) {
      const status = await ledger.request('GET', `/imports/${importId}`);
      if (status.status !== 200 || status.body.status !== 'running') return status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers 202 with the import id, then shows rows read, applied, skipped and the totals', async () => {
    const accepted = await post(SAMPLE, 'text/csv; charset=utf-8');
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/imports/${accepted.body.importId}`);
    const done = await finished(accepted.body.importId);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ importId: accepted.body.importId, status: 'completed', dryRun: false, rows: { read: 9, applied: 9, refused: 0 } });
    expect(done.body.points).toEqual({ credited: 1605, debited: 530, net: 1075 });
    const ada = await ledger.request('GET', `/customers/${importedCustomerId('M-1001')}`);
    expect(ada.body.balance.available).toBe(750);
    // The actor is the importing key.
    const events = (await ledger.store.readStream(`loyaltyAccount-${importedCustomerId('M-1001')}`)).events;
    expect(new Set(events.map((e) => e.metadata['actor']))).toEqual(new Set(['back-office']));

    const again = await finished((await post(SAMPLE, 'text/csv')).body.importId);
    expect(again.body.rows).toEqual({ read: 9, applied: 0, skipped: 9, refused: 0 });
  });

  it('takes NDJSON, runs a dry run writing nothing, and lists refused rows with line and reason', async () => {
    const body = [
      JSON.stringify({ kind: 'customer', sourceId: 'h-c1', externalId: 'H-1', email: 'h1@example.com', occurredAt: '2021-01-01T00:00:00Z' }),
      JSON.stringify({ kind: 'earn', sourceId: 'h-e1', externalId: 'H-1', points: 12, occurredAt: '2024-01-01T00:00:00Z' }),
      JSON.stringify({ kind: 'spend', sourceId: 'h-s1', externalId: 'H-1', points: 50, occurredAt: '2024-01-02T00:00:00Z' }),
      '',
    ].join('\n');
    const head = await ledger.store.headPosition();
    const dry = await finished((await post(body, 'application/x-ndjson', '?dryRun=true')).body.importId);
    expect(dry.body).toMatchObject({ dryRun: true, status: 'completed', rows: { applied: 2, refused: 1 }, points: { net: 12 } });
    expect(dry.body.refusals).toEqual([{ line: 3, kind: 'spend', reason: expect.stringMatching(/^insufficient-points/) }]);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('with an Idempotency-Key: a retried upload is the same import (nothing new started); another file under the key is 422', async () => {
    const key = 'import-retry-1';
    const lines = (n: number) =>
      [
        JSON.stringify({ kind: 'customer', sourceId: `k-c${n}`, externalId: `K-${n}`, email: `k${n}@example.com`, occurredAt: '2021-01-01T00:00:00Z' }),
        JSON.stringify({ kind: 'earn', sourceId: `k-e${n}`, externalId: `K-${n}`, points: 7, occurredAt: '2024-01-01T00:00:00Z' }),
        '',
      ].join('\n');
    const first = await post(lines(1), 'application/x-ndjson', '', { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect((await finished(first.body.importId)).body.rows).toMatchObject({ read: 2, applied: 2 });
    const head = await ledger.store.headPosition();

    const retried = await post(lines(1), 'application/x-ndjson', '', { 'idempotency-key': key });
    expect(retried.status).toBe(202);
    expect(retried.body.importId).toBe(first.body.importId);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    // The first import's report, unchanged: no second job ran.
    expect((await finished(retried.body.importId)).body.rows).toMatchObject({ read: 2, applied: 2, skipped: 0 });

    const other = await post(lines(2), 'application/x-ndjson', '', { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.type).toMatch(/idempotency-key-reused$/);
    const asDryRun = await post(lines(1), 'application/x-ndjson', '?dryRun=true', { 'idempotency-key': key });
    expect(asDryRun.status).toBe(422);
    expect((await post(lines(1), 'application/x-ndjson', '', { 'idempotency-key': 'bad key with spaces' })).status).toBe(400);
    expect(await ledger.store.headPosition()).toBe(head);
  });

  it('refuses other content types (415), unknown query fields (400), an unknown import (404), and any key but admin (403)', async () => {
    const expectProblem = (r: HttpResult<Json>, status: number) => {
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    };
    expectProblem(await ledger.request('POST', '/imports', { kind: 'customer' }), 415);
    expectProblem(await post(SAMPLE, 'text/plain'), 415);
    expectProblem(await post(SAMPLE, 'text/csv', '?dry=1'), 400);
    expectProblem(await ledger.request('GET', '/imports/0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30'), 404);
    expectProblem(await ledger.request('GET', '/imports/not-a-uuid'), 400);
    const head = await ledger.store.headPosition();
    expectProblem(await post(SAMPLE, 'text/csv', '', { authorization: `Bearer ${OPERATOR}` }), 403);
    expectProblem(await ledger.request('GET', '/imports/0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30', undefined, { authorization: `Bearer ${OPERATOR}` }), 403);
    expect(await ledger.store.headPosition()).toBe(head);
  });
});
