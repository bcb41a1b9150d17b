import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { chainEvents, chainHeadOf } from '#event-store/hash-chain';
import { accountStream, programStream } from '#runtime/streams';
import { DEFAULT_PROGRAM_ID } from '#ledger-domain/program/program';
import { startLedger, type RunningLedger } from '../support/ledger-app';
import { customerWithPoints, expectNothingWritten, expectProblem, paymentBody } from '../support/e2e';
import { tempDir } from '../support/temp-dir';

/**
 * The command path refuses to build on a broken hash chain. An insider with write access to the
 * SQLite file (and no more) strips the hashes of a customer's events and raises the points, or
 * slips in a whole customer of their own, unhashed, with 1,000,000 points. Before, the API served
 * the forged customer and accepted a 999,999-point redemption on it. Now such a stream is
 * quarantined when loaded: commands on it answer 503 `ledger-integrity` and write nothing; reads
 * answer, flagged; readiness stays 200 and reports the quarantine; every other customer carries on.
 */
const noKey = { authorization: '' };

interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

const rowsOf = (db: Database.Database, stream: string) => db.prepare('SELECT * FROM events WHERE stream_name = ? ORDER BY revision').all(stream) as EventRow[];

/** A customer of the insider's own: the enrolment and an adjustment of a real one, retargeted, without hashes. */
function forgeCustomer(db: Database.Database, model: string, customerId: string, points: number): void {
  const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const rows = rowsOf(db, model);
  const enrolled = rows.find((r) => r.type === 'CustomerEnrolled')!;
  const adjusted = rows.find((r) => r.type === 'PointsAdjusted')!;
  const strip = (metadata: string) => {
    const { hash: _h, prevHash: _p, ...rest } = JSON.parse(metadata) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  const enrolData = { ...(JSON.parse(enrolled.data) as Record<string, unknown>), customerId, email: `forged-${customerId}@example.com` };
  const adjustData = { ...(JSON.parse(adjusted.data) as Record<string, unknown>), customerId, adjustmentId: randomUUID(), points };
  insert.run(accountStream(customerId), 0, randomUUID(), 'CustomerEnrolled', JSON.stringify(enrolData), strip(enrolled.metadata));
  insert.run(accountStream(customerId), 1, randomUUID(), 'PointsAdjusted', JSON.stringify(adjustData), strip(adjusted.metadata));
}

describe('a forged or stripped stream on the command path', () => {
  const dir = tempDir('forged-stream-');
  let ledger: RunningLedger;
  let honest: string;
  let stripped: string;
  const forged = randomUUID();
  const errors: string[] = [];
  let stderrSpy: jest.SpyInstance | undefined;

  beforeAll(async () => {
    // Written through the API, then tampered with while it is stopped (a cached stream is never re-read).
    const first = await startLedger({ dataDir: dir.path, reactions: 'off', lifecycle: 'off' });
    honest = await customerWithPoints(first, 100);
    stripped = await customerWithPoints(first, 100);
    await first.close({ keepData: true });

    const db = new Database(join(dir.path, 'events.sqlite'));
    // Every hash and prevHash of one customer removed, and its points raised.
    db.prepare("UPDATE events SET metadata = json_remove(metadata, '$.hash', '$.prevHash') WHERE stream_name = ?").run(accountStream(stripped));
    db.prepare("UPDATE events SET data = json_set(data, '$.points', 500000) WHERE stream_name = ? AND type = 'PointsAdjusted'").run(accountStream(stripped));
    forgeCustomer(db, accountStream(honest), forged, 1_000_000);
    db.close();

    stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    ledger = await startLedger({ dataDir: dir.path, reactions: 'off', lifecycle: 'off' });
  });
  afterAll(async () => {
    stderrSpy?.mockRestore();
    await ledger.close();
    dir.cleanup();
  });

  it('refuses a 999,999-point redemption on a forged customer with 503 ledger-integrity, and writes nothing', async () => {
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${forged}/redemptions`, { points: 999_999 }));
    expectProblem(response, 503, 'ledger-integrity');
    expect(response.body.revision).toBe('0');
    // Every command on it, not only redemptions.
    expectProblem(await ledger.request('POST', `/customers/${forged}/payments`, paymentBody()), 503, 'ledger-integrity');
    expectProblem(await ledger.request('POST', `/customers/${forged}/adjustments`, { points: 1, reason: 'x' }), 503, 'ledger-integrity');
  });

  it('an import refuses rows for a customer whose stream fails its check, and writes nothing to it', async () => {
    const { email } = (await ledger.request('GET', `/customers/${stripped}`)).body as { email: string };
    const file =
      [
        'kind,sourceId,externalId,email,phone,name,occurredAt,points,expiresAt,reason,reference,locationId,visitKind',
        `adjust,forged-import-1,,${email},,,2025-01-01T10:00:00Z,5,,Goodwill,,,`,
      ].join('\n') + '\n'; // a last line without its line end is refused as truncated
    const accepted = await ledger.request('POST', '/imports', file, { 'content-type': 'text/csv' });
    expect(accepted.status).toBe(202);
    const importId = (accepted.body as { importId: string }).importId;
    let status = await ledger.request('GET', `/imports/${importId}`);
    while (status.body.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await ledger.request('GET', `/imports/${importId}`);
    }
    expect(status.body).toMatchObject({ status: 'completed', rows: { read: 1, applied: 0, skipped: 0, refused: 1 } });
    expect((status.body as { refusals: { line: number; reason: string }[] }).refusals.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [2, 'ledger-integrity'],
    ]);
  });

  it('refuses commands on a customer whose hashes were stripped and points raised', async () => {
    const response = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${stripped}/redemptions`, { points: 1000 }));
    expectProblem(response, 503, 'ledger-integrity');
  });

  it('still answers reads of a quarantined customer, flagged', async () => {
    const read = await ledger.request('GET', `/customers/${forged}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('ledger-integrity')).toBe('quarantined; revision=0; kind=unhashed');
    // The ledger's history, read straight from the store, is flagged too (checked here even before any command).
    const history = await ledger.request('GET', `/customers/${stripped}/history`);
    expect(history.status).toBe(200);
    expect(history.headers.get('ledger-integrity')).toMatch(/^quarantined; revision=0; kind=unhashed$/);
    // An intact customer is not flagged.
    const intact = await ledger.request('GET', `/customers/${honest}`);
    expect(intact.status).toBe(200);
    expect(intact.headers.get('ledger-integrity')).toBeNull();
  });

  it('keeps every other customer working', async () => {
    const redeemed = await ledger.request('POST', `/customers/${honest}/redemptions`, { points: 10 });
    expect(redeemed.status).toBe(201);
    expect((await ledger.request('POST', `/customers/${honest}/payments`, paymentBody())).status).toBe(201);
    expect((await ledger.request('POST', '/customers', { email: `new-${randomUUID()}@example.com` })).status).toBe(201);
  });

  it('reports the quarantine in readiness (200, degraded, a count but no names), in /metrics and in an error log naming stream and revision', async () => {
    const ready = await ledger.request('GET', '/health/ready', undefined, noKey);
    expect(ready.status).toBe(200);
    expect(ready.body.details.chainIntegrity).toEqual({ status: 'up', state: 'degraded', quarantined: 2 });
    expect(JSON.stringify(ready.body)).not.toContain(forged);

    const metrics = await ledger.request('GET', '/metrics');
    expect(metrics.body).toMatch(/^ledger_quarantined_streams 2$/m);
    expect(metrics.body).toMatch(/^ledger_chain_breaks_total\{kind="unhashed",category="loyaltyAccount"\} 2$/m);

    const logged = errors.join('');
    expect(logged).toContain(`unhashed in ${accountStream(forged)} at revision 0`);
    expect(logged).toContain(`unhashed in ${accountStream(stripped)} at revision 0`);
  });
});

describe('chain checks on the command path', () => {
  it('checks each event once, as it is first loaded: a forged event appended behind a cached stream is caught at its revision', async () => {
    const dir = tempDir('incremental-chain-');
    const ledger = await startLedger({ dataDir: dir.path, reactions: 'off', lifecycle: 'off' });
    try {
      const customerId = await customerWithPoints(ledger, 50);
      expect((await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 5 })).status).toBe(201);
      // An event appended behind the API's back, with a valid hash of its own but linked to nothing.
      const stream = accountStream(customerId);
      const events = (await ledger.store.readStream(stream)).events;
      const last = events[events.length - 1]!;
      const forged = chainEvents(stream, { revision: last.revision, hash: 'f'.repeat(64) }, [
        { id: randomUUID(), type: last.type, data: { ...last.data, points: 900 }, metadata: { ...last.metadata } },
      ]);
      const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
      await store.appendToStream(stream, last.revision, forged);
      await store.close();

      const refused = await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 5 });
      expectProblem(refused, 503, 'ledger-integrity');
      expect(refused.body.revision).toBe(String(last.revision + 1n));
    } finally {
      await ledger.close();
    }
  });

  it("stops every command when the program's stream is broken: the program decides what every payment earns", async () => {
    const dir = tempDir('program-chain-');
    const first = await startLedger({ dataDir: dir.path, reactions: 'off', lifecycle: 'off' });
    const customerId = await customerWithPoints(first, 50);
    await first.close({ keepData: true });
    const db = new Database(join(dir.path, 'events.sqlite'));
    db.prepare("UPDATE events SET data = json_set(data, '$.settings.pointsPerUnit', 1000) WHERE stream_name = ?").run(programStream(DEFAULT_PROGRAM_ID));
    db.close();
    const ledger = await startLedger({ dataDir: dir.path, reactions: 'off', lifecycle: 'off' });
    try {
      const refused = await expectNothingWritten(ledger, () => ledger.request('POST', `/customers/${customerId}/payments`, paymentBody()));
      expectProblem(refused, 503, 'ledger-integrity');
      expect(refused.body.detail).toMatch(/program/);
      expectProblem(await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 1 }), 503, 'ledger-integrity');
      const program = await ledger.request('GET', '/program');
      expect(program.status).toBe(200);
      expect(program.headers.get('ledger-integrity')).toMatch(/^quarantined; revision=0; kind=altered$/);
    } finally {
      await ledger.close();
    }
  });

  it('accepts what it wrote itself, across restarts (no false alarms on an honest ledger)', async () => {
    const dir = tempDir('honest-chain-');
    const first = await startLedger({ dataDir: dir.path });
    const customerId = await customerWithPoints(first, 50);
    for (let i = 0; i < 5; i++) expect((await first.request('POST', `/customers/${customerId}/payments`, paymentBody())).status).toBe(201);
    await first.close({ keepData: true });
    const ledger = await startLedger({ dataDir: dir.path });
    try {
      expect((await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 5 })).status).toBe(201);
      const ready = await ledger.request('GET', '/health/ready', undefined, noKey);
      expect(ready.body.details.chainIntegrity).toEqual({ status: 'up', state: 'intact', quarantined: 0 });
      // The head the runner chained from is the stored one.
      const events = (await ledger.store.readStream(accountStream(customerId))).events;
      expect(chainHeadOf(events[events.length - 1]!).hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await ledger.close();
    }
  });
});
