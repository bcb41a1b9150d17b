import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { verifyChain, type ChainReport } from '#audit/verify-chain';
import { enrolCustomer, startLedger } from '../support/ledger-app';
import { tempDir } from '../support/temp-dir';

/**
 * Tamper evidence, tested the way an insider would tamper: by editing the SQLite file directly.
 * A pristine ledger is written through the real API once; each test works on its own copy.
 */
const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');

describe('ledger audit verify-chain', () => {
  const dir = tempDir('verify-chain-');
  let pristine: string;
  let customerId: string;
  let copies = 0;

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir: dir.path });
    customerId = await enrolCustomer(ledger);
    for (let i = 0; i < 3; i++) {
      await ledger.request('POST', `/customers/${customerId}/payments`, {
        locationId: 'store-1',
        amount: `${10 + i}.00`,
        purchaseIdentifier: `R-${i}`,
        occurredAt: '2026-11-20T10:00:00Z',
      });
    }
    await ledger.request('POST', `/customers/${customerId}/adjustments`, { points: -5, reason: 'correction' });
    await ledger.request('POST', `/customers/${customerId}/redemptions`, { points: 7 });
    await ledger.close({ keepData: true });
    pristine = join(dir.path, 'events.sqlite');
  });
  afterAll(() => dir.cleanup());

  /** A copy of the pristine event file, tampered with by `edit`, then verified. */
  async function tampered(edit: (db: Database.Database) => void): Promise<{ report: ChainReport; file: string }> {
    const file = join(dir.path, `copy-${++copies}.sqlite`);
    const source = new Database(pristine);
    await source.backup(file);
    source.close();
    const db = new Database(file);
    edit(db);
    db.close();
    const store = new SqliteEventStore({ filename: file, readOnly: true });
    const report = await verifyChain(store);
    await store.close();
    return { report, file };
  }

  const account = () => `loyaltyAccount-${customerId}`;
  const payments = (db: Database.Database) =>
    db.prepare("SELECT position, revision FROM events WHERE stream_name = ? AND type = 'PaymentRecorded' ORDER BY revision").all(account()) as {
      position: number;
      revision: number;
    }[];

  it('finds nothing wrong with a ledger written through the API, and gives a digest of it', async () => {
    const { report } = await tampered(() => {});
    expect(report.findings).toEqual([]);
    expect(report.unhashedPrefix).toBe(0);
    expect(report.events).toBeGreaterThan(10);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a changed field as altered, with its stream and revision', async () => {
    const { report } = await tampered((db) => {
      const first = payments(db)[0]!;
      db.prepare("UPDATE events SET data = json_set(data, '$.points', 9999) WHERE position = ?").run(first.position);
    });
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'altered', streamName: account(), revision: expect.any(String) })]);
  });

  it('reports a deleted event as a missing revision and a broken link', async () => {
    const { report } = await tampered((db) => {
      db.prepare('DELETE FROM events WHERE position = ?').run(payments(db)[1]!.position);
    });
    expect(report.findings.map((f) => f.kind).sort()).toEqual(['broken-link', 'missing-revision']);
    expect(report.findings.every((f) => f.streamName === account())).toBe(true);
  });

  it('reports two swapped events as out of order and broken links', async () => {
    const { report } = await tampered((db) => {
      const [a, b] = payments(db);
      // Swap every column but the position: the log now holds b's event where a's was.
      const row = (p: number) => db.prepare('SELECT * FROM events WHERE position = ?').get(p) as Record<string, unknown>;
      const ra = row(a!.position);
      const rb = row(b!.position);
      db.prepare('UPDATE events SET revision = -1 WHERE position = ?').run(a!.position);
      db.prepare('UPDATE events SET revision = -2 WHERE position = ?').run(b!.position);
      const set = db.prepare('UPDATE events SET revision = ?, event_id = ?, type = ?, data = ?, metadata = ? WHERE position = ?');
      set.run(rb['revision'], rb['event_id'], rb['type'], rb['data'], rb['metadata'], a!.position);
      set.run(ra['revision'], ra['event_id'], ra['type'], ra['data'], ra['metadata'], b!.position);
    });
    const kinds = new Set(report.findings.map((f) => f.kind));
    expect(kinds.has('out-of-order') || kinds.has('missing-revision')).toBe(true);
    expect(kinds.has('broken-link')).toBe(true);
  });

  it('reports an event inserted into a stream (with a fresh, self-consistent hash) as a broken link', async () => {
    const { report } = await tampered((db) => {
      // Shift the later events up one revision and slip a credit in: its own hash is valid, its link is not.
      const last = (db.prepare('SELECT MAX(revision) AS r FROM events WHERE stream_name = ?').get(account()) as { r: number }).r;
      for (let r = last; r >= 3; r--) db.prepare('UPDATE events SET revision = ? WHERE stream_name = ? AND revision = ?').run(r + 1, account(), r);
      const model = db.prepare('SELECT * FROM events WHERE stream_name = ? AND revision = 2').get(account()) as Record<string, string>;
      db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, 3, ?, ?, ?, ?)').run(
        account(),
        'ffffffff-ffff-5fff-bfff-ffffffffffff',
        model['type'],
        model['data'],
        model['metadata'],
      );
    });
    expect(report.findings.some((f) => f.kind === 'broken-link' || f.kind === 'altered')).toBe(true);
    expect(report.findings.some((f) => f.kind === 'out-of-order')).toBe(true);
  });

  it('reports a hash stripped from an event after hashed ones', async () => {
    const { report } = await tampered((db) => {
      db.prepare("UPDATE events SET metadata = json_remove(metadata, '$.hash') WHERE position = ?").run(payments(db)[2]!.position);
    });
    expect(report.findings.map((f) => f.kind)).toContain('unhashed');
  });

  it('changes the digest when the tail of a stream is cut off (which the chain alone cannot show)', async () => {
    const intact = await tampered(() => {});
    const cut = await tampered((db) => {
      db.prepare('DELETE FROM events WHERE position = (SELECT MAX(position) FROM events WHERE stream_name = ?)').run(account());
    });
    expect(cut.report.findings).toEqual([]);
    expect(cut.report.digest).not.toBe(intact.report.digest);
  });

  it('exits 0 on an intact ledger and 1 on a tampered one, naming the stream and revision', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    const run = (dataDir: string, args: string[] = []) =>
      spawnSync(process.execPath, [CLI, 'audit', 'verify-chain', ...args], { env: { ...process.env, LEDGER_DATA_DIR: dataDir }, encoding: 'utf8' });
    const clean = tempDir('verify-clean-');
    const bad = tempDir('verify-bad-');
    try {
      copyFileSync(pristine, join(clean.path, 'events.sqlite'));
      const ok = run(clean.path);
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout).findings).toEqual([]);
      expect(run(clean.path, ['--customer', customerId]).status).toBe(0);

      const { file } = await tampered((db) => db.prepare("UPDATE events SET data = json_set(data, '$.points', 1) WHERE type = 'PointsAdjusted'").run());
      copyFileSync(file, join(bad.path, 'events.sqlite'));
      const failed = run(bad.path, ['--customer', customerId]);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(new RegExp(`altered: loyaltyAccount-${customerId} revision \\d+`));
    } finally {
      clean.cleanup();
      bad.cleanup();
    }
  });
});
