import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent } from '#event-store/event-store.port';
import { chainEvents, emptyChain } from '#event-store/hash-chain';
import { evolveCustomer, initialCustomerState, type CustomerState } from '#ledger-domain/customer/customer';
import { decideCustomer, type CustomerCommand } from '#ledger-domain/customer/customer.decider';
import { decideProgram, DEFAULT_PROGRAM_ID, evolveProgram, initialProgramState, type ProgramSnapshot } from '#ledger-domain/program/program';
import type { ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { Projector } from '#read-models/projector';
import { loadConfig, type LedgerConfig } from '#runtime/config';
import { accountStream, programStream } from '#runtime/streams';
import { openReadModels } from '#runtime/wiring';
import { EVENT_STORE, LedgerModule, ProgramStreams } from '../apps/ledger-api/src/ledger/ledger.module';
import { ExpirePointsHandler } from '../apps/ledger-api/src/lifecycle/expire-points.handler';
import { expiryDuty } from '../apps/ledger-api/src/lifecycle/lifecycle-duties';
import { LifecycleRunner, type Duty } from '../apps/ledger-api/src/lifecycle/lifecycle-runner';
import { READ_MODELS } from '../apps/ledger-api/src/read-models/read-side';
import { profileFromEnv } from './bench-output';

/**
 * npm run bench:lifecycle
 *
 * The lifecycle runner's expiry duty over LOTS lots that all fall due on the same day, on the
 * embedded store:
 * 1. a program with expiry "afterDays 1" (Europe/Berlin), then CUSTOMERS customers, each enrolled
 *    with LOTS_PER_CUSTOMER online payments on 2026-11-20 (one lot each, all expiring at the end
 *    of 21 Nov local time), decided by the real deciders and appended hash-chained, one append
 *    per customer, as bench/ledger-generator.ts does;
 * 2. the read models brought up to date (the duty finds due lots in `points_lots`): timed apart;
 * 3. the runner's expiry duty (`expiryDuty`, the runner's own paging, command ids and command
 *    loop, through the CommandBus as in the API), one pass as of 22 Nov: timed, with the process's
 *    peak RSS sampled during the pass. Then the projection again, to check that every lot is
 *    expired and every point counted once.
 */
const CUSTOMERS = Number(process.env['BENCH_CUSTOMERS'] ?? 100_000);
const LOTS_PER_CUSTOMER = Number(process.env['BENCH_LOTS_PER_CUSTOMER'] ?? 10);
const TARGET_SECONDS = 60;
const EARNED_ON = '2026-11-20';
const AS_OF = new Date('2026-11-22T12:00:00.000Z');

@Module({})
class BenchLifecycleModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: BenchLifecycleModule,
      imports: [CqrsModule.forRoot(), LedgerModule.forRoot(config)],
      providers: [ExpirePointsHandler, { provide: READ_MODELS, useFactory: () => openReadModels(config) }],
    };
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-lifecycle-'));
  const config = loadConfig({ LEDGER_DATA_DIR: dir, LEDGER_DEMO_PROGRAM: 'false', LEDGER_LIFECYCLE: 'off', LEDGER_PROJECTOR: 'off', LEDGER_REACTIONS: 'off' });
  const app = await NestFactory.createApplicationContext(BenchLifecycleModule.forRoot(config), { logger: false, abortOnError: false });
  const database = app.get<ReadModelDatabase>(READ_MODELS);
  const store = app.get<EventStore>(EVENT_STORE);
  try {
    const generated = await generate(store);
    console.log(`generated ${generated.events} events (${CUSTOMERS} customers × ${LOTS_PER_CUSTOMER} lots) in ${generated.seconds.toFixed(1)} s`);

    await migrate(database.db);
    const projectStarted = performance.now();
    await new Projector(store, database, { batchSize: 5000 }).catchUp();
    const projectSeconds = (performance.now() - projectStarted) / 1000;
    const due = await database.db
      .selectFrom('points_lots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('remaining', '>', 0)
      .executeTakeFirstOrThrow();
    console.log(`projected in ${projectSeconds.toFixed(1)} s: ${Number(due.n)} open lots`);

    const duty = expiryDuty({ database, store, bus: app.get(CommandBus), programs: app.get(ProgramStreams), now: () => new Date() });
    // The runner's page size (lots per page): the API's default unless BENCH_BATCH says otherwise.
    const batch = process.env['BENCH_BATCH'];
    const runner = new LifecycleRunner([duty] as Duty<never>[], () => AS_OF, batch === undefined ? {} : { batchSize: Number(batch) });
    const headBefore = await store.headPosition();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const stopProfile = await profileFromEnv();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const report = await runner.runUntil(AS_OF);
    const seconds = (performance.now() - started) / 1000;
    // The process's CPU time (main thread and the store's writer thread): steadier than wall time on a shared machine.
    const cpu = process.cpuUsage(cpuStarted);
    await stopProfile();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const appended = Number((await store.headPosition()) - headBefore);

    // Check: every lot expired, every point once.
    await new Projector(store, database, { batchSize: 5000 }).catchUp();
    const left = await database.db
      .selectFrom('points_lots')
      .select((eb) => [
        eb.fn.countAll<number>().as('lots'),
        eb.fn.sum<number>('remaining').as('remaining'),
        eb.fn.sum<number>('expired').as('expired'),
        eb.fn.sum<number>('points').as('points'),
      ])
      .executeTakeFirstOrThrow();
    const lots = CUSTOMERS * LOTS_PER_CUSTOMER;
    const ok = Number(left.lots) === lots && Number(left.remaining) === 0 && Number(left.expired) === Number(left.points);
    const row = {
      lots,
      customers: CUSTOMERS,
      commands: report.expire.applied,
      eventsAppended: appended,
      seconds: Number(seconds.toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      target: `< ${TARGET_SECONDS} s`,
      met: seconds < TARGET_SECONDS,
      lotsPerSecond: Math.round(lots / seconds),
      eventsPerSecond: Math.round(appended / seconds),
      peakRssMbDuringPass: Math.round(peakRss / 1024 / 1024),
      rssAtPassStartMb: Math.round(rssBefore / 1024 / 1024),
      processMaxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      everyLotExpiredOnce: ok,
    };
    console.log(JSON.stringify(row));
    console.log(`expired ${lots} lots in ${seconds.toFixed(1)} s (target < ${TARGET_SECONDS} s: ${row.met ? 'met' : 'MISSED'})`);
    if (!ok) throw new Error(`not every lot was expired exactly once: ${JSON.stringify(left)}`);
  } finally {
    await app.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The program, then per customer an enrolment and its payments, decided by the real deciders. */
async function generate(store: EventStore): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  const now = new Date(`${EARNED_ON}T08:00:00.000Z`);
  const meta = (at: Date) => ({ recordedAt: at.toISOString(), actor: 'bench', commandId: randomUUID() });
  const configured = decideProgram(
    {
      type: 'ConfigureProgram',
      programId: DEFAULT_PROGRAM_ID,
      settings: { currency: 'USD', pointsPerUnit: '1', timezone: 'Europe/Berlin', negativeBalance: 'deny', expiry: { policy: 'afterDays', days: 1 } },
      now,
    },
    initialProgramState(),
  );
  if (E.isLeft(configured)) throw new Error(configured.left._tag);
  const programEvents = configured.right;
  const state = programEvents.reduce(evolveProgram, initialProgramState());
  if (state.status !== 'Configured') throw new Error('program not configured');
  const program: ProgramSnapshot = { version: state.version, settings: state.settings };
  await store.appendToStream(
    programStream(DEFAULT_PROGRAM_ID),
    'no_stream',
    chainEvents(
      programStream(DEFAULT_PROGRAM_ID),
      emptyChain,
      programEvents.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as unknown as Record<string, never>, metadata: meta(now) })),
    ),
  );
  let written = programEvents.length;
  const pending: Promise<unknown>[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customerId = randomUUID();
    let customer: CustomerState = initialCustomerState();
    const events: NewEvent[] = [];
    const decide = (command: CustomerCommand) => {
      const decided = decideCustomer(command, customer);
      if (E.isLeft(decided)) throw new Error(decided.left._tag);
      for (const event of decided.right) {
        customer = evolveCustomer(customer, event);
        events.push({ id: randomUUID(), type: event.type, data: event.data, metadata: meta(now) });
      }
    };
    decide({ type: 'EnrolCustomer', customerId, email: `bench-${c}@example.com`, now });
    for (let l = 0; l < LOTS_PER_CUSTOMER; l++) {
      decide({
        type: 'RecordPayment',
        customerId,
        paymentId: randomUUID(),
        newVisitId: randomUUID(),
        locationId: 'web',
        amount: `${10 + ((c + l) % 90)}.00`,
        currency: 'USD',
        purchaseIdentifier: `R-${c}-${l}`,
        occurredAt: new Date(now.getTime() - (LOTS_PER_CUSTOMER - l) * 60_000).toISOString(),
        source: 'online',
        program,
        now,
      });
    }
    written += events.length;
    const stream = accountStream(customerId);
    pending.push(store.appendToStream(stream, 'no_stream', chainEvents(stream, emptyChain, events)));
    if (pending.length >= 2000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { events: written, seconds: (performance.now() - started) / 1000 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
