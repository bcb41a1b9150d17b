import { createWriteStream, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#runtime/config';
import { runImport } from '../apps/ledger-api/src/imports/run-import';
import type { ImportReport } from '../apps/ledger-api/src/imports/import-engine';

/**
 * npm run bench:import
 *
 * 1. Writes a CSV of BENCH_ROWS rows for BENCH_CUSTOMERS customers to a temp directory, streaming
 *    (each customer: its customer row, an opening balance, earnings, spends and a visit, in file
 *    order, as an export from another program would list them).
 * 2. Imports it into a fresh embedded store (real file, WAL, synchronous=FULL) in this process,
 *    through the same `runImport` as `ledger import`, and measures rows/s and the peak RSS
 *    (sampled every 100 ms).
 * 3. Imports the same file again: every row is found imported already, nothing is written; the
 *    ratio of the two times is the re-import speed-up.
 * Targets (issue 15): ≥ 20,000 rows/s for 1,000,000 rows / 100,000 customers; memory bounded;
 * the re-import ≥ 5× faster.
 */
const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 100_000);
const CONCURRENCY = process.env['BENCH_CONCURRENCY'] === undefined ? undefined : Number(process.env['BENCH_CONCURRENCY']);

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write('kind,sourceId,externalId,email,phone,name,occurredAt,points,expiresAt,reason,reference,locationId,visitKind\n');
  const perCustomer = Math.max(2, Math.floor(ROWS / CUSTOMERS));
  let written = 0;
  for (let c = 0; c < CUSTOMERS && written < ROWS; c++) {
    const id = `M-${c}`;
    await write(`customer,c-${c},${id},member${c}@example.com,+1555${String(c).padStart(7, '0')},"Member ${c}, Jr",2019-04-01T09:00:00+01:00,,,,,,\n`);
    await write(`balance,b-${c},${id},,,,2024-12-31T23:59:59Z,${500 + (c % 1000)},2027-12-31T23:59:59Z,Opening balance,,,\n`);
    written += 2;
    for (let r = 2; r < perCustomer && written < ROWS; r++, written++) {
      const day = String(1 + (r % 28)).padStart(2, '0');
      const at = `2025-${String(1 + (r % 12)).padStart(2, '0')}-${day}T10:00:00Z`;
      const kind = r % 5;
      if (kind === 0) await write(`spend,s-${c}-${r},${id},,,,${at},${10 + (r % 40)},,,voucher-${r},,\n`);
      else if (kind === 4) await write(`visit,v-${c}-${r},${id},,,,${at},,,,,store-${r % 7},service\n`);
      else await write(`earn,e-${c}-${r},${id},,,,${at},${1 + (r % 90)},,Purchase,,,\n`);
    }
  }
  out.end();
  await once(out, 'finish');
}

async function timed(file: string, dataDir: string): Promise<{ seconds: number; cpuSeconds: number; report: ImportReport; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const report = await runImport(loadConfig({ LEDGER_DATA_DIR: dataDir }), createReadStream(file, { highWaterMark: 256 * 1024 }), {
    importId: `bench-${Date.now()}`,
    actor: 'bench',
    format: 'csv',
    ...(CONCURRENCY !== undefined && { concurrency: CONCURRENCY }),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The process's CPU time (main thread and the store's writer thread): steadier than wall time on a shared machine.
  const cpu = process.cpuUsage(cpuStarted);
  clearInterval(sampler);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, report, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-import-'));
  try {
    const file = join(dir, 'import.csv');
    await writeFile(file);
    console.log(`file: ${ROWS.toLocaleString('en')} rows, ${CUSTOMERS.toLocaleString('en')} customers, ${(statSync(file).size / 1e6).toFixed(1)} MB`);
    const dataDir = join(dir, 'data');
    const first = await timed(file, dataDir);
    const second = await timed(file, dataDir);
    const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
    const rate = (r: { seconds: number; report: ImportReport }) => Math.round(r.report.rows.read / r.seconds);
    console.log(
      `import:    ${first.seconds.toFixed(1)} s (CPU ${first.cpuSeconds.toFixed(1)} s), ${rate(first).toLocaleString('en')} rows/s (target ≥ 20,000), peak RSS ${mb(first.peakRss)}; ` +
        `applied ${first.report.rows.applied}, refused ${first.report.rows.refused}`,
    );
    console.log(
      `re-import: ${second.seconds.toFixed(1)} s (CPU ${second.cpuSeconds.toFixed(1)} s), ${rate(second).toLocaleString('en')} rows/s, peak RSS ${mb(second.peakRss)}; skipped ${second.report.rows.skipped}, applied ${second.report.rows.applied}`,
    );
    console.log(`re-import ${(first.seconds / second.seconds).toFixed(1)}× faster (target ≥ 5×), writing ${second.report.rows.applied} rows`);
    if (first.report.rows.refused > 0) console.log('refusals:', first.report.refusals.slice(0, 3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
