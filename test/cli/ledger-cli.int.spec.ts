import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openSqliteReadModels } from '#read-models/database';
import { LEDGER_PROJECTION, Projector, readCheckpoint } from '#read-models/projector';
import { customerBalance } from '#read-models/queries';
import { migrate } from '#read-models/migrator';
import { generateLedger } from '../../bench/ledger-generator';
import { tempDir } from '../support/temp-dir';
import { run } from '../../apps/ledger-cli/src/main';

/** The built `ledger` CLI, run as a script would run it: exit codes, output, effects. */
const CLI = join(__dirname, '../../dist/apps/ledger-cli/src/main.js');

function ledger(args: string[], dataDir: string) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const child = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, LEDGER_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
    // Exports of a few thousand events run past the default 1 MiB.
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('ledger CLI', () => {
  const dir = tempDir('ledger-cli-');
  afterAll(() => dir.cleanup());

  it('prints help with exit 0, and refuses an unknown command with usage and exit 2', () => {
    const help = ledger(['--help'], dir.path);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('projections rebuild');
    const commandHelp = ledger(['projections', 'rebuild', '--help'], dir.path);
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain('--batch-size');
    const unknown = ledger(['projections', 'explode'], dir.path);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'explode'");
    expect(unknown.stderr).toContain('Usage: ledger projections');
    const none = ledger([], dir.path);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no command given');
  });

  it.each([
    [['projections', 'rebuild'], '--batch-size'],
    [['projections', 'status'], 'projections status'],
    [['audit', 'verify-chain'], '--customer'],
    [['audit', 'reconcile'], 'audit reconcile'],
    [['audit', 'export'], '--as-of'],
    [['projections'], 'projections rebuild'],
    [['audit'], 'audit export'],
  ])('prints help for %j with exit 0 on stdout', (command, mentions) => {
    const help = ledger([...command, '--help'], dir.path);
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toContain(`Usage: ledger ${command.join(' ')}`);
    expect(help.stdout).toContain(mentions);
  });

  it.each([
    [['projections', 'rebuild', '--batch-size', '0'], '--batch-size'],
    [['projections', 'rebuild', '--batch-size', '100001'], '--batch-size'],
    [['projections', 'rebuild', '--batch-size', '1.5'], '--batch-size'],
    [['projections', 'rebuild', '--batch-size'], '--batch-size'],
    [['projections', 'status', '--verbose'], '--verbose'],
    [['projections', 'status', 'now'], 'too many arguments'],
    [['audit', 'verify-chain', '--customer', '--all'], '--customer'],
    [['audit', 'verify-chain', '--customer', 'c-1', '--all'], '--customer'],
    [['audit', 'export'], '--customer ID or --all'],
    [['audit', 'export', '--all', '--format', 'xml'], '--format'],
    [['audit', 'export', '--all', '--basis', 'later'], '--basis'],
    [['audit', 'export', '--all', '--as-of', '2026-10-31'], '--as-of'],
  ])('refuses %j with exit 2, naming %s, and the usage, without a stack trace', (args, named) => {
    const refused = ledger(args, dir.path);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: /);
    expect(refused.stderr).toContain(named);
    expect(refused.stderr).toContain(`Usage: ledger ${args.slice(0, 2).join(' ')}`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('does not repeat a rejected customer id, which may be personal data', () => {
    const refused = ledger(['audit', 'export', '--customer', 'ada.lovelace@example.com'], dir.path);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--customer');
    expect(refused.stderr).not.toContain('lovelace');
  });

  it('exits 2 on a bad option or bad configuration, naming it', () => {
    const badOption = ledger(['projections', 'rebuild', '--batch-size', 'lots'], dir.path);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--batch-size');
    const badConfig = spawnSync(process.execPath, [CLI, 'projections', 'status'], {
      env: { ...process.env, LEDGER_READ_DB_URL: 'mysql://nope' },
      encoding: 'utf8',
    });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('LEDGER_READ_DB_URL');
  });

  it('rebuilds the read models from the log, replacing corrupted rows, with progress on stderr', async () => {
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    await generateLedger(store, { events: 6_000, customers: 300, seed: 3 });
    const head = await store.headPosition();
    const database = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    await migrate(database.db);
    await new Projector(store, database).catchUp();
    await store.close();
    const someone = (await database.db.selectFrom('customer_balances').select('customer_id').limit(1).executeTakeFirstOrThrow()).customer_id;
    const truth = await customerBalance(database.db, someone);
    await database.db.updateTable('customer_balances').set({ available: 999_999 }).where('customer_id', '=', someone).execute();
    await database.close();

    const rebuilt = ledger(['projections', 'rebuild', '--batch-size', '500'], dir.path);
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ rebuilt: LEDGER_PROJECTION, position: head.toString(), events: Number(head) });
    // Not a terminal: plain lines (the first at once), then a summary.
    expect(rebuilt.stderr).toMatch(/^rebuild: \d+% \d+\/\d+ events {2}\d+ events\/s {2}ETA \S+$/m);
    expect(rebuilt.stderr).toMatch(new RegExp(`^rebuild: ${Number(head)} events in [\\d.]+ s \\(\\d+ events/s\\)$`, 'm'));
    expect(rebuilt.stderr).not.toContain('\r');

    const after = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
    expect(await customerBalance(after.db, someone)).toEqual(truth);
    expect(await readCheckpoint(after.db, LEDGER_PROJECTION)).toBe(head);
    await after.close();

    const status = ledger(['projections', 'status'], dir.path);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      head: head.toString(),
      projections: [{ name: LEDGER_PROJECTION, checkpoint: head.toString(), lag: '0' }],
    });
  }, 120_000);
});

describe('ledger CLI progress', () => {
  const dir = tempDir('ledger-cli-progress-');
  let head: bigint;
  beforeAll(async () => {
    const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
    await generateLedger(store, { events: 3_000, customers: 100, seed: 5 });
    head = await store.headPosition();
    await store.close();
    // Projected, so that reconcile has a checkpoint to replay up to.
    expect(ledger(['projections', 'rebuild'], dir.path).code).toBe(0);
  }, 60_000);
  afterAll(() => dir.cleanup());

  it.each([
    [['audit', 'verify-chain'], 'verify-chain', 'events'],
    [['audit', 'reconcile'], 'reconcile', 'events'],
    [['audit', 'export', '--all'], 'export', 'entries'],
  ])('%j prints plain progress lines and a summary on stderr when it is not a terminal', (args, label, unit) => {
    const result = ledger(args, dir.path);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^${label}: \\d+% \\d+/\\d+ ${unit} {2}\\d+ ${unit}/s {2}ETA \\S+$`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^${label}: \\d+ ${unit} in [\\d.]+ s \\(\\d+ ${unit}/s\\)$`, 'm'));
    // No bar glyphs or cursor movement in a log.
    for (const drawing of ['\u2588', '\r', '\u001b[']) expect(result.stderr).not.toContain(drawing);
  });

  // util-linux `script` runs the CLI on a pseudo-terminal of its own, as an operator's shell would.
  (process.platform === 'linux' ? it : it.skip)(
    'draws a progress bar in place on a terminal, and still exits 0',
    () => {
      const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
      const command = [process.execPath, CLI, 'projections', 'rebuild', '--batch-size', '200'].map(quote).join(' ');
      const result = spawnSync('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, LEDGER_DATA_DIR: dir.path },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(0);
      // Both streams reach the terminal: the bar (stderr) and the result (stdout).
      const screen = result.stdout;
      expect(screen).toContain('\u2588');
      expect(screen).toMatch(/rebuild \S+ 100% \| (\d+)\/\1 events \| \d+ events\/s \| ETA 0s/);
      // Redrawn in place (cursor to column 1), not printed line after line.
      expect(screen).toContain('\u001b[1G');
      expect(screen).not.toMatch(/^rebuild: /m);
      expect(screen).toContain(`"events":${Number(head)}`);
    },
    120_000,
  );
});

describe('run(), the CLI in-process', () => {
  /** Calls run() with streams that keep what was written; process.exit must never be reached. */
  async function inProcess(argv: string[]) {
    const collect = () => {
      const stream = new PassThrough();
      const chunks: string[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
      return { stream, text: () => chunks.join('') };
    };
    const out = collect();
    const err = collect();
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit called');
    });
    try {
      const code = await run(argv, out.stream, err.stream);
      return { code, stdout: out.text(), stderr: err.text() };
    } finally {
      exit.mockRestore();
    }
  }

  it('returns the exit code, writing help and usage errors to the given streams', async () => {
    const help = await inProcess(['audit', 'export', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: ledger audit export');
    const usage = await inProcess(['projections', 'rebuild', '--batch-size', 'lots']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toContain('--batch-size');
  });

  it('returns 2 for a configuration error, printed as its message alone', async () => {
    const saved = process.env['LEDGER_READ_DB_URL'];
    process.env['LEDGER_READ_DB_URL'] = 'mysql://nope';
    try {
      const result = await inProcess(['projections', 'status']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('LEDGER_READ_DB_URL');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      if (saved === undefined) delete process.env['LEDGER_READ_DB_URL'];
      else process.env['LEDGER_READ_DB_URL'] = saved;
    }
  });
});

describe('ledger CLI started twice at once on a fresh data directory', () => {
  const dir = tempDir('ledger-cli-race-');
  afterAll(() => dir.cleanup());

  it('lets both processes migrate the new read-model database and succeed', async () => {
    const runOnce = () =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'projections', 'status'], { env: { ...process.env, LEDGER_DATA_DIR: dir.path }, stdio: 'ignore' });
        child.on('exit', resolve);
      });
    expect(await Promise.all([runOnce(), runOnce(), runOnce()])).toEqual([0, 0, 0]);
  }, 60_000);
});
