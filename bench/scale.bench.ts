import autocannon, { type Result } from 'autocannon';
import * as E from 'fp-ts/Either';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent, StreamAppend } from '#event-store/event-store.port';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { chainEvents, emptyChain } from '#event-store/hash-chain';
import { evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import { decideCustomer, type CustomerCommand } from '#ledger-domain/customer/customer.decider';
import { decideProgram, DEFAULT_PROGRAM_ID, evolveProgram, initialProgramState, type ProgramSnapshot } from '#ledger-domain/program/program';
import { openSqliteReadModels } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { rebuildReadModels } from '#read-models/rebuild';
import { accountStream, programStream, purchaseKey, type ReservationScope } from '#runtime/streams';
import type { CommandContext } from '../apps/ledger-api/src/ledger/command-context';
import { envelope } from '../apps/ledger-api/src/ledger/command-runner';
import { entityId } from '../apps/ledger-api/src/ledger/ids';
import { Reservations } from '../apps/ledger-api/src/ledger/reservations';
import { AUTH, SECRET, balanceRequests, commandRequests, enrol, onExit, run, start } from './http-load';
import { machine, saveResults } from './bench-output';

/**
 * npm run bench:scale
 *
 * Issue 18's scale target: with 1 M customers and 10 M events in the store, command p50/p99
 * within 1.5× of a fresh store's, and start-up (to ready) under 10 s.
 *
 * 1. Build, once per BENCH_SCALE_DIR (reused while its manifest, written last, says the same
 *    size): CUSTOMERS customers with histories (enrolment, payments with their purchase visits and
 *    receipt reservations, online payments, visits, adjustments, redemptions) decided by the real
 *    deciders, enveloped and claimed as the API's handlers do, hash-chained, one multi-stream
 *    append per customer straight into the embedded store (no HTTP); then the read models rebuilt
 *    (`rebuildReadModels`, what `ledger projections rebuild` runs); then the API started once
 *    and left to bring its reactions' checkpoint to the head, as a store written through the
 *    API would have it.
 * 2. Measure, ROUNDS times, alternating: the big store, then a fresh one. Each: fork the built
 *    API on the data directory itself (no copy), time spawn → `GET /health/ready` 200; then
 *    bench:commands' load (payments and visits on CONNECTIONS connections, READERS of balances)
 *    for DURATION s after a 3 s warm-up, over customers drawn at random from all of the big
 *    store's (cold streams, as in a big ledger; BENCH_SCALE_DRAW=n: its first n only) or from
 *    2,000 enrolled on the fresh one.
 *    No program rules (no reactions issue rewards), so both stores see the same work. The runs on
 *    the big store append to it (~100k events a round): negligible next to its size.
 */
const CUSTOMERS = Number(process.env['BENCH_SCALE_CUSTOMERS'] ?? 1_000_000);
const EVENTS = Number(process.env['BENCH_SCALE_EVENTS'] ?? 10_000_000);
const DIR = process.env['BENCH_SCALE_DIR'] ?? join(tmpdir(), `ledger-scale-${CUSTOMERS}-${EVENTS}`);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 20);
const READERS = Number(process.env['BENCH_READERS'] ?? 4);
const ROUNDS = Number(process.env['BENCH_SCALE_ROUNDS'] ?? 2);
const FRESH_CUSTOMERS = 2000;
/** Customers of the big store the load is spread over (0: all). 2000: as many as on the fresh store, to tell store size from a cold working set. */
const DRAW = Number(process.env['BENCH_SCALE_DRAW'] ?? 0);
const START_TARGET_MS = 10_000;
const LATENCY_RATIO_TARGET = 1.5;
const API_PORT = 3996;
const API = `http://127.0.0.1:${API_PORT}`;
const MANIFEST = join(DIR, 'manifest.json');
const DATA_DIR = join(DIR, 'data');
const CUSTOMER_IDS = join(DIR, 'customers.txt');

interface Manifest {
  readonly customers: number;
  readonly events: number;
  readonly eventsWritten: number;
  readonly builtAt: string;
  readonly generateSeconds: number;
  readonly rebuildSeconds: number;
  readonly firstStartSeconds: number;
  readonly storeMb: number;
  readonly readModelsMb: number;
}

interface Round {
  readonly store: 'big' | 'fresh';
  readonly startupMs: number;
  readonly commands: Result;
  readonly reads: Result;
}

async function main(): Promise<void> {
  const manifest = await builtStore();
  const all = readFileSync(CUSTOMER_IDS, 'utf8').trim().split('\n');
  const customers = DRAW > 0 ? all.slice(0, DRAW) : all;
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(await measure('big', DATA_DIR, async () => customers));
    const fresh = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-scale-fresh-'));
    try {
      rounds.push(await measure('fresh', fresh, () => enrol(API, FRESH_CUSTOMERS)));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  report(manifest, rounds);
}

/** The store in DIR, built now unless its manifest says it is complete and of this size. */
async function builtStore(): Promise<Manifest> {
  if (existsSync(MANIFEST)) {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
    if (manifest.customers !== CUSTOMERS || manifest.events !== EVENTS) {
      throw new Error(`${DIR} holds a store of ${manifest.customers} customers and ${manifest.events} events; set BENCH_SCALE_DIR to another directory`);
    }
    console.log(`reusing the store built ${manifest.builtAt} in ${DIR} (${manifest.eventsWritten} events, ${manifest.customers} customers)`);
    return manifest;
  }
  // No manifest: nothing, or an interrupted build. Start again from empty.
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  console.log(`building ${CUSTOMERS} customers, ~${EVENTS} events in ${DIR}`);
  const store = new SqliteEventStore({ filename: join(DATA_DIR, 'events.sqlite') });
  const generated = await generate(store);
  console.log(
    `generated ${generated.events} events over ${CUSTOMERS} customers in ${generated.seconds.toFixed(1)} s (${Math.round(generated.events / generated.seconds)} events/s)`,
  );

  const database = openSqliteReadModels(join(DATA_DIR, 'read-models.sqlite'));
  await migrate(database.db);
  let lastLog = 0;
  const rebuilt = await rebuildReadModels(store, database, {
    onProgress: (p) => {
      if (Date.now() - lastLog < 10_000) return;
      lastLog = Date.now();
      console.log(`  read models: ${p.events}/${p.total} events, ${Math.round(p.eventsPerSecond)}/s, ETA ${Math.ceil(p.etaSeconds ?? 0)} s`);
    },
  });
  console.log(`read models rebuilt in ${rebuilt.seconds.toFixed(1)} s (${Math.round(rebuilt.events / rebuilt.seconds)} events/s)`);
  await database.close();
  await store.close();

  // The first start: the reactions' checkpoint is still at 0, as it never is on a store the API wrote.
  const firstStarted = performance.now();
  const api = await start('dist/apps/ledger-api/src/main.js', apiEnv(DATA_DIR), `${API}/health/ready`);
  try {
    await caughtUp();
  } finally {
    api.kill('SIGTERM');
    await onExit(api);
  }
  const firstStartSeconds = (performance.now() - firstStarted) / 1000;
  console.log(`first start, reactions brought to the head: ${firstStartSeconds.toFixed(1)} s`);

  const megabytes = (file: string) =>
    Math.round(['', '-wal'].reduce((n, ext) => n + (existsSync(file + ext) ? statSync(file + ext).size : 0), 0) / 1024 / 1024);
  const manifest: Manifest = {
    customers: CUSTOMERS,
    events: EVENTS,
    eventsWritten: generated.events,
    builtAt: new Date().toISOString(),
    generateSeconds: round1(generated.seconds),
    rebuildSeconds: round1(rebuilt.seconds),
    firstStartSeconds: round1(firstStartSeconds),
    storeMb: megabytes(join(DATA_DIR, 'events.sqlite')),
    readModelsMb: megabytes(join(DATA_DIR, 'read-models.sqlite')),
  };
  // Written last: its presence is what says the build is complete.
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * The program (the demo program's settings, so the fresh store's API configures the same one),
 * then per customer its history, decided by the real deciders, until the customer's share of
 * EVENTS is reached. Each command gets its own context and envelope and, where the API claims
 * a unique value (e-mail, receipt), the same claim; one multi-stream append per customer.
 */
async function generate(store: SqliteEventStore): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  const programAt = new Date('2026-01-01T00:00:00.000Z');
  const configured = decideProgram(
    {
      type: 'ConfigureProgram',
      programId: DEFAULT_PROGRAM_ID,
      settings: { currency: 'USD', pointsPerUnit: '1', timezone: 'UTC', negativeBalance: 'deny' },
      now: programAt,
    },
    initialProgramState(),
  );
  if (E.isLeft(configured)) throw new Error(configured.left._tag);
  const state = configured.right.reduce(evolveProgram, initialProgramState());
  if (state.status !== 'Configured') throw new Error('program not configured');
  const program: ProgramSnapshot = { version: state.version, settings: state.settings };
  const programContext = contextAt(programAt);
  const programName = programStream(DEFAULT_PROGRAM_ID);
  await store.appendToStream(
    programName,
    'no_stream',
    chainEvents(
      programName,
      emptyChain,
      configured.right.map((event, i) => envelope(event, programName, i, programContext)),
    ),
  );

  // Claims read the store like the API's: every value here is new, so each is a first claim.
  const reservations = new Reservations(store, () => new Date());
  let written = configured.right.length;
  let random = 42;
  const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ids: string[] = [];
  const pending: Promise<unknown>[] = [];
  let lastLog = performance.now();
  for (let c = 0; c < CUSTOMERS; c++) {
    const customerId = randomUUID();
    ids.push(customerId);
    const stream = accountStream(customerId);
    // This customer's share: up to its point on the line to EVENTS, so one's overshoot (a payment is 3 events) is the next one's less.
    const share = Math.floor(((c + 1) * EVENTS) / CUSTOMERS) - written;
    let customer: CustomerState = initialCustomerState();
    const ledger: NewEvent[] = [];
    const claims: StreamAppend[] = [];
    // Business time walks forward from the enrolment, a few days a command.
    let at = Date.UTC(2026, 1, 1) + Math.floor(next() * 90 * 86_400_000);
    type Claim = { scope: ReservationScope; value: string; reference: string };
    const decide = async (command: (context: CommandContext) => CustomerCommand, claimOf?: (context: CommandContext) => Claim) => {
      const context = contextAt(new Date(at));
      const decided = decideCustomer(command(context), customer);
      if (E.isLeft(decided)) return;
      const claim = claimOf?.(context);
      if (claim !== undefined) {
        const claimed = await reservations.claim(claim.scope, claim.value, { ownerStream: stream, reference: claim.reference }, context, async () => true);
        if (E.isLeft(claimed) || claimed.right === undefined) throw new Error(`the ${claim.scope} claim for ${customerId} was not new`);
        claims.push(claimed.right);
      }
      decided.right.forEach((event, i) => {
        customer = evolveCustomer(customer, event);
        ledger.push(envelope(event, stream, i, context));
      });
    };
    const email = `scale-${c}@example.com`;
    await decide(
      (context) => ({ type: 'EnrolCustomer', customerId, email, now: context.now }),
      () => ({
        scope: 'email',
        value: email,
        reference: customerId,
      }),
    );
    while (ledger.length + claims.length < share) {
      at += Math.floor(next() * 3 * 86_400_000);
      const occurredAt = new Date(at - 60_000).toISOString();
      const locationId = `store-${Math.floor(next() * 25)}`;
      const roll = next();
      if (roll < 0.5) {
        // A payment, with its receipt claim; in store (scan or manual) it is also a visit.
        const source = roll < 0.2 ? 'scan' : roll < 0.4 ? 'manual' : 'online';
        const purchaseIdentifier = `R-${c}-${ledger.length}`;
        const amount = `${5 + Math.floor(next() * 200)}.${String(Math.floor(next() * 100)).padStart(2, '0')}`;
        await decide(
          (context) => ({
            type: 'RecordPayment',
            customerId,
            paymentId: entityId(context.commandId, 'payment'),
            newVisitId: entityId(context.commandId, 'visit'),
            locationId,
            amount,
            currency: 'USD',
            purchaseIdentifier,
            occurredAt,
            source,
            program,
            now: context.now,
          }),
          (context) => ({ scope: 'purchase', value: purchaseKey(locationId, purchaseIdentifier), reference: entityId(context.commandId, 'payment') }),
        );
      } else if (roll < 0.8) {
        await decide((context) => ({
          type: 'RecordVisit',
          customerId,
          visitId: entityId(context.commandId, 'visit'),
          locationId,
          occurredAt,
          kind: 'browse',
          source: 'manual',
          now: context.now,
        }));
      } else if (roll < 0.9) {
        const points = Math.floor(next() * 40) - 10 || 5;
        await decide((context) => ({
          type: 'AdjustPoints',
          customerId,
          adjustmentId: entityId(context.commandId, 'adjustment'),
          points,
          reason: 'goodwill',
          occurredAt,
          program,
          now: context.now,
        }));
      } else {
        const points = 1 + Math.floor(next() * 100);
        await decide((context) => ({
          type: 'RedeemPoints',
          customerId,
          redemptionId: entityId(context.commandId, 'redemption'),
          points,
          occurredAt,
          now: context.now,
        }));
      }
    }
    written += ledger.length + claims.length;
    pending.push(store.appendToStreams([...claims, { streamName: stream, expected: 'no_stream', events: chainEvents(stream, emptyChain, ledger) }]));
    // Wait for the older half only, so the writer thread commits while the next customers are decided.
    if (pending.length >= 2000) await Promise.all(pending.splice(0, 1000));
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      console.log(`  generated ${written} events, ${c + 1} customers, ${Math.round(written / ((lastLog - started) / 1000))} events/s`);
    }
  }
  await Promise.all(pending);
  writeFileSync(CUSTOMER_IDS, `${ids.join('\n')}\n`);
  return { events: written, seconds: (performance.now() - started) / 1000 };
}

function contextAt(now: Date): CommandContext {
  const commandId = randomUUID();
  return { commandId, correlationId: commandId, actor: 'bench:scale', now };
}

/** The API as bench:commands starts it: inline projector and reactions, API key, no rate limit. */
function apiEnv(dataDir: string): Record<string, string> {
  return { PORT: String(API_PORT), LEDGER_DATA_DIR: dataDir, LEDGER_PROJECTOR: 'inline', LEDGER_API_KEYS: `bench:admin:${SECRET}`, LEDGER_RATE_LIMIT: '0' };
}

/** Waits until the projection and the reactions are at the store's head. */
async function caughtUp(): Promise<void> {
  const lag = async (path: string, of: (body: never) => string | undefined) => of((await (await fetch(`${API}${path}`, { headers: AUTH })).json()) as never);
  for (;;) {
    const [projection, reactions] = await Promise.all([
      lag('/projections', (body: { projections: { lag?: string }[] }) => body.projections[0]?.lag),
      lag('/reactions', (body: { lag?: string }) => body.lag),
    ]);
    if (projection === '0' && reactions === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** One round on one store: start-up to ready, then the command load. */
async function measure(store: 'big' | 'fresh', dataDir: string, customersOf: () => Promise<string[]>): Promise<Round> {
  const spawned = performance.now();
  const api = await start('dist/apps/ledger-api/src/main.js', apiEnv(dataDir), `${API}/health/ready`);
  const startupMs = Math.round(performance.now() - spawned);
  try {
    const customers = await customersOf();
    console.log(
      `${store} store: ready in ${startupMs} ms; warming up, then ${CONNECTIONS} connections of commands + ${READERS} of balance reads for ${DURATION} s`,
    );
    await run(API, commandRequests(customers, `warm-${randomUUID()}`), 3, CONNECTIONS);
    const [commands, reads] = await Promise.all([
      run(API, commandRequests(customers, `run-${randomUUID()}`), DURATION, CONNECTIONS),
      autocannon({ url: API, connections: READERS, duration: DURATION, requests: balanceRequests(customers) }),
    ]);
    console.log(
      `  ${Math.round(commands['2xx'] / commands.duration)} commands/s, p50 ${commands.latency.p50} ms, p99 ${commands.latency.p99} ms, non-2xx ${commands.non2xx}`,
    );
    return { store, startupMs, commands, reads };
  } finally {
    api.kill('SIGTERM');
    await onExit(api);
  }
}

function report(manifest: Manifest, rounds: readonly Round[]): void {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const of = (store: Round['store']) => rounds.filter((r) => r.store === store);
  const [big, fresh] = [of('big'), of('fresh')];
  const p = (rs: Round[], q: 'p50' | 'p99') => median(rs.map((r) => r.commands.latency[q]));
  const ratio = (q: 'p50' | 'p99') => p(big, q) / Math.max(1, p(fresh, q));
  const slowestStart = Math.max(...big.map((r) => r.startupMs));
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const lines = [
    `| round | store | start-up to ready ms (target < ${START_TARGET_MS}) | commands/s (2xx) | p50 ms | p99 ms | max ms | non-2xx | errors/timeouts | balance reads p50 / p99 ms |`,
    `|---|---|---|---|---|---|---|---|---|---|`,
    ...rounds.map(
      (r, i) =>
        `| ${Math.floor(i / 2) + 1} | ${r.store === 'big' ? `${manifest.customers} customers, ${manifest.eventsWritten}+ events` : `fresh, ${FRESH_CUSTOMERS} customers`} | ${r.startupMs} | ` +
        `${Math.round(r.commands['2xx'] / r.commands.duration)} | ${r.commands.latency.p50} | ${r.commands.latency.p99} | ${r.commands.latency.max} | ${r.commands.non2xx} | ` +
        `${r.commands.errors}/${r.commands.timeouts} | ${r.reads.latency.p50} / ${r.reads.latency.p99} |`,
    ),
    ``,
    `start-up on the big store, slowest of ${big.length}: ${slowestStart} ms (target < ${START_TARGET_MS} ms: ${verdict(slowestStart < START_TARGET_MS)})`,
    `p50 big/fresh (medians over rounds): ${p(big, 'p50')} / ${p(fresh, 'p50')} ms = ${ratio('p50').toFixed(2)}× (target ≤ ${LATENCY_RATIO_TARGET}×: ${verdict(ratio('p50') <= LATENCY_RATIO_TARGET)})`,
    `p99 big/fresh (medians over rounds): ${p(big, 'p99')} / ${p(fresh, 'p99')} ms = ${ratio('p99').toFixed(2)}× (target ≤ ${LATENCY_RATIO_TARGET}×: ${verdict(ratio('p99') <= LATENCY_RATIO_TARGET)})`,
    `build (${manifest.builtAt}): generated ${manifest.eventsWritten} events in ${manifest.generateSeconds} s, read models rebuilt in ${manifest.rebuildSeconds} s, ` +
      `first start with reactions to the head ${manifest.firstStartSeconds} s; events.sqlite ${manifest.storeMb} MB, read-models.sqlite ${manifest.readModelsMb} MB`,
    `store: ${DIR} (BENCH_SCALE_DIR; reused while its manifest.json says this size)`,
    `machine: ${machine()}; ${CONNECTIONS} connections, ${DURATION} s, ${READERS} balance readers, no program rules; ` +
      `load on the big store over ${DRAW > 0 ? `${DRAW} of its customers (BENCH_SCALE_DRAW)` : 'all of its customers'}`,
  ];
  console.log(`\n${lines.join('\n')}`);
  saveResults('scale', { manifest, rounds });
}

const round1 = (n: number) => Math.round(n * 10) / 10;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
