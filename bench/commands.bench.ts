import autocannon, { type Request, type Result } from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * npm run bench:commands
 *
 * 1. Starts the built API (dist/) as a child process on a fresh embedded store (real file,
 *    WAL, synchronous=FULL) and enrols CUSTOMERS customers.
 * 2. autocannon, in this process, sends a mix of payments (70 %, unique receipts) and visits
 *    (30 %) spread over those customers on CONNECTIONS connections for DURATION seconds.
 * 3. The same autocannon run against a bare Fastify JSON endpoint (bench/bare-fastify.ts).
 * 4. Counts the events stored, as a sanity check against the 2xx count.
 * The API and autocannon share this machine's cores, as they would on one small host.
 */
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 20);
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 2000);
const READERS = Number(process.env['BENCH_READERS'] ?? 4);
/** The bench's own admin key, given to the API it starts. */
const SECRET = 'bench-admin-secret-0123456789abcdef';
const AUTH = { authorization: `Bearer ${SECRET}` };
const API_PORT = 3997;
const BARE_PORT = 3998;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-commands-'));
  // BENCH_PROJECTOR=process: the production layout, the projector as its own process.
  const separateProjector = process.env['BENCH_PROJECTOR'] === 'process';
  const api = await start(
    'dist/apps/ledger-api/src/main.js',
    { PORT: String(API_PORT), LEDGER_DATA_DIR: dataDir, LEDGER_PROJECTOR: separateProjector ? 'off' : 'inline', LEDGER_API_KEYS: `bench:admin:${SECRET}`, LEDGER_RATE_LIMIT: '0' },
    `http://127.0.0.1:${API_PORT}/program`,
  );
  const projector = separateProjector
    ? fork('dist/apps/ledger-projector/src/main.js', [], { env: { ...process.env, LEDGER_DATA_DIR: dataDir, LEDGER_PROJECTOR_POLL_MS: '50' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    : undefined;
  try {
    const customers = await enrol(CUSTOMERS);
    console.log(`enrolled ${customers.length} customers; warming up`);
    await run(`http://127.0.0.1:${API_PORT}`, commandRequests(customers, 'warm'), 3);
    console.log(`ledger API: ${CONNECTIONS} connections of commands + ${READERS} of balance reads, ${DURATION} s`);
    const lag = sampleLag(`http://127.0.0.1:${API_PORT}/projections`);
    const [ledger, reads] = await Promise.all([
      run(`http://127.0.0.1:${API_PORT}`, commandRequests(customers, 'run'), DURATION),
      autocannon({ url: `http://127.0.0.1:${API_PORT}`, connections: READERS, duration: DURATION, requests: balanceRequests(customers) }),
    ]);
    const lagSamples = lag.stop();
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
    report(ledger, baseline, stored, reads, lagSamples);
  } finally {
    if (!api.killed) api.kill('SIGKILL');
    if (projector !== undefined && !projector.killed) projector.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

let sequence = 0;
function commandRequests(customers: readonly string[], tag: string): Request[] {
  const pick = () => customers[Math.floor(Math.random() * customers.length)]!;
  return [
    {
      method: 'POST',
      setupRequest: (req) => {
        const n = sequence++;
        const customerId = pick();
        const isPayment = n % 10 < 7;
        const body = isPayment
          ? { locationId: `store-${n % 25}`, amount: `${10 + (n % 90)}.${String(n % 100).padStart(2, '0')}`, purchaseIdentifier: `${tag}-${n}`, occurredAt: '2026-11-20T10:00:00Z', source: n % 2 ? 'scan' : 'manual' }
          : { locationId: `store-${n % 25}`, occurredAt: '2026-11-20T10:00:00Z', kind: 'browse' };
        return { ...req, path: `/customers/${customerId}/${isPayment ? 'payments' : 'visits'}`, headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify(body) };
      },
    },
  ];
}

function balanceRequests(customers: readonly string[]): Request[] {
  return [
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, headers: AUTH, path: `/customers/${customers[Math.floor(Math.random() * customers.length)]!}/balance` }),
    },
  ];
}

/** Polls the projection lag (events behind the store's head) while the load runs. */
function sampleLag(url: string): { stop: () => number[] } {
  const samples: number[] = [];
  const timer = setInterval(async () => {
    try {
      const body = (await (await fetch(url, { headers: AUTH })).json()) as { projections: { lag: string }[] };
      samples.push(Number(body.projections[0]?.lag ?? 0));
    } catch {
      /* a missed sample is fine */
    }
  }, 500);
  return { stop: () => (clearInterval(timer), samples) };
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

function run(url: string, requests: Request[], duration: number): Promise<Result> {
  return autocannon({ url, connections: CONNECTIONS, duration, requests, expectBody: undefined });
}

async function enrol(count: number): Promise<string[]> {
  const ids: string[] = [];
  const batch = 50;
  for (let i = 0; i < count; i += batch) {
    const created = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async (_, j) => {
        const res = await fetch(`http://127.0.0.1:${API_PORT}/customers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH },
          body: JSON.stringify({ email: `bench-${i + j}@example.com` }),
        });
        if (res.status !== 201) throw new Error(`enrol failed: ${res.status}`);
        return ((await res.json()) as { customerId: string }).customerId;
      }),
    );
    ids.push(...created);
  }
  return ids;
}

function start(script: string, env: Record<string, string>, readyUrl: string | undefined): Promise<ChildProcess> {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    if (readyUrl === undefined) {
      child.once('message', () => resolve(child));
      return;
    }
    const poll = async () => {
      try {
        if ((await fetch(readyUrl, { headers: AUTH })).ok) return resolve(child);
      } catch {
        /* not listening yet */
      }
      setTimeout(poll, 100);
    };
    void poll();
  });
}

function onExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Events in the store after the run (warm-up included). */
function countStored(filename: string): { payments: number; visits: number } {
  const db = new Database(filename, { readonly: true });
  const row = (type: string) => (db.prepare('SELECT COUNT(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
  const counts = { payments: row('PaymentRecorded'), visits: row('VisitCreated') };
  db.close();
  return counts;
}

function report(ledger: Result, bare: Result, stored: { payments: number; visits: number }, reads: Result, lag: number[]): void {
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
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s, ${CUSTOMERS} customers; projector ${process.env['BENCH_PROJECTOR'] === 'process' ? 'as its own process' : 'inline in the API'}`,
    `stored: ${stored.payments} PaymentRecorded, ${stored.visits} VisitCreated (warm-up included)`,
    `projection lag while loaded (events behind head, sampled every 0.5 s): max ${Math.max(0, ...lag)}, median ${[...lag].sort((a, b) => a - b)[Math.floor(lag.length / 2)] ?? 0}`,
  ];
  console.log(`\n${lines.join('\n')}`);
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'commands.json'), JSON.stringify({ at: new Date().toISOString(), ledger, reads, bare, stored, lag }, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
