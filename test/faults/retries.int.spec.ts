import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';

/**
 * Retries under load: every command of a concurrent run is sent twice with its Idempotency-Key
 * (the second copy racing the first, as a client that timed out would). Each effect happens once
 * and both copies get the same answer.
 */
describe('every command sent twice with its Idempotency-Key under load', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('applies each command exactly once and answers both copies alike', async () => {
    const customers = await Promise.all(Array.from({ length: 8 }, () => enrolCustomer(ledger)));
    const commands = Array.from({ length: 300 }, (_, i) => {
      const customerId = customers[i % customers.length]!;
      const [route, body] =
        i % 3 === 0
          ? ['payments', { locationId: 'retry', amount: '2.00', purchaseIdentifier: `RT-${i}`, occurredAt: '2026-11-20T10:00:00Z' }]
          : i % 3 === 1
            ? ['visits', { locationId: 'retry', occurredAt: '2026-11-20T10:00:00Z', kind: 'service' }]
            : ['adjustments', { points: 3, reason: `retry ${i}` }];
      return { key: `retry-${i}`, customerId, path: `/customers/${customerId}/${route}`, body };
    });
    const send = (c: (typeof commands)[number]) => ledger.request('POST', c.path, c.body, { 'idempotency-key': c.key });
    const answers = await Promise.all(commands.flatMap((c) => [send(c), send(c)]));

    for (let i = 0; i < commands.length; i++) {
      const [first, second] = [answers[2 * i]!, answers[2 * i + 1]!];
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body).toEqual(first.body);
    }
    // One replayed answer per command, whichever copy came second.
    const replayed = answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length;
    expect(replayed).toBe(commands.length);

    // Exactly one set of events per command in the ledger.
    const commandIds = new Map<string, number>();
    let after = 0n;
    for (;;) {
      const page = await ledger.store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) break;
      for (const e of page) {
        after = e.position;
        const key = e.metadata['idempotencyKey'];
        // The command's own event: a payment's PaymentRecorded (its purchase visit aside), a visit's VisitCreated, an adjustment's PointsAdjusted.
        const own = e.type === 'PaymentRecorded' || e.type === 'PointsAdjusted' || (e.type === 'VisitCreated' && e.data['kind'] === 'service');
        if (typeof key === 'string' && key.startsWith('retry-') && own) commandIds.set(key, (commandIds.get(key) ?? 0) + 1);
      }
    }
    for (const c of commands) expect({ key: c.key, appliedTimes: commandIds.get(c.key) ?? 0 }).toEqual({ key: c.key, appliedTimes: 1 });
  }, 120_000);
});
