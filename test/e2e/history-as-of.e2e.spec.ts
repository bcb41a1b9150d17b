import { startLedger, type RunningLedger } from '../support/ledger-app';
import { expectProblem } from '../support/e2e';

/**
 * Auditors replay a customer's ledger as of any instant, on two time axes: what the ledger said
 * then (recorded time), and what we now know had happened by then (business time, including
 * entries recorded later with a backdated time).
 */
describe('history as of an instant (bitemporal replay)', () => {
  let ledger: RunningLedger;
  let now = new Date('2026-11-01T09:00:00Z');
  let customerId: string;

  beforeAll(async () => {
    ledger = await startLedger({ clock: () => now });
    // 1 Nov 09:00 enrol; 2 Nov 12:00 a payment of 10 made that morning; 5 Nov a payment of 5 backdated
    // to 1 Nov 18:00 (the receipt was found late); 6 Nov a redemption of 3.
    customerId = (await ledger.request('POST', '/customers', { email: 'auditee@example.com' })).body.customerId;
    now = new Date('2026-11-02T12:00:00Z');
    await ledger.request('POST', `/customers/${customerId}/payments`, {
      locationId: 's1',
      amount: '10.00',
      purchaseIdentifier: 'R-1',
      occurredAt: '2026-11-02T10:00:00Z',
    });
    now = new Date('2026-11-05T12:00:00Z');
    await ledger.request('POST', `/customers/${customerId}/payments`, {
      locationId: 's1',
      amount: '5.00',
      purchaseIdentifier: 'R-late',
      occurredAt: '2026-11-01T18:00:00Z',
    });
    now = new Date('2026-11-06T12:00:00Z');
    await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 3 });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const history = (query: string) => ledger.request('GET', `/customers/${customerId}/history${query}`);
  const points = (body: { entries: { type: string; pointsDelta: number }[] }) => body.entries.filter((e) => e.pointsDelta !== 0).map((e) => e.pointsDelta);

  it('without asOf gives everything recorded, in log order, with the current balance', async () => {
    const all = await history('');
    expect(all.body).toMatchObject({ asOf: null, basis: 'recorded', balance: 12 });
    expect(points(all.body)).toEqual([10, 5, -3]);
  });

  it('on recorded time shows what the ledger said then: the backdated payment is not there yet', async () => {
    const said = await history('?asOf=2026-11-03T00:00:00Z&basis=recorded');
    expect(said.status).toBe(200);
    expect(said.body).toMatchObject({ asOf: '2026-11-03T00:00:00.000Z', basis: 'recorded', balance: 10 });
    expect(points(said.body)).toEqual([10]);
  });

  it('on business time shows what had happened by then, including what was recorded later', async () => {
    const happened = await history('?asOf=2026-11-03T00:00:00Z&basis=occurred');
    expect(happened.body).toMatchObject({ basis: 'occurred', balance: 15 });
    // Ordered by business time: the late-recorded 1 Nov payment comes before the 2 Nov one.
    expect(points(happened.body)).toEqual([5, 10]);
    const late = happened.body.entries.find((e: { purchaseIdentifier?: string }) => e.purchaseIdentifier === 'R-late');
    expect(late).toMatchObject({
      occurredAt: '2026-11-01T18:00:00.000Z',
      recordedAt: '2026-11-05T12:00:00.000Z',
      balanceAfter: 5,
      pointsPerUnit: '1',
      programVersion: 1,
      actor: 'back-office',
    });
    expect(late.commandId).toEqual(expect.any(String));
  });

  it('gives an empty history and a zero balance before the customer existed', async () => {
    const before = await history('?asOf=2026-10-01T00:00:00Z');
    expect(before.body).toMatchObject({ balance: 0, entries: [] });
  });

  it('takes asOf with any offset, and is inclusive of events at that very instant', async () => {
    const atThePayment = await history('?asOf=2026-11-02T13:00:00%2B01:00&basis=recorded');
    expect(atThePayment.body.balance).toBe(10);
  });

  it('refuses a time without offset, an unknown basis and unknown parameters', async () => {
    expectProblem(await history('?asOf=2026-11-03T00:00:00'), 400, 'invalid-input');
    expectProblem(await history('?basis=someday'), 400, 'invalid-input');
    expectProblem(await history('?as_of=2026-11-03T00:00:00Z'), 400, 'invalid-input');
  });
});
