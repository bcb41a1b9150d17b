import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';

const OPERATOR = 'operator-secret-0123456789abcdefgh';

describe('POST /adjustments/bulk (admin)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ apiKeys: [`till:operator:${OPERATOR}`], lifecycle: 'off' });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('applies each row as an ordinary adjustment, refuses the others with their reason, and carries the batch id', async () => {
    const first = await enrolCustomer(ledger, { phone: '+1 555 010 7000' });
    const email = (await ledger.request('GET', `/customers/${first}`)).body.email as string;
    const second = await enrolCustomer(ledger);
    const rows = [
      { customerId: first, points: 40, reason: 'Campaign: spring', reference: 'camp-7' },
      { email: email.toUpperCase(), points: -15, reason: 'Clawback' },
      { phone: '+15550107000', points: 5, reason: 'Phone matched', expires: false },
      { customerId: second, points: -1, reason: 'Below zero under deny' },
      { email: 'nobody@example.com', points: 3, reason: 'Unknown' },
      { customerId: second, email, points: 3, reason: 'Two references' },
    ];
    const response = await ledger.request('POST', '/adjustments/bulk', { rows }, { 'Idempotency-Key': 'bulk-batch-1' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ applied: 3, refused: 3 });
    expect(response.body.rows.map((r: { row: number; status: string; type?: string }) => [r.row, r.status, r.type])).toEqual([
      [0, 'applied', undefined],
      [1, 'applied', undefined],
      [2, 'applied', undefined],
      [3, 'refused', 'insufficient-points'],
      [4, 'refused', 'customer-not-found'],
      [5, 'refused', 'invalid-input'],
    ]);
    expect(response.body.rows[2]).toMatchObject({ customerId: first, balance: 30 });
    expect(JSON.stringify(response.body)).not.toContain('nobody@example.com');

    const events = (await ledger.store.readStream(`loyaltyAccount-${first}`)).events.filter((e) => e.type === 'PointsAdjusted');
    expect(events.map((e) => [e.data['kind'], e.data['points'], e.data['reference'], e.metadata['correlationId'], e.metadata['actor']])).toEqual([
      ['manual', 40, 'camp-7', response.body.batchId, 'back-office'],
      ['manual', -15, undefined, response.body.batchId, 'back-office'],
      ['manual', 5, undefined, response.body.batchId, 'back-office'],
    ]);

    // The same batch again (same Idempotency-Key): nothing applied twice.
    const head = await ledger.store.headPosition();
    const again = await ledger.request('POST', '/adjustments/bulk', { rows }, { 'Idempotency-Key': 'bulk-batch-1' });
    expect(again.body.rows.filter((r: { replayed?: boolean }) => r.replayed === true)).toHaveLength(3);
    expect(await ledger.store.headPosition()).toBe(head);
    expect((await ledger.request('GET', `/customers/${first}`)).body.balance.available).toBe(30);
  });

  it('refuses an invalid row shape as a whole request (400, naming the row and field), and any key but admin (403), writing nothing', async () => {
    const head = await ledger.store.headPosition();
    const bad = await ledger.request('POST', '/adjustments/bulk', { rows: [{ customerId: 'x', points: 0, reason: '' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['rows[0].customerId', 'rows[0].points', 'rows[0].reason']);
    const operator = await ledger.request('POST', '/adjustments/bulk', { rows: [] }, { authorization: `Bearer ${OPERATOR}` });
    expect(operator.status).toBe(403);
    expect(await ledger.store.headPosition()).toBe(head);
  });
});
