import autocannon, { type Request, type Result } from 'autocannon';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AUTH, SECRET, balanceRequests, commandRequests, enrol as enrolOver, onExit, run as runWith, start } from './http-load';
import { machine, saveResults } from './bench-output';

/**
 * npm run bench:commands
 *
 * 1. Starts the built API (dist/) as a child process on a fresh embedded store (real file,
 *    WAL, synchronous=FULL) and enrols CUSTOMERS customers.
 * 2. autocannon, in this process, sends a mix of payments (70 %, unique receipts) and visits
 *    (30 %) spread over those customers on CONNECTIONS connections for DURATION seconds.
 * 3. The same autocannon run against a bare Fastify JSON endpoint (bench/bare-fastify.ts).
 * 4. Counts the events stored, as a sanity check against the 2xx count.
 * Unless BENCH_RULES=off, the program has a visit reward (every 5th visit) and 2 % cashback on
 * scan and online payments, so the inline reaction runner issues rewards under the load; the
 * reaction lag is measured from the stored events afterwards (see `reactionLag`).
 * BENCH_LIFECYCLE=on also sets lot expiry (12 months, to the month's end) and three tiers with
 * multipliers, thresholds the run's customers cross, so lots carry dates and the inline lifecycle
 * runner evaluates tiers under the load (issue 14: the command path with lots and tiers in place).
 * The API and autocannon share this machine's cores, as they would on one small host.
 */
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 20);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 2000);
const READERS = Number(process.env['BENCH_READERS'] ?? 4);
const RULES = process.env['BENCH_RULES'] !== 'off';
const LIFECYCLE = process.env['BENCH_LIFECYCLE'] === 'on';
const API_PORT = 3997;
const BARE_PORT = 3998;
const run = (url: string, requests: Request[], duration: number): Promise<Result> => runWith(url, requests, duration, CONNECTIONS);
const enrol = (count: number): Promise<string[]> => enrolOver(`http://127.0.0.1:${API_PORT}`, count);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-commands-'));
  // BENCH_PROJECTOR=process: the production layout, the projector as its own process.
  const separateProjector = process.env['BENCH_PROJECTOR'] === 'process';
  const api = await start(
    'dist/apps/ledger-api/src/main.js',
    {
      PORT: String(API_PORT),
      LEDGER_DATA_DIR: dataDir,
      LEDGER_PROJECTOR: separateProjector ? 'off' : 'inline',
      LEDGER_API_KEYS: `bench:admin:${SECRET}`,
      LEDGER_RATE_LIMIT: '0',
    },
    `http://127.0.0.1:${API_PORT}/program`,
  );
  const projector = separateProjector
    ? fork('dist/apps/ledger-projector/src/main.js', [], {
        env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_PROJECTOR_POLL_MS: '50' },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      })
    : undefined;
  try {
    if (RULES) await configureRules();
    if (LIFECYCLE) await configureLifecycle();
    const customers = await enrol(CUSTOMERS);
    console.log(`enrolled ${customers.length} customers; warming up`);
    await run(`http://127.0.0.1:${API_PORT}`, commandRequests(customers, 'warm'), 3);
    console.log(`ledger API: ${CONNECTIONS} connections of commands + ${READERS} of balance reads, ${DURATION} s`);
    const lag = sampleLag(`http://127.0.0.1:${API_PORT}/projections`, (body) => (body as { projections: { lag?: string }[] }).projections[0]?.lag);
    const reactionsBehind = sampleLag(`http://127.0.0.1:${API_PORT}/reactions`, (body) => (body as { lag?: string }).lag);
    const measuredFrom = new Date().toISOString();
    const [ledger, reads] = await Promise.all([
      run(`http://127.0.0.1:${API_PORT}`, commandRequests(customers, 'run'), DURATION),
      autocannon({ url: `http://127.0.0.1:${API_PORT}`, connections: READERS, duration: DURATION, requests: balanceRequests(customers) }),
    ]);
    const lagSamples = lag.stop();
    const reactionSamples = reactionsBehind.stop();
    // Let the reactions finish what the load left them, so every trigger of the run is measured.
    if (RULES) await reactionsCaughtUp();
    api.kill('SIGTERM');
    projector?.kill('SIGTERM');
    await onExit(api);

    const bare = await start('dist/bench/bare-fastify.js', { PORT: String(BARE_PORT) }, undefined);
    let baseline: Result;
    try {
      console.log(`bare Fastify: ${CONNECTIONS} connections, ${DURATION} s`);
      await run(`http://127.0.0.1:${BARE_PORT}`, bareRequests(), 3);
      baseline = await run(`http://127.0.0.1:${BARE_PORT}`, bareRequests(), DURATION);
    } finally {
      bare.kill('SIGTERM');
    }

    const stored = countStored(join(dataDir, 'events.sqlite'));
    const reactions = RULES ? { ...reactionLag(join(dataDir, 'events.sqlite'), measuredFrom), behind: reactionSamples } : undefined;
    report(ledger, baseline, stored, reads, lagSamples, reactions);
  } finally {
    if (!api.killed) api.kill('SIGKILL');
    if (projector !== undefined && !projector.killed) projector.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Polls a lag (events behind the store's head: the projection's, the reactions') while the load runs. */
function sampleLag(url: string, lagOf: (body: Record<string, unknown>) => string | undefined): { stop: () => number[] } {
  const samples: number[] = [];
  const sample = async () => {
    try {
      samples.push(Number(lagOf((await (await fetch(url, { headers: AUTH })).json()) as Record<string, unknown>) ?? 0));
    } catch {
      /* a missed sample is fine */
    }
  };
  const timer = setInterval(() => void sample(), 500);
  return { stop: () => (clearInterval(timer), samples) };
}

/** The rules the reactions apply during the run. */
async function configureRules(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${API_PORT}/program`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({ visitRewards: [{ ruleId: 'visits-5', everyVisits: 5, points: 50 }], cashback: [{ ruleId: 'cashback', percent: '2' }] }),
  });
  if (res.status !== 200) throw new Error(`configuring the rules failed: ${res.status}`);
}

/** Expiry and tiers for BENCH_LIFECYCLE=on: ~15 payments of ~55 points per customer in a run cross the first thresholds. */
async function configureLifecycle(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${API_PORT}/program`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...AUTH },
    body: JSON.stringify({
      expiry: { policy: 'afterMonths', months: 12, roundTo: 'month' },
      tiers: [
        { tierId: 'base', name: 'Base', threshold: 0, multiplier: '1' },
        { tierId: 'silver', name: 'Silver', threshold: 300, multiplier: '1.1' },
        { tierId: 'gold', name: 'Gold', threshold: 1500, multiplier: '1.25' },
      ],
    }),
  });
  if (res.status !== 200) throw new Error(`configuring expiry and tiers failed: ${res.status}`);
}

async function reactionsCaughtUp(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const body = (await (await fetch(`http://127.0.0.1:${API_PORT}/reactions`, { headers: AUTH })).json()) as { lag: string };
    if (body.lag === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the reactions did not catch up within 60 s');
}

interface ReactionLag {
  readonly rewards: number;
  readonly cashback: number;
  /** Milliseconds from the triggering command's acceptance to the reward command's acceptance. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Reaction lag, from the stored events: for every reward and cashback whose trigger was recorded
 * during the measured run, the reward's `recordedAt` minus its trigger's (`causationId` names the
 * triggering event). Both are the server clock when the command was accepted, so this spans the
 * trigger's commit and answer, the runner noticing it, and the reward command being accepted;
 * the reward's own commit (one group commit, ~1-2 ms) comes on top.
 */
function reactionLag(filename: string, from: string): ReactionLag {
  const db = new Database(filename, { readonly: true });
  const rows = db
    .prepare("SELECT event_id AS id, type, data, metadata FROM events WHERE type IN ('VisitCreated', 'PaymentRecorded', 'PointsAdjusted')")
    .all() as { id: string; type: string; data: string; metadata: string }[];
  db.close();
  const recordedAt = new Map<string, string>();
  const issued: { kind: string; causationId: string; recordedAt: string }[] = [];
  for (const row of rows) {
    const metadata = JSON.parse(row.metadata) as { recordedAt: string; causationId: string };
    recordedAt.set(row.id, metadata.recordedAt);
    const kind = row.type === 'PointsAdjusted' ? (JSON.parse(row.data) as { kind: string }).kind : '';
    if (kind === 'reward' || kind === 'cashback') issued.push({ kind, causationId: metadata.causationId, recordedAt: metadata.recordedAt });
  }
  const measured = issued.filter((r) => (recordedAt.get(r.causationId) ?? '') >= from);
  const lags = measured.map((r) => Date.parse(r.recordedAt) - Date.parse(recordedAt.get(r.causationId)!)).sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
  return {
    rewards: measured.filter((r) => r.kind === 'reward').length,
    cashback: measured.filter((r) => r.kind === 'cashback').length,
    p50: at(0.5),
    p99: at(0.99),
    max: lags.at(-1) ?? 0,
  };
}

function bareRequests(): Request[] {
  return [
    {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locationId: 'store-1', amount: '49.99', purchaseIdentifier: 'R-1', occurredAt: '2026-11-20T10:00:00Z' }),
    },
  ];
}

/** Events in the store after the run (warm-up included). */
function countStored(filename: string): { payments: number; visits: number; tierChanges: number } {
  const db = new Database(filename, { readonly: true });
  const row = (type: string) => (db.prepare('SELECT COUNT(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
  const counts = { payments: row('PaymentRecorded'), visits: row('VisitCreated'), tierChanges: row('TierChanged') };
  db.close();
  return counts;
}

function report(
  ledger: Result,
  bare: Result,
  stored: { payments: number; visits: number; tierChanges: number },
  reads: Result,
  lag: number[],
  reactions: (ReactionLag & { behind: number[] }) | undefined,
): void {
  const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
  const ok = ledger['2xx'];
  const commandsPerSecond = ok / ledger.duration;
  const bareRate = bare['2xx'] / bare.duration;
  const lines = [
    `| run | requests/s (2xx) | p50 ms | p99 ms | max ms | non-2xx | errors/timeouts |`,
    `|---|---|---|---|---|---|---|`,
    `| ledger API (durable commands) | ${commandsPerSecond.toFixed(0)} | ${ledger.latency.p50} | ${ledger.latency.p99} | ${ledger.latency.max} | ${ledger.non2xx} | ${ledger.errors}/${ledger.timeouts} |`,
    `| balance reads during the command load | ${(reads['2xx'] / reads.duration).toFixed(0)} | ${reads.latency.p50} | ${reads.latency.p99} | ${reads.latency.max} | ${reads.non2xx} | ${reads.errors}/${reads.timeouts} |`,
    `| bare Fastify JSON | ${bareRate.toFixed(0)} | ${bare.latency.p50} | ${bare.latency.p99} | ${bare.latency.max} | ${bare.non2xx} | ${bare.errors}/${bare.timeouts} |`,
    ``,
    `ratio ledger/bare: ${((commandsPerSecond / bareRate) * 100).toFixed(1)} %`,
    `machine: ${machine()}; ${CONNECTIONS} connections, ${DURATION} s, ${CUSTOMERS} customers; projector ${process.env['BENCH_PROJECTOR'] === 'process' ? 'as its own process' : 'inline in the API'}; expiry and tiers ${LIFECYCLE ? 'on' : 'off'}`,
    `stored: ${stored.payments} PaymentRecorded, ${stored.visits} VisitCreated, ${stored.tierChanges} TierChanged (warm-up included)`,
    `projection lag while loaded (events behind head, sampled every 0.5 s): max ${Math.max(0, ...lag)}, median ${median(lag)}`,
    reactions === undefined
      ? 'reactions: no program rules (BENCH_RULES=off)'
      : `reaction lag (trigger accepted → reward accepted): p50 ${reactions.p50} ms, p99 ${reactions.p99} ms, max ${reactions.max} ms over ${reactions.rewards} visit rewards and ${reactions.cashback} cashback; ` +
        `reactions behind head while loaded (sampled every 0.5 s): max ${Math.max(0, ...reactions.behind)}, median ${median(reactions.behind)} events`,
  ];
  console.log(`\n${lines.join('\n')}`);
  saveResults('commands', { ledger, reads, bare, stored, lag, reactions });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
