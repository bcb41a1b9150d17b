import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { verifyChain } from '#audit/verify-chain';
import { generateLedger } from './ledger-generator';
import { machine, profileFromEnv, saveResults } from './bench-output';

/**
 * node dist/bench/verify-chain.bench.js (after npm run build)
 *
 * `ledger audit verify-chain`'s walk alone over a generated ledger of BENCH_EVENTS (200,000)
 * events for BENCH_CUSTOMERS (20,000) customers: events/s by wall time and CPU µs per event
 * (process.cpuUsage, every thread of the process), median of BENCH_ROUNDS (5) runs, with a SHA-256
 * of the report's JSON (the ledger's ids are random: compare digests within a run, or the
 * findings count). BENCH_PROFILE=file.cpuprofile: a CPU profile of the main thread's rounds.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-verify-'));
  try {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await generateLedger(store, { events: EVENTS, customers: CUSTOMERS });
    await verifyChain(store); // warm-up: page cache and JIT

    const stopProfile = await profileFromEnv();
    const rates: number[] = [];
    const cpuMicros: number[] = [];
    const digests = new Set<string>();
    let events = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const report = await verifyChain(store);
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - started) / 1000;
      if (report.findings.length > 0) throw new Error(`verify-chain found ${report.findings.length} problems in a clean log`);
      events = report.events;
      rates.push(report.events / seconds);
      cpuMicros.push((used.user + used.system) / report.events);
      digests.add(createHash('sha256').update(JSON.stringify(report)).digest('hex'));
    }
    await stopProfile();
    await store.close();
    if (digests.size !== 1) throw new Error('verify-chain reports differ between runs over the same log');

    const results = {
      events,
      eventsPerSecondMedian: Math.round(median(rates)),
      cpuMicrosPerEventMedian: Number(median(cpuMicros).toFixed(2)),
      rates: rates.map(Math.round),
      reportSha256: [...digests][0],
    };
    console.log(JSON.stringify({ target: '≥ 100,000 events/s', results }, null, 2));
    console.log(`machine: ${machine()}`);
    saveResults('verify-chain', { results });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
