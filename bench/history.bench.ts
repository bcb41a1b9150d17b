import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { replayHistory, type HistoryBasis } from '../apps/ledger-api/src/history/customer-history';
import { heavyCustomer } from './ledger-generator';
import { machine, profileFromEnv, saveResults } from './bench-output';

/**
 * node dist/bench/history.bench.js (after npm run build)
 *
 * The auditor's replay alone, on a small store holding one customer with BENCH_HISTORY_EVENTS
 * (10,000) events (the heavy customer of bench:audit): the whole history, and as of the middle of
 * it on both time bases, in CPU ms per replay (process.cpuUsage: the machine is shared), median of
 * ROUNDS alternating rounds. Prints a SHA-256 of each answer's JSON, so two builds can be shown to
 * answer byte for byte the same. BENCH_PROFILE=file.cpuprofile: a CPU profile of the rounds.
 */
const EVENTS = Number(process.env['BENCH_HISTORY_EVENTS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-history-'));
  try {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const customerId = await heavyCustomer(store, EVENTS);
    // The heavy customer's events are a minute apart from 2 Jan 2026 (business time); all recorded at 1 Nov 2026.
    const middle = new Date(Date.UTC(2026, 0, 2) + (EVENTS / 2) * 60_000).toISOString();
    const views: Record<string, { asOf?: string; basis?: HistoryBasis }> = {
      whole: {},
      recordedMiddle: { asOf: middle, basis: 'recorded' },
      occurredMiddle: { asOf: middle, basis: 'occurred' },
    };
    const cpu: Record<string, number[]> = {};
    const wall: Record<string, number[]> = {};
    const digests: Record<string, string> = {};
    const replay = async (name: string) => {
      const started = performance.now();
      const used = process.cpuUsage();
      const history = await replayHistory(store, customerId, views[name]);
      const spent = process.cpuUsage(used);
      (cpu[name] ??= []).push((spent.user + spent.system) / 1000);
      (wall[name] ??= []).push(performance.now() - started);
      return history;
    };
    for (const name of Object.keys(views)) {
      const history = await replay(name); // warm-up, not counted
      digests[name] = createHash('sha256').update(JSON.stringify(history)).digest('hex');
      cpu[name] = [];
      wall[name] = [];
    }

    const stopProfile = await profileFromEnv();
    for (let round = 0; round < ROUNDS; round++) for (const name of Object.keys(views)) await replay(name);
    await stopProfile();
    await store.close();

    const results = Object.fromEntries(
      Object.keys(views).map((name) => [
        name,
        { cpuMedianMs: Number(median(cpu[name]!).toFixed(1)), wallMedianMs: Number(median(wall[name]!).toFixed(1)), sha256: digests[name] },
      ]),
    );
    console.log(JSON.stringify({ events: EVENTS, rounds: ROUNDS, target: '< 50 ms', results }, null, 2));
    console.log(`machine: ${machine()}`);
    saveResults('history', { results });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
