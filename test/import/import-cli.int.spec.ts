import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { tempDir } from '../support/temp-dir';

/** The built `ledger` CLI, run as an operator runs it. */
const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');
const SAMPLE = join(__dirname, '../../docs/import-sample.csv');

function ledger(args: string[], dataDir: string) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const child = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LEDGER_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 120_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

async function eventCount(dataDir: string): Promise<number> {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite'), readOnly: true });
  try {
    let count = 0;
    for (let after = 0n; ;) {
      const page = await store.readAll({ after, maxCount: 5000 });
      if (page.length === 0) return count;
      count += page.length;
      after = page[page.length - 1]!.position;
    }
  } finally {
    await store.close();
  }
}

describe('ledger import (the CLI)', () => {
  const dir = tempDir('ledger-import-cli-');
  afterAll(() => dir.cleanup());

  it('dry-runs the sample writing nothing, imports it, and imports it again writing nothing', async () => {
    const data = join(dir.path, 'sample');
    const dry = ledger(['import', SAMPLE, '--dry-run'], data);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, rows: { read: 9, applied: 9 }, points: { net: 1075 } });
    expect(dry.stderr).toContain('dry run: would apply 9');
    expect(existsSync(join(data, 'events.sqlite')) ? await eventCount(data) : 0).toBe(0);

    const first = ledger(['import', SAMPLE], data);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'completed', rows: { applied: 9 } });
    const written = await eventCount(data);
    // 9 ledger events and the reservations of 2 e-mails and 1 phone.
    expect(written).toBe(12);

    const again = ledger(['import', SAMPLE], data);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).rows).toEqual({ read: 9, applied: 0, skipped: 9, refused: 0 });
    expect(await eventCount(data)).toBe(written);
  });

  it('writes each refused row to --errors and exits 1, naming lines and fields but no value', () => {
    const data = join(dir.path, 'errors');
    const file = join(dir.path, 'bad.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ kind: 'customer', sourceId: 'c-1', externalId: 'X-1', email: 'x1@example.com', occurredAt: '2021-01-01T00:00:00Z' }),
        JSON.stringify({ kind: 'earn', sourceId: 'e-1', externalId: 'X-1', points: -4, occurredAt: '2024-01-01T00:00:00Z' }),
        JSON.stringify({
          kind: 'visit',
          sourceId: 'v-1',
          email: 'secret.person@example.com',
          locationId: 'store-1',
          visitKind: 'browse',
          occurredAt: '2024-01-01T00:00:00Z',
        }),
        '',
      ].join('\n'),
    );
    const errors = join(dir.path, 'bad.errors.ndjson');
    const run = ledger(['import', file, '--errors', errors], data);
    expect(run.code).toBe(1);
    const lines = readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(
      expect.arrayContaining([
        { line: 2, kind: 'earn', reason: 'invalid row', errors: [{ path: 'points', message: expect.stringContaining('expected integer from 1') }] },
        { line: 3, kind: 'visit', reason: expect.stringMatching(/^customer-not-found/) },
      ]),
    );
    expect(readFileSync(errors, 'utf8') + run.stdout + run.stderr).not.toContain('secret.person');
  });

  it('stops cleanly on Ctrl-C, and the same command resumes where it stopped', async () => {
    const data = join(dir.path, 'interrupted');
    const file = join(dir.path, 'big.csv');
    const rows = ['kind,sourceId,externalId,email,occurredAt,points'];
    for (let i = 0; i < 8_000; i++) {
      rows.push(`customer,c-${i},M-${i},m${i}@example.com,2021-01-01T00:00:00Z,`, `earn,e-${i},M-${i},,2024-01-01T00:00:00Z,${(i % 50) + 1}`);
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    const child = spawn(process.execPath, [CLI, 'import', file], { env: { ...process.env, LEDGER_DATA_DIR: data } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        // The first progress line: rows are being applied.
        if (/import: \d+%/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(stderr).toContain('stopped: run the same command again to resume');
    expect(code).toBe(1);
    const stopped = JSON.parse(stdout);
    expect(stopped.status).toBe('stopped');
    expect(stopped.rows.applied).toBeGreaterThan(0);
    expect(stopped.rows.applied).toBeLessThan(16_000);

    const resumed = ledger(['import', file], data);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(report.rows.skipped).toBe(stopped.rows.applied);
    expect(report.rows.applied + report.rows.skipped).toBe(16_000);
    // Every row once: 16,000 ledger events and 8,000 e-mail reservations.
    expect(await eventCount(data)).toBe(24_000);
  }, 180_000);

  it('ledger adjust --file: each line an ordinary adjustment, refused lines named, the same file again applying nothing', async () => {
    const data = join(dir.path, 'adjust');
    expect(ledger(['import', SAMPLE], data).code).toBe(0);
    const file = join(dir.path, 'adjust.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ email: 'ada@example.com', points: 50, reason: 'Campaign', reference: 'camp-1' }),
        JSON.stringify({ phone: '+1 555 010 2000', points: -20, reason: 'Correction' }),
        JSON.stringify({ email: 'grace@example.com', points: -1000, reason: 'Too much' }),
        '{"email": ',
        JSON.stringify({ email: 'grace@example.com', points: 0, reason: 'Zero' }),
        '',
      ].join('\n'),
    );
    const first = ledger(['adjust', '--file', file], data);
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ applied: 2, refused: 3 });
    expect(report.rows.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'refused'],
    ]);
    expect(report.invalid.map((r: { line: number }) => r.line)).toEqual([4, 5]);
    expect(report.rows[1].balance).toBe(780);
    expect(first.stderr).toContain('line 3: refused: insufficient-points');
    const written = await eventCount(data);
    const again = JSON.parse(ledger(['adjust', '--file', file], data).stdout);
    expect(again.rows.filter((r: { replayed?: boolean }) => r.replayed === true)).toHaveLength(2);
    expect(await eventCount(data)).toBe(written);
  });

  it('ledger export balances: one row per customer as of the position it states', async () => {
    const data = join(dir.path, 'export');
    expect(ledger(['import', SAMPLE], data).code).toBe(0);
    // The CLI import does not project: the export reads the read models, so they catch up first.
    expect(ledger(['projections', 'rebuild'], data).code).toBe(0);
    const exported = ledger(['export', 'balances', '--format', 'ndjson'], data);
    expect(exported.code).toBe(0);
    const rows = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.available, r.next_expiry_points]).sort()).toEqual([
      [325, 25],
      [750, 670],
    ]);
    expect(exported.stderr).toMatch(new RegExp(`2 customers as of position ${rows[0].position}`));
    const csv = ledger(['export', 'balances'], data);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^customer_id,available,pending,owed,/);
    expect(ledger(['export', 'balances', '--as-of', '2026-01-01'], data).code).toBe(2);
  });
});
