import { randomUUID } from 'node:crypto';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectInvalid, expectNothingWritten, expectProblem, historyOf, visitBody } from '../support/e2e';

/** The server clock for this file: fixed, so "5 minutes ahead" is exact. */
const NOW = new Date('2026-03-10T12:00:00.000Z');
const plus = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('visits (POST /customers/{id}/visits)', () => {
  let ledger: RunningLedger;
  let customerId: string;
  beforeAll(async () => {
    ledger = await startLedger({ clock: () => NOW });
    customerId = await enrolCustomer(ledger);
  });
  afterAll(async () => {
    await ledger.close();
  });

  const post = (body: unknown, id = customerId) => ledger.request('POST', `/customers/${id}/visits`, body);

  it('defaults to kind browse and source manual, and records VisitCreated with server recordedAt', async () => {
    const response = await post({ locationId: 'store-042', occurredAt: '2026-03-10T10:15:00+01:00' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      visitId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      locationId: 'store-042',
      occurredAt: '2026-03-10T09:15:00.000Z',
      kind: 'browse',
      source: 'manual',
      notes: null,
      position: expect.stringMatching(/^\d+$/),
    });
    const events = await accountEvents(ledger, customerId);
    const last = events[events.length - 1]!;
    expect(last.type).toBe('VisitCreated');
    expect(last.data).toEqual({
      visitId: response.body.visitId,
      customerId,
      locationId: 'store-042',
      occurredAt: '2026-03-10T09:15:00.000Z',
      kind: 'browse',
      source: 'manual',
    });
    expect(last.metadata).toMatchObject({ recordedAt: NOW.toISOString() });
    expect(last.position.toString()).toBe(response.body.position);

    const customer = await ledger.request('GET', `/customers/${customerId}`);
    expect(customer.body.visitCount).toBeGreaterThanOrEqual(1);
  });

  it.each(['browse', 'service', 'event', 'pickup', 'purchase'].flatMap((kind) => ['manual', 'scan', 'online'].map((source) => [kind, source])))(
    'accepts kind %s with source %s',
    async (kind, source) => {
      const response = await post(visitBody({ kind, source }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ kind, source });
    },
  );

  it('keeps notes up to 1000 characters; longer notes are 400 and write nothing', async () => {
    const ok = await post(visitBody({ notes: 'n'.repeat(1000) }));
    expect(ok.status).toBe(201);
    expect(ok.body.notes).toHaveLength(1000);
    const tooLong = await expectNothingWritten(ledger, () => post(visitBody({ notes: 'n'.repeat(1001) })));
    expectInvalid(tooLong, 'notes');
  });

  it('accepts a backdated visit (years ago)', async () => {
    const response = await post(visitBody({ occurredAt: '2019-12-31T23:59:59.999-05:00' }));
    expect(response.status).toBe(201);
    expect(response.body.occurredAt).toBe('2020-01-01T04:59:59.999Z');
  });

  it('accepts exactly 5 minutes ahead of the server clock (in another offset too)', async () => {
    const exact = await post(visitBody({ occurredAt: plus(5 * 60_000) }));
    expect(exact.status).toBe(201);
    const offset = await post(visitBody({ occurredAt: '2026-03-10T13:05:00+01:00' }));
    expect(offset.status).toBe(201);
    expect(offset.body.occurredAt).toBe('2026-03-10T12:05:00.000Z');
  });

  it.each([[plus(5 * 60_000 + 1)], [plus(6 * 60_000)], ['2026-03-10T14:00:00+01:00'], ['2099-01-01T00:00:00Z']])(
    'refuses %s (more than 5 minutes ahead) with 422 occurred-in-future and writes nothing',
    async (occurredAt) => {
      const response = await expectNothingWritten(ledger, () => post(visitBody({ occurredAt })));
      expectProblem(response, 422, 'occurred-in-future');
      expect(response.body.latestAllowed).toBe(plus(5 * 60_000));
    },
  );

  it.each([
    ['occurredAt', { occurredAt: '2026-03-10T10:15:00' }],
    ['occurredAt', { occurredAt: '2026-03-10' }],
    ['occurredAt', { occurredAt: '2026-02-30T10:00:00Z' }],
    ['occurredAt', { occurredAt: '2026-03-10T25:00:00Z' }],
    ['occurredAt', { occurredAt: 1741600000000 }],
    ['occurredAt', { occurredAt: 'yesterday' }],
    ['locationId', { locationId: 'store 1' }],
    ['locationId', { locationId: '' }],
    ['locationId', { locationId: 'l'.repeat(101) }],
    ['kind', { kind: 'shopping' }],
    ['source', { source: 'phone' }],
    ['notes', { notes: 7 }],
    ['visitId', { visitId: randomUUID() }],
  ])('an invalid %s (%j) is 400 naming the field and writes nothing', async (path, fields) => {
    const response = await expectNothingWritten(ledger, () => post(visitBody(fields)));
    expectInvalid(response, path);
  });

  it('a missing locationId and occurredAt are both reported', async () => {
    const response = await expectNothingWritten(ledger, () => post({}));
    expectInvalid(response, 'locationId', 'occurredAt');
  });

  it('an unknown customer is 404 customer-not-found and nothing is written (no stream is created)', async () => {
    const unknown = randomUUID();
    const response = await expectNothingWritten(ledger, () => post(visitBody(), unknown));
    expectProblem(response, 404, 'customer-not-found');
    expect(await accountEvents(ledger, unknown)).toHaveLength(0);
  });

  it('a malformed customer id is 400', async () => {
    const response = await expectNothingWritten(ledger, () => post(visitBody(), 'nope'));
    expectInvalid(response, 'customerId');
  });

  it('every accepted visit is in the history with pointsDelta 0', async () => {
    const history = await historyOf(ledger, customerId);
    const visits = history.entries.filter((e) => e.type === 'VisitCreated');
    expect(visits.length).toBeGreaterThanOrEqual(15 + 5);
    for (const visit of visits) expect(visit.pointsDelta).toBe(0);
    expect(history.balance).toBe(0);
  });
});
