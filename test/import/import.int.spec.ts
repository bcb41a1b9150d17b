import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { accountStream } from '#runtime/streams';
import { importedCustomerId } from '../../apps/ledger-api/src/ledger/ids';
import { EVENT_STORE } from '../../apps/ledger-api/src/ledger/ledger.module';
import type { ImportOptions, ImportReport } from '../../apps/ledger-api/src/imports/import-engine';
import { Importer } from '../../apps/ledger-api/src/imports/run-import';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';

const SAMPLE = readFileSync(join(__dirname, '../../docs/import-sample.csv'));
const HEADER = 'kind,sourceId,externalId,email,phone,name,occurredAt,points,expiresAt,reason,reference,locationId,visitKind';

/** Every event in the log, in order (the tests' stores are small). */
async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = 0n; ;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.position;
  }
}

/** The bytes in small chunks, so that records cross chunk boundaries as in a real file. */
async function* chunked(bytes: Buffer, size = 37): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('ledger import (embedded store, real SQLite files)', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger({ lifecycle: 'off' });
  });
  afterAll(async () => {
    await ledger.close();
  });

  const run = async (content: string | Buffer, options: Partial<ImportOptions> = {}): Promise<ImportReport> => {
    const started = await ledger.app.get(Importer).start(chunked(Buffer.isBuffer(content) ? content : Buffer.from(content)), {
      importId: randomUUID(),
      actor: 'migration-key',
      format: 'csv',
      ...options,
    });
    return started.done;
  };
  const csv = (...lines: string[]) => `${HEADER}\n${lines.join('\n')}\n`;
  const head = () => ledger.app.get<EventStore>(EVENT_STORE).headPosition();
  const customer = async (externalId: string) => (await ledger.request('GET', `/customers/${importedCustomerId(externalId)}`)).body;

  describe('the sample file of docs/import.md', () => {
    let first: ImportReport;
    beforeAll(async () => {
      first = await run(SAMPLE, { importId: 'import-sample-1' });
    });

    it('applies every row, kind by kind', () => {
      expect(first.status).toBe('completed');
      expect(first.refusals).toEqual([]);
      expect(first.rows).toEqual({ read: 9, applied: 9, skipped: 0, refused: 0 });
      expect(first.byKind.customer.applied).toBe(2);
      expect(first.byKind.balance.applied).toBe(2);
      expect(first.byKind.adjust.applied).toBe(2);
      // Ada 1200 + 80 − 500 − 30, Grace 300 + 25.
      expect(first.points).toEqual({ credited: 1605, debited: 530, net: 1075 });
    });

    it('leaves the balances and lifetime totals the old system had', async () => {
      const ada = await customer('M-1001');
      expect(ada).toMatchObject({ email: 'ada@example.com', phone: '+15550102000', name: 'Lovelace, Ada', balance: { available: 750, pending: 0, owed: 0 } });
      expect(ada.lifetime).toMatchObject({ earned: 80, redeemed: 500, adjustedIn: 1200, adjustedOut: 30 });
      expect((await customer('M-1002')).balance).toMatchObject({ available: 325 });
    });

    it('keeps business times, records now, the actor, the import id and the source line of each event', async () => {
      const events = (await ledger.store.readStream(accountStream(importedCustomerId('M-1001')))).events;
      expect(events.map((e) => [e.type, e.metadata['sourceLine'], e.metadata['sourceId']])).toEqual([
        ['CustomerEnrolled', 2, 'c-1001'],
        ['PointsAdjusted', 3, 'b-1001'],
        ['PointsAdjusted', 4, 'e-5001'],
        ['PointsAdjusted', 5, 's-7001'],
        ['PointsAdjusted', 6, 'a-9001'],
        ['VisitCreated', 7, 'v-3001'],
      ]);
      expect(events.map((e) => e.data['enrolledAt'] ?? e.data['occurredAt'])).toEqual([
        '2019-04-01T08:00:00.000Z',
        '2024-12-31T23:59:59.000Z',
        '2025-01-15T10:00:00.000Z',
        '2025-02-01T12:00:00.000Z',
        '2025-02-03T09:00:00.000Z',
        '2025-02-10T15:30:00.000Z',
      ]);
      expect(events.map((e) => e.data['kind'])).toEqual([undefined, 'opening', 'earned', 'redemption', 'manual', 'service']);
      expect(events[1]!.data['expiresAt']).toBe('2027-12-31T23:59:59.000Z');
      for (const e of events) {
        expect(e.metadata).toMatchObject({ importId: 'import-sample-1', actor: 'migration-key' });
        expect(Date.now() - Date.parse(e.metadata['recordedAt'] as string)).toBeLessThan(60_000);
      }
      // The auditor's history on business time shows the old dates in their order.
      const history = await ledger.request('GET', `/customers/${importedCustomerId('M-1001')}/history?basis=occurred&asOf=2025-01-31T00:00:00Z`);
      expect(history.body.balance).toBe(1280);
    });

    it('projects into the read models like any other event, which reconcile with the log', async () => {
      const id = importedCustomerId('M-1001');
      const balance = await ledger.request('GET', `/customers/${id}/balance?minPosition=${first.position}`);
      expect(balance.body).toMatchObject({ available: 750, pending: 0, lifetimeEarned: 80, lifetimeRedeemed: 500 });
      const timeline = await ledger.request('GET', `/customers/${id}/timeline?order=asc`);
      expect(timeline.body.entries.map((e: { kind: string }) => e.kind)).toEqual([null, 'opening', 'earned', 'redemption', 'manual', 'service']);
      const expirations = await ledger.request('GET', `/customers/${id}/expirations`);
      // The spend (500) and the debit (30) drew from the opening balance's lot, the soonest to expire.
      expect(expirations.body.nextExpiry).toMatchObject({ points: 670 });
      const reconcile = await ledger.request('GET', '/audit/reconcile');
      expect(reconcile.body.mismatches).toEqual([]);
    });

    it('writes nothing the second time and reports every row as already imported, even from an overlapping file', async () => {
      const before = await head();
      const again = await run(SAMPLE);
      expect(again.rows).toEqual({ read: 9, applied: 0, skipped: 9, refused: 0 });
      expect(await head()).toBe(before);
      const overlap = await run(csv('earn,e-5001,M-1001,,,,2025-01-15T10:00:00Z,80,,,,,', 'earn,e-5003,M-1001,,,,2025-03-15T10:00:00Z,7,,,,,'));
      expect(overlap.rows).toMatchObject({ applied: 1, skipped: 1 });
      expect((await customer('M-1001')).balance.available).toBe(757);
    });
  });

  it('a dry run reports what a real run does, and writes nothing', async () => {
    const file = csv(
      'customer,c-d1,D-1,dry1@example.com,,,2021-01-01T00:00:00Z,,,,,,',
      'balance,b-d1,D-1,,,,2024-01-01T00:00:00Z,40,,,,,',
      'spend,s-d1,,dry1@example.com,,,2024-02-01T00:00:00Z,50,,,,,',
      'spend,s-d2,D-1,,,,2024-02-01T00:00:00Z,15,,,,,',
      'earn,e-d1,D-404,,,,2024-02-01T00:00:00Z,15,,,,,',
    );
    const before = await head();
    const dry = await run(file, { dryRun: true });
    expect(await head()).toBe(before);
    expect(dry).toMatchObject({ dryRun: true, rows: { read: 5, applied: 3, refused: 2 }, points: { net: 25 } });
    const real = await run(file);
    expect({ rows: real.rows, byKind: real.byKind, points: real.points, lines: real.refusals.map((r) => r.line) }).toEqual({
      rows: dry.rows,
      byKind: dry.byKind,
      points: dry.points,
      lines: dry.refusals.map((r) => r.line),
    });
    expect((await customer('D-1')).balance.available).toBe(25);
  });

  it('matches customers by external id, then e-mail, then phone, including one enrolled through the API', async () => {
    const viaApi = await enrolCustomer(ledger, { phone: '+44 20 7946 0001' });
    const email = (await ledger.request('GET', `/customers/${viaApi}`)).body.email as string;
    const report = await run(
      csv(
        `earn,e-m1,,${email},,,2024-01-01T00:00:00Z,10,,,,,`,
        'earn,e-m2,,,+442079460001,,2024-01-01T00:00:00Z,5,,,,,',
        `earn,e-m3,NOT-IMPORTED,,+44 (20) 7946-0001,,2024-01-01T00:00:00Z,1,,,,,`,
        'earn,e-m4,,nobody@example.com,,,2024-01-01T00:00:00Z,1,,,,,',
      ),
    );
    expect(report.rows).toMatchObject({ applied: 3, refused: 1 });
    expect(report.refusals).toEqual([{ line: 5, kind: 'earn', reason: expect.stringMatching(/^customer-not-found/) }]);
    expect((await ledger.request('GET', `/customers/${viaApi}`)).body.balance.available).toBe(16);
  });

  it("applies one customer's rows in file order, and a refused row stops no other row", async () => {
    const report = await run(
      csv(
        'customer,c-o1,O-1,order1@example.com,,,2021-01-01T00:00:00Z,,,,,,',
        'spend,s-o1,O-1,,,,2024-01-01T00:00:00Z,10,,,,,',
        'earn,e-o1,O-1,,,,2024-01-02T00:00:00Z,30,,,,,',
        'customer,c-o2,O-2,order1@example.com,,,2021-01-01T00:00:00Z,,,,,,',
        'earn,e-o2,O-2,,,,2024-01-02T00:00:00Z,30,,,,,',
        'spend,s-o2,O-1,,,,2024-01-03T00:00:00Z,10,,,,,',
      ),
    );
    expect(report.refusals.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [3, 'insufficient-points'],
      [5, 'email-taken'],
      [6, 'customer-not-found'],
    ]);
    expect((await customer('O-1')).balance.available).toBe(20);
  });

  describe('bad input: each a refused row naming its line and field, never a crash, never a partial row, never the value', () => {
    const SECRET_NAME = 'Zaphod Beeblebrox';

    it('takes a BOM, CRLF line ends and quoted commas and line breaks in stride', async () => {
      const file = `\uFEFF${HEADER}\r\ncustomer,c-b1,B-1,bom@example.com,,"Beeblebrox, Zaphod\r\nthe second",2021-01-01T00:00:00Z,,,,,,\r\nearn,e-b1,B-1,,,,2024-01-01T00:00:00Z,5,,"a, b",,,\r\n`;
      const report = await run(file);
      expect(report.refusals).toEqual([]);
      expect(report.rows.applied).toBe(2);
      expect((await customer('B-1')).name).toBe('Beeblebrox, Zaphod\r\nthe second');
    });

    it.each([
      ['missing columns', 'earn,e-x1,B-1,,,,2024-01-01T00:00:00Z,5', undefined],
      ['extra columns', 'earn,e-x2,B-1,,,,2024-01-01T00:00:00Z,5,,,,,,,', undefined],
      ['a number out of range', 'earn,e-x3,B-1,,,,2024-01-01T00:00:00Z,100000000000,,,,,', 'points'],
      ['a fractional number', 'earn,e-x4,B-1,,,,2024-01-01T00:00:00Z,1.5,,,,,', 'points'],
      ['a date without offset', 'earn,e-x5,B-1,,,,2024-01-01T00:00:00,5,,,,,', 'occurredAt'],
      ['an impossible date', 'earn,e-x6,B-1,,,,2024-02-30T00:00:00Z,5,,,,,', 'occurredAt'],
      ['an unknown kind', 'gift,e-x7,B-1,,,,2024-01-01T00:00:00Z,5,,,,,', 'kind'],
      ['a bad e-mail', `customer,c-x8,X-8,${SECRET_NAME},,,2021-01-01T00:00:00Z,,,,,,`, 'email'],
    ])('%s', async (_what, line, field) => {
      const before = await head();
      const report = await run(csv(line));
      expect(report.rows).toMatchObject({ read: 1, applied: 0, refused: 1 });
      expect(report.refusals[0]!.line).toBe(2);
      if (field !== undefined) expect(report.refusals[0]!.errors?.map((e) => e.path)).toContain(field);
      expect(JSON.stringify(report)).not.toContain(SECRET_NAME);
      expect(await head()).toBe(before);
    });

    it('refuses the second of two rows with one source id, and a truncated last line', async () => {
      const report = await run(
        `${HEADER}\nearn,e-t1,B-1,,,,2024-01-01T00:00:00Z,5,,,,,\nearn,e-t1,B-1,,,,2024-01-01T00:00:00Z,6,,,,,\nearn,e-t2,B-1,,,,2024-01-01T00:00:00Z,7`,
      );
      expect(report.refusals.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
        [3, 'duplicate source id'],
        [4, 'truncated'],
      ]);
      expect((await customer('B-1')).balance.available).toBe(10);
    });

    it('refuses a line that is not UTF-8, and imports the others', async () => {
      const bytes = Buffer.concat([
        Buffer.from(`${HEADER}\ncustomer,c-e1,E-1,latin1@example.com,,`),
        Buffer.from('Zo\xeb', 'latin1'),
        Buffer.from(',2021-01-01T00:00:00Z,,,,,,\ncustomer,c-e2,E-2,utf8@example.com,,Zoë,2021-01-01T00:00:00Z,,,,,,\n'),
      ]);
      const report = await run(bytes);
      expect(report.refusals).toEqual([{ line: 2, reason: expect.stringMatching(/^encoding/) }]);
      expect((await customer('E-2')).name).toBe('Zoë');
    });

    it('refuses a header with an unknown column before any row', async () => {
      const before = await head();
      const report = await run('kind,sourceId,ammount\nearn,e-h1,5\n');
      expect(report).toMatchObject({ status: 'failed', failure: expect.stringContaining('unknown column') });
      expect(await head()).toBe(before);
    });

    it('reads NDJSON the same way, refusing malformed lines and unknown fields', async () => {
      const report = await run(
        [
          JSON.stringify({ kind: 'customer', sourceId: 'c-n1', externalId: 'N-1', email: 'nd@example.com', occurredAt: '2021-01-01T00:00:00Z' }),
          '{"kind":"earn",',
          JSON.stringify({ kind: 'earn', sourceId: 'e-n1', externalId: 'N-1', points: 9, occurredAt: '2024-01-01T00:00:00Z', colour: 'red' }),
          JSON.stringify({ kind: 'earn', sourceId: 'e-n2', externalId: 'N-1', points: 9, occurredAt: '2024-01-01T00:00:00Z' }),
          '',
        ].join('\r\n'),
        { format: 'ndjson' },
      );
      expect(report.refusals.map((r) => [r.line, r.errors?.[0]?.path ?? r.reason])).toEqual([
        [2, 'not a JSON object (malformed JSON)'],
        [3, 'colour'],
      ]);
      expect((await customer('N-1')).balance.available).toBe(9);
    });
  });

  it('stops cleanly when asked, and a re-run resumes where it stopped', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => [
      `customer,c-s${i},S-${i},stop${i}@example.com,,,2021-01-01T00:00:00Z,,,,,,`,
      `earn,e-s${i},S-${i},,,,2024-01-01T00:00:00Z,${i + 1},,,,,`,
    ]).flat();
    const file = csv(...lines);
    const controller = new AbortController();
    const stopped = await run(file, {
      signal: controller.signal,
      progressEvery: 10,
      onProgress: (r) => (r.rows.applied >= 20 ? controller.abort() : undefined),
    });
    expect(stopped.status).toBe('stopped');
    expect(stopped.rows.read).toBeLessThan(120);
    const resumed = await run(file);
    expect(resumed.status).toBe('completed');
    expect(resumed.rows.applied + resumed.rows.skipped).toBe(120);
    expect(resumed.rows.skipped).toBe(stopped.rows.applied);
    const events = (await allEvents(ledger.store)).filter((e) => String(e.metadata['sourceId'] ?? '').match(/^[ce]-s\d+$/));
    expect(events).toHaveLength(120);
  });
});
