import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { chainEvents, emptyChain } from '#event-store/hash-chain';
import type { JsonObject } from '#event-store/event-store.port';
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

  /** Removes hash and prevHash from every event of a stream. */
  const stripHashes = (db: Database.Database, stream: string) =>
    db.prepare("UPDATE events SET metadata = json_remove(metadata, '$.hash', '$.prevHash') WHERE stream_name = ?").run(stream);

  /** A customer of the insider's own, unhashed: the real enrolment and an adjustment copied, with 1,000,000 points. */
  const forgeUnhashedCustomer = (db: Database.Database): string => {
    const forged = randomUUID();
    const rows = db.prepare('SELECT type, data, metadata FROM events WHERE stream_name = ? ORDER BY revision').all(account()) as Record<string, string>[];
    const enrolled = rows.find((r) => r['type'] === 'CustomerEnrolled')!;
    const adjusted = rows.find((r) => r['type'] === 'PointsAdjusted')!;
    const bare = (metadata: string) => {
      const { hash: _h, prevHash: _p, ...rest } = JSON.parse(metadata) as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const insert = db.prepare('INSERT INTO events (stream_name, revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(
      `loyaltyAccount-${forged}`,
      0,
      randomUUID(),
      'CustomerEnrolled',
      JSON.stringify({ ...JSON.parse(enrolled['data']!), customerId: forged }),
      bare(enrolled['metadata']!),
    );
    insert.run(
      `loyaltyAccount-${forged}`,
      1,
      randomUUID(),
      'PointsAdjusted',
      JSON.stringify({ ...JSON.parse(adjusted['data']!), customerId: forged, points: 1_000_000 }),
      bare(adjusted['metadata']!),
    );
    return forged;
  };

  /** Rewrites a stream's points and recomputes its whole (unkeyed) chain from revision 0: the chain alone cannot tell. */
  const recomputeChain = (db: Database.Database, stream: string) => {
    db.prepare("UPDATE events SET data = json_set(data, '$.points', 4242) WHERE stream_name = ? AND type = 'PointsAdjusted'").run(stream);
    const rows = db.prepare('SELECT position, event_id, type, data, metadata FROM events WHERE stream_name = ? ORDER BY revision').all(stream) as Record<
      string,
      string | number
    >[];
    const rechained = chainEvents(
      stream,
      emptyChain,
      rows.map((r) => ({
        id: String(r['event_id']),
        type: String(r['type']),
        data: JSON.parse(String(r['data'])) as JsonObject,
        metadata: JSON.parse(String(r['metadata'])) as JsonObject,
      })),
    );
    const update = db.prepare('UPDATE events SET metadata = ? WHERE position = ?');
    rechained.forEach((e, i) => update.run(JSON.stringify(e.metadata), rows[i]!['position']));
  };

  const cli = (dataDir: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [CLI, 'audit', ...args], { env: { ...process.env, LEDGER_DATA_DIR: dataDir, ...env }, encoding: 'utf8' });

  /** A data directory holding a tampered copy of the pristine ledger. */
  async function tamperedDataDir(edit: (db: Database.Database) => void): Promise<{ path: string; cleanup: () => void }> {
    const { file } = await tampered(edit);
    const data = tempDir('verify-data-');
    copyFileSync(file, join(data.path, 'events.sqlite'));
    return data;
  }

  it('reports a stream whose hashes were all removed and whose points were changed (every event this ledger writes is hashed)', async () => {
    const { report } = await tampered((db) => {
      stripHashes(db, account());
      db.prepare("UPDATE events SET data = json_set(data, '$.points', 5000) WHERE stream_name = ? AND type = 'PointsAdjusted'").run(account());
    });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(new Set(report.findings.map((f) => f.kind))).toEqual(new Set(['unhashed']));
    expect(report.findings.every((f) => f.streamName === account())).toBe(true);
    expect(report.findings.map((f) => f.revision)).toContain('0');
  });

  it('reports a whole forged customer stream without hashes, and the CLI exits 1 naming it', async () => {
    let forged = '';
    const data = await tamperedDataDir((db) => {
      forged = forgeUnhashedCustomer(db);
    });
    try {
      const run = cli(data.path, ['verify-chain']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`unhashed: loyaltyAccount-${forged} revision 0 `));
      expect(run.stderr).toMatch(new RegExp(`unhashed: loyaltyAccount-${forged} revision 1 `));
      expect(cli(data.path, ['verify-chain', '--customer', forged]).status).toBe(1);
    } finally {
      data.cleanup();
    }
  });

  it('accepts an unhashed stream start only with the explicit option for migrated logs, and counts it', async () => {
    const data = await tamperedDataDir((db) => {
      forgeUnhashedCustomer(db);
    });
    try {
      const lenient = cli(data.path, ['verify-chain', '--accept-unhashed-prefix']);
      expect(lenient.status).toBe(0);
      expect(JSON.parse(lenient.stdout).unhashedPrefix).toBe(2);
      expect(lenient.stderr).toMatch(/2 unhashed accepted as a migrated prefix/);
      // The same through the environment.
      expect(cli(data.path, ['verify-chain'], { LEDGER_CHAIN_ACCEPT_UNHASHED_PREFIX: 'true' }).status).toBe(0);
      // Never after a hashed event, even then.
    } finally {
      data.cleanup();
    }
    const { report } = await tampered((db) => {
      db.prepare("UPDATE events SET metadata = json_remove(metadata, '$.hash') WHERE position = ?").run(payments(db)[2]!.position);
    });
    expect(report.findings.map((f) => f.kind)).toContain('unhashed');
  });

  describe('anchors (ledger audit anchor, verify-chain --anchors)', () => {
    /** A data directory with the pristine ledger and an anchors file taken on it. */
    function anchored(): { data: { path: string; cleanup: () => void }; anchors: string } {
      const data = tempDir('anchored-');
      copyFileSync(pristine, join(data.path, 'events.sqlite'));
      const anchors = join(data.path, 'anchors.jsonl');
      const taken = cli(data.path, ['anchor', '--file', anchors]);
      expect(taken.status).toBe(0);
      expect(JSON.parse(taken.stdout)).toEqual({
        position: expect.stringMatching(/^\d+$/),
        events: expect.any(Number),
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        at: expect.any(String),
      });
      return { data, anchors };
    }

    it('appends one line per anchor to an owner-only file, continuing from the last, and verifies an intact log against it', () => {
      const { data, anchors } = anchored();
      try {
        expect(cli(data.path, ['anchor', '--file', anchors]).status).toBe(0);
        const lines = readFileSync(anchors, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toHaveLength(2);
        expect(lines[1]!['digest']).toBe(lines[0]!['digest']);
        expect(statSync(anchors).mode & 0o777).toBe(0o600);
        // Printed only, for an external log.
        expect(JSON.parse(cli(data.path, ['anchor']).stdout).digest).toBe(lines[0]!['digest']);
        const ok = cli(data.path, ['verify-chain', '--anchors', anchors]);
        expect(ok.status).toBe(0);
        expect(JSON.parse(ok.stdout).anchors).toBe(2);
      } finally {
        data.cleanup();
      }
    });

    it('catches a cut tail, which the chain alone cannot show', async () => {
      const { data, anchors } = anchored();
      try {
        const cut = await tamperedDataDir((db) => {
          db.prepare('DELETE FROM events WHERE position = (SELECT MAX(position) FROM events WHERE stream_name = ?)').run(account());
        });
        try {
          expect(cli(cut.path, ['verify-chain']).status).toBe(0);
          const run = cli(cut.path, ['verify-chain', '--anchors', anchors]);
          expect(run.status).toBe(1);
          expect(run.stderr).toMatch(/anchor-mismatch: \$all revision - \(position \d+\): history up to position \d+ is not what was anchored/);
        } finally {
          cut.cleanup();
        }
      } finally {
        data.cleanup();
      }
    });

    it('catches a history rewritten with a fully recomputed unkeyed chain', async () => {
      const { data, anchors } = anchored();
      try {
        const rewritten = await tamperedDataDir((db) => recomputeChain(db, account()));
        try {
          // The chain is self-consistent again: only the anchor shows the rewrite.
          expect(cli(rewritten.path, ['verify-chain']).status).toBe(0);
          const run = cli(rewritten.path, ['verify-chain', '--anchors', anchors]);
          expect(run.status).toBe(1);
          expect(run.stderr).toMatch(/anchor-mismatch/);
          // Anchors need the whole log.
          expect(cli(rewritten.path, ['verify-chain', '--anchors', anchors, '--customer', customerId]).status).toBe(2);
        } finally {
          rewritten.cleanup();
        }
      } finally {
        data.cleanup();
      }
    });
  });
});
