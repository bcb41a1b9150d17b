import { rmSync } from 'node:fs';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { eventsAfter, expectInvalid, expectNothingWritten, expectProblem, head, paymentBody } from '../support/e2e';

describe('program settings (GET/PUT /program)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('has the demo program on first start: USD, 1 point per unit, UTC, deny, version 1, ETag "1"', async () => {
    const response = await ledger.request('GET', '/program');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toMatchObject({ currency: 'USD', pointsPerUnit: '1', timezone: 'UTC', negativeBalance: 'deny', version: 1 });
    const events = (await ledger.store.readStream('loyaltyProgram-default')).events;
    expect(events.map((e) => e.type)).toEqual(['ProgramConfigured']);
    expect(events[0]!.data).toMatchObject({ version: 1, currency: 'USD', pointsPerUnit: '1', timezone: 'UTC', negativeBalance: 'deny' });
    expect(events[0]!.metadata).toMatchObject({ actor: 'system:first-start' });
  });

  it('a change is a new version with a new ETag, and fields left out keep their value', async () => {
    const before = await head(ledger);
    const response = await ledger.request('PUT', '/program', { pointsPerUnit: '2.5' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body).toMatchObject({ currency: 'USD', pointsPerUnit: '2.5', timezone: 'UTC', negativeBalance: 'deny', version: 2 });

    const written = await eventsAfter(ledger, before);
    expect(written.map((e) => [e.streamName, e.type])).toEqual([['loyaltyProgram-default', 'ProgramConfigured']]);
    expect(written[0]!.data).toMatchObject({ version: 2, pointsPerUnit: '2.5', currency: 'USD' });

    const read = await ledger.request('GET', '/program');
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.body).toMatchObject({ version: 2, pointsPerUnit: '2.5', currency: 'USD', timezone: 'UTC', negativeBalance: 'deny' });

    const tz = await ledger.request('PUT', '/program', { timezone: 'Europe/Dublin' });
    expect(tz.status).toBe(200);
    expect(tz.body).toMatchObject({ version: 3, pointsPerUnit: '2.5', timezone: 'Europe/Dublin', currency: 'USD', negativeBalance: 'deny' });
  });

  it('saving the same settings again is not a change: same version, same ETag, no new event', async () => {
    const current = (await ledger.request('GET', '/program')).body;
    const same = { currency: current.currency, pointsPerUnit: current.pointsPerUnit, timezone: current.timezone, negativeBalance: current.negativeBalance };
    const response = await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', same));
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${current.version}"`);
    expect(response.body).toMatchObject({ ...same, version: current.version });

    const empty = await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', {}));
    expect(empty.status).toBe(200);
    expect(empty.body.version).toBe(current.version);
  });

  it('If-Match with the current version succeeds; a stale one is 412 and writes nothing', async () => {
    const { version } = (await ledger.request('GET', '/program')).body;
    const ok = await ledger.request('PUT', '/program', { negativeBalance: 'allow' }, { 'if-match': `"${version}"` });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(version + 1);

    const stale = await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', { negativeBalance: 'deny' }, { 'if-match': `"${version}"` }));
    expectProblem(stale, 412, 'program-version-mismatch');
    expect(stale.body).toMatchObject({ expected: version, actual: version + 1 });

    const weak = await ledger.request('PUT', '/program', { negativeBalance: 'deny' }, { 'if-match': `W/"${version + 1}"` });
    expect(weak.status).toBe(200);
    expect(weak.body).toMatchObject({ version: version + 2, negativeBalance: 'deny' });
  });

  it.each([['3'], ['"abc"'], ['"-1"'], ['""'], ['"1", "2"']])('a malformed If-Match (%s) is 400 and writes nothing', async (ifMatch) => {
    const response = await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', { pointsPerUnit: '7' }, { 'if-match': ifMatch }));
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'header.If-Match' })]);
  });

  it.each([
    ['currency', { currency: 'XXX' }],
    ['currency', { currency: 'usd' }],
    ['currency', { currency: 42 }],
    ['timezone', { timezone: 'Mars/Olympus_Mons' }],
    ['timezone', { timezone: '' }],
    ['pointsPerUnit', { pointsPerUnit: '0' }],
    ['pointsPerUnit', { pointsPerUnit: '-1' }],
    ['pointsPerUnit', { pointsPerUnit: '1000.5' }],
    ['pointsPerUnit', { pointsPerUnit: '1.1234567' }],
    ['pointsPerUnit', { pointsPerUnit: 2 }],
    ['pointsPerUnit', { pointsPerUnit: '1e3' }],
    ['negativeBalance', { negativeBalance: 'sometimes' }],
    ['bogus', { bogus: true }],
  ])('an invalid setting (%s in %j) is 400 with errors[].path and writes nothing', async (path, body) => {
    const response = await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', body));
    expectInvalid(response, path);
  });

  it('accepts the boundary ratio "1000" and the smallest "0.000001"', async () => {
    for (const pointsPerUnit of ['1000', '0.000001', '1']) {
      const response = await ledger.request('PUT', '/program', { pointsPerUnit });
      expect(response.status).toBe(200);
      expect(response.body.pointsPerUnit).toBe(pointsPerUnit);
    }
  });
});

describe('program across restarts', () => {
  it('the demo program is configured once: a restart on the same data keeps a later change (version 2)', async () => {
    const first = await startLedger();
    const dataDir = first.dataDir;
    try {
      const changed = await first.request('PUT', '/program', { pointsPerUnit: '3' });
      expect(changed.body.version).toBe(2);
      const headBefore = await head(first);
      await first.close({ keepData: true });

      const second = await startLedger({ dataDir });
      try {
        expect(await head(second)).toBe(headBefore);
        const read = await second.request('GET', '/program');
        expect(read.status).toBe(200);
        expect(read.headers.get('etag')).toBe('"2"');
        expect(read.body).toMatchObject({ version: 2, pointsPerUnit: '3', currency: 'USD' });
        const events = (await second.store.readStream('loyaltyProgram-default')).events;
        expect(events.map((e) => e.data['version'])).toEqual([1, 2]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('without a program (demoProgram: false)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ demoProgram: false });
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('GET /program is 422 program-not-configured and the store holds no program', async () => {
    const response = await ledger.request('GET', '/program');
    expectProblem(response, 422, 'program-not-configured');
    expect(response.headers.get('etag')).toBeNull();
    expect((await ledger.store.readStream('loyaltyProgram-default')).events).toHaveLength(0);
  });

  it('refuses payments with program-not-configured and writes nothing', async () => {
    const customerId = await enrolCustomer(ledger);
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments`, paymentBody()));
    expectProblem(response, 422, 'program-not-configured');
  });

  it('the first PUT configures version 1 from the defaults plus the given fields', async () => {
    const response = await ledger.request('PUT', '/program', { currency: 'EUR' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toMatchObject({ version: 1, currency: 'EUR', pointsPerUnit: '1', timezone: 'UTC', negativeBalance: 'deny' });
  });
});
