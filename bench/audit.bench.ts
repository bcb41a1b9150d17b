import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { reconcile } from '#audit/reconcile';
import { verifyChain } from '#audit/verify-chain';
import { openSqliteReadModels } from '#read-models/database';
import { rebuildReadModels } from '#read-models/rebuild';
import { migrate } from '#read-models/migrator';
import { replayHistory } from '../apps/ledger-api/src/history/customer-history';
import { generateLedger, heavyCustomer } from './ledger-generator';
import { machine, saveResults } from './bench-output';

/**
 * npm run bench:audit
 *
 * 1. Replay of one customer with 10,000 events (the history endpoint's work: read the stream from
 *    the store, decode, fold with running balances), median and worst of 20 runs.
 * 2. verify-chain over the whole log of BENCH_EVENTS events (hashes recomputed for every event).
 * 3. reconcile over the same log (the domain fold of every customer vs the read models, which
 *    are rebuilt first and not timed).
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 100_000);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-audit-'));
  try {
    const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const generated = await generateLedger(store, { events: EVENTS, customers: CUSTOMERS });
    const heavy = await heavyCustomer(store, 10_000);
    console.log(`generated ${generated.events + 10_000} events; one customer with 10,000`);

    const replays: number[] = [];
    // CPU time too: the machine is shared, and wall time then mostly measures the others.
    const replayCpu: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const history = await replayHistory(store, heavy);
      const used = process.cpuUsage(cpu);
      replays.push(performance.now() - started);
      replayCpu.push((used.user + used.system) / 1000);
      if (history?.entries.length !== 10_000) throw new Error('replay lost entries');
    }
    replays.sort((a, b) => a - b);
    replayCpu.sort((a, b) => a - b);

    let started = performance.now();
    const chain = await verifyChain(store);
    const verifySeconds = (performance.now() - started) / 1000;
    if (chain.findings.length > 0) throw new Error(`verify-chain found ${chain.findings.length} problems in a clean log`);

    const database = openSqliteReadModels(join(dir, 'read-models.sqlite'));
    await migrate(database.db);
    await rebuildReadModels(store, database);
    started = performance.now();
    const reconciled = await reconcile(store, database);
    const reconcileSeconds = (performance.now() - started) / 1000;
    if (reconciled.mismatches.length > 0) throw new Error(`reconcile found ${reconciled.mismatches.length} mismatches in a clean ledger`);
    await database.close();
    await store.close();

    const results = {
      replay10kMs: { median: Number(replays[10]!.toFixed(1)), worst: Number(replays[19]!.toFixed(1)), cpuMedian: Number(replayCpu[10]!.toFixed(1)) },
      verifyChain: { events: chain.events, seconds: Number(verifySeconds.toFixed(2)), eventsPerSecond: Math.round(chain.events / verifySeconds) },
      reconcile: { events: reconciled.events, seconds: Number(reconcileSeconds.toFixed(2)), eventsPerSecond: Math.round(reconciled.events / reconcileSeconds) },
    };
    console.log(
      [
        '',
        '| measurement | target | result |',
        '|---|---|---|',
        `| replay of one customer with 10,000 events | < 50 ms | median ${results.replay10kMs.median} ms (CPU ${results.replay10kMs.cpuMedian} ms), worst ${results.replay10kMs.worst} ms (20 runs) |`,
        `| verify-chain, ${chain.events} events | ≥ 100,000 events/s | ${results.verifyChain.seconds} s, ${results.verifyChain.eventsPerSecond} events/s |`,
        `| reconcile, ${reconciled.events} customer events | ≥ 100,000 events/s | ${results.reconcile.seconds} s, ${results.reconcile.eventsPerSecond} events/s |`,
        '',
        `machine: ${machine()}`,
      ].join('\n'),
    );
    saveResults('audit', { results });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
