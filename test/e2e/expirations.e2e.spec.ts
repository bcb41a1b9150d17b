import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { evolveCustomer, initialCustomerState } from '#ledger-domain/customer/customer';
import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { decodeCustomerEvent } from '#ledger-domain/stored-events';
import { accountStream } from '#runtime/streams';
import { freshPostgresDatabase } from '../support/postgres';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { expectInvalid, expectProblem, paymentBody } from '../support/e2e';

/**
 * Lot expiry on the read side over HTTP, on SQLite and on PostgreSQL: a customer's upcoming
 * expiries (`GET /customers/{id}/expirations`) and the points liability (`GET /reports/liability`),
 * both as the ledger recorded them by an instant. The API's server clock is movable here. The
 * expiry itself is decided by the real decider (`ExpirePoints`) on the customer's stream and
 * appended as the lifecycle runner would; the figures are worked out by hand below.
 *
 * Program in Paris (CET, UTC+1). With "afterDays 30", a payment of 20 Nov is valid through
 * 20 + 30 = 20 Dec: expiresAt 21 Dec 00:00 Paris = 2026-12-20T23:00Z; one of 24 Nov (and a credit
 * given that day), 2026-12-24T23:00Z. With "afterMonths 3, month", one of 24 Nov is valid through
 * 24 Feb, rounded to the end of February: expiresAt 2027-02-28T23:00Z.
 */
describe.each(['sqlite', 'postgres'] as const)('lot expiry on the read side over HTTP (%s)', (dialect) => {
  let ledger: RunningLedger;
  let dropDatabase = async () => {};
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  const setClock = (iso: string) => (offset = Date.parse(iso) - Date.now());
  let customerId: string;
  let last = '0';
  const P1 = '2026-12-20T23:00:00.000Z';
  const P2 = '2026-12-24T23:00:00.000Z';
  const P3 = '2027-02-28T23:00:00.000Z';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    let readDbUrl: string | undefined;
    if (dialect === 'postgres') {
      const pg = await freshPostgresDatabase();
      readDbUrl = pg.url;
      dropDatabase = pg.drop;
    }
    // No lifecycle runner: the one expiry below is appended by the test, at the moment it chooses.
    ledger = await startLedger({ clock, lifecycle: 'off', ...(readDbUrl !== undefined && { readDbUrl }) });
    setClock('2026-11-24T11:00:00Z');
    expect((await ledger.request('PUT', '/program', { timezone: 'Europe/Paris', expiry: { policy: 'afterDays', days: 30 } })).status).toBe(200);
    customerId = await enrolCustomer(ledger);
    const pay = async (name: string, amount: string, occurredAt: string) => {
      const paid = await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount, occurredAt }));
      expect(paid.status).toBe(201);
      ids[name] = paid.body.paymentId;
      last = paid.body.position;
    };
    await pay('p1', '40.00', '2026-11-20T10:00:00Z');
    await pay('p2', '25.00', '2026-11-24T10:00:00Z');
    const credit = await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: 10, reason: 'goodwill' });
    expect(credit.status).toBe(201);
    ids['a1'] = credit.body.adjustmentId;
    expect((await ledger.request('PUT', '/program', { expiry: { policy: 'afterMonths', months: 3, roundTo: 'month' } })).status).toBe(200);
    await pay('p3', '15.00', '2026-11-24T10:30:00Z');
    setClock('2026-11-24T12:00:00Z');
    // The earliest expiry first: all 30 from p1.
    const redeemed = await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 30 });
    expect(redeemed.status).toBe(201);
    last = redeemed.body.position;
  });
  afterAll(async () => {
    await ledger.close();
    await dropDatabase();
  });

  /** What the lifecycle runner would append once its clock passes the lot's expiresAt: decided by the real decider. */
  const expireLot = async (lotId: string): Promise<string> => {
    const stream = accountStream(customerId);
    const read = await ledger.store.readStream(stream);
    const state = read.events.map((e) => decodeCustomerEvent(e)).reduce(evolveCustomer, initialCustomerState());
    const decided = decideCustomer({ type: 'ExpirePoints', customerId, lotIds: [lotId], now: clock() }, state);
    if (E.isLeft(decided)) throw new Error(decided.left._tag);
    const appended = await ledger.store.appendToStream(
      stream,
      read.revision,
      decided.right.map((event) => ({
        id: randomUUID(),
        type: event.type,
        data: event.data as unknown as Record<string, never>,
        metadata: { recordedAt: clock().toISOString(), actor: 'system:lifecycle', commandId: randomUUID() },
      })),
    );
    if (E.isLeft(appended)) throw new Error('append refused');
    return appended.right.position.toString();
  };

  it("lists the customer's lots with points left that will expire, soonest first, with the 30/60/90-day totals and the next expiry", async () => {
    const asOf = '2026-11-24T12:05:00.000Z';
    const response = await ledger.request(
      'GET',
      `/customers/${customerId}/expirations?asOf=${encodeURIComponent('2026-11-24T13:05:00+01:00')}&minPosition=${last}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      customerId,
      asOf,
      lots: [
        {
          lotId: ids['p1'],
          source: 'payment',
          paymentId: ids['p1'],
          earnedAt: '2026-11-20T10:00:00.000Z',
          expiresAt: P1,
          remaining: 10,
          pending: false,
          due: false,
        },
        // Same expiry: the earlier earned first.
        {
          lotId: ids['p2'],
          source: 'payment',
          paymentId: ids['p2'],
          earnedAt: '2026-11-24T10:00:00.000Z',
          expiresAt: P2,
          remaining: 25,
          pending: false,
          due: false,
        },
        {
          lotId: ids['a1'],
          source: 'adjustment',
          paymentId: null,
          earnedAt: expect.stringMatching(/^2026-11-24T11:00:00\./),
          expiresAt: P2,
          remaining: 10,
          pending: false,
          due: false,
        },
        {
          lotId: ids['p3'],
          source: 'payment',
          paymentId: ids['p3'],
          earnedAt: '2026-11-24T10:30:00.000Z',
          expiresAt: P3,
          remaining: 15,
          pending: false,
          due: false,
        },
      ],
      windows: [
        { days: 30, until: '2026-12-24T12:05:00.000Z', points: 10 },
        { days: 60, until: '2027-01-23T12:05:00.000Z', points: 45 },
        { days: 90, until: '2027-02-22T12:05:00.000Z', points: 45 },
      ],
      nextExpiry: { expiresAt: P1, points: 10 },
    });
    // As the ledger had it before the redemption was recorded: p1 whole.
    const before = await ledger.request('GET', `/customers/${customerId}/expirations?asOf=2026-11-24T11:30:00Z`);
    expect(before.body.lots.map((l: { remaining: number }) => l.remaining)).toEqual([40, 25, 10, 15]);
    // Without asOf: the server clock.
    const now = await ledger.request('GET', `/customers/${customerId}/expirations`);
    expect(Date.parse(now.body.asOf) - Date.parse('2026-11-24T12:00:00.000Z')).toBeGreaterThanOrEqual(0);
    expect(Date.parse(now.body.asOf) - Date.parse('2026-11-24T12:00:00.000Z')).toBeLessThan(60_000);
    expect(now.body.lots).toEqual(response.body.lots);
  });

  it('reports the liability by expiry month and the points moved per day, before and after an expiry', async () => {
    const before = await ledger.request('GET', `/reports/liability?asOf=2026-11-30T00:00:00Z&from=2026-11-01&to=2026-11-30&minPosition=${last}`);
    expect(before.status).toBe(200);
    const none = { earned: 0, credited: 0, spent: 0, debited: 0, reversed: 0, voided: 0, expired: 0, repaid: 0, activated: 0 };
    expect(before.body).toEqual({
      asOf: '2026-11-30T00:00:00.000Z',
      outstanding: { available: 60, pending: 0, total: 60 },
      byExpiryMonth: [
        { month: '2026-12', available: 45, pending: 0 },
        { month: '2027-02', available: 15, pending: 0 },
      ],
      from: '2026-11-01',
      to: '2026-11-30',
      days: [
        { ...none, day: '2026-11-20', earned: 40 },
        { ...none, day: '2026-11-24', earned: 40, credited: 10, spent: 30 },
      ],
      totals: { ...none, earned: 80, credited: 10, spent: 30 },
    });

    // The runner's clock passes p1's expiresAt: its 10 points expire, on 21 Dec in Paris.
    setClock('2026-12-21T08:00:00Z');
    const position = await expireLot(ids['p1']!);
    const after = await ledger.request('GET', `/reports/liability?minPosition=${position}`);
    // Defaults: as of the server clock, from the first of its month (Paris) to its day.
    expect(after.body).toMatchObject({
      outstanding: { available: 50, pending: 0, total: 50 },
      byExpiryMonth: [
        { month: '2026-12', available: 35, pending: 0 },
        { month: '2027-02', available: 15, pending: 0 },
      ],
      from: '2026-12-01',
      to: '2026-12-21',
      days: [{ ...none, day: '2026-12-21', expired: 10 }],
      totals: { ...none, expired: 10 },
    });
    // As of before the expiry was recorded, the ledger still held them (recorded basis).
    const then = await ledger.request('GET', '/reports/liability?asOf=2026-12-21T07:00:00Z&from=2026-12-01&to=2026-12-31');
    expect(then.body).toMatchObject({ outstanding: { total: 60 }, days: [] });

    const expirations = await ledger.request('GET', `/customers/${customerId}/expirations`);
    expect(expirations.body.lots.map((l: { lotId: string }) => l.lotId)).toEqual([ids['p2'], ids['a1'], ids['p3']]);
    expect(expirations.body.nextExpiry).toEqual({ expiresAt: P2, points: 35 });
    const balance = await ledger.request('GET', `/customers/${customerId}/balance`);
    expect(balance.body).toMatchObject({ available: 50, lifetimeExpired: 10 });
  });

  it('shows a lot past its expiresAt that the runner has not expired yet as due', async () => {
    setClock('2026-12-25T09:00:00Z');
    const response = await ledger.request('GET', `/customers/${customerId}/expirations`);
    expect(response.body.lots.map((l: { lotId: string; due: boolean }) => [l.lotId, l.due])).toEqual([
      [ids['p2'], true],
      [ids['a1'], true],
      [ids['p3'], false],
    ]);
    expect(response.body.windows[0]).toMatchObject({ days: 30, points: 35 });
  });

  it('refuses an unknown customer, a malformed instant or day, and a reversed or too long stretch of days', async () => {
    expectProblem(await ledger.request('GET', `/customers/${randomUUID()}/expirations`), 404, 'customer-not-found');
    expectInvalid(await ledger.request('GET', `/customers/${customerId}/expirations?asOf=yesterday`), 'asOf');
    expectInvalid(await ledger.request('GET', `/customers/${customerId}/expirations?limit=3`), 'limit');
    expectInvalid(await ledger.request('GET', '/reports/liability?asOf=2026-13-01T00:00:00Z'), 'asOf');
    expectInvalid(await ledger.request('GET', '/reports/liability?from=2026-11-31'), 'from');
    expectInvalid(await ledger.request('GET', '/reports/liability?from=2026-12-02&to=2026-12-01'), 'from');
    expectInvalid(await ledger.request('GET', '/reports/liability?from=2026-01-01&to=2027-01-02'), 'to');
    expect((await ledger.request('GET', '/reports/liability?from=2026-01-01&to=2027-01-01')).status).toBe(200);
  });
});
