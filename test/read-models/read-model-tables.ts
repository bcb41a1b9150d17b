import * as E from 'fp-ts/Either';
import { sql, type Kysely } from 'kysely';
import { join } from 'node:path';
import type { EventStore, RecordedEvent } from '#event-store/event-store.port';
import { testStore, testStoreKind } from '../support/test-store';
import type { LedgerEvent, Projected } from '#projections/projected-event';
import { expectedReadModels } from '#projections/testing/read-model-oracle';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { PROJECTED_TABLES, type ProjectedTable, type ReadModelTables, type UntypedDb } from '#read-models/tables';
import { freshPostgresDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';
import type { Dialect } from './read-model-fixture';
import type { ScenarioCommand } from '#projections/testing/ledger-scenario';

/**
 * Helpers for the projection suite: a fixture that can open a second, independent connection
 * to the same read-model database (a second projector process), table dumps, and the tables
 * an independent oracle says the log should produce.
 */

export interface ProjectionFixture {
  readonly store: EventStore;
  readonly database: ReadModelDatabase;
  /** Another connection (SQLite) or pool (PostgreSQL) on the same read-model database; closed with the fixture. */
  openAnother(): ReadModelDatabase;
  close(): Promise<void>;
}

/**
 * Like `openReadModelFixture`, but it keeps what is needed to open more connections to the
 * same database (the shared fixture does not expose the PostgreSQL URL).
 */
export async function openProjectionFixture(dialect: Dialect): Promise<ProjectionFixture> {
  const dir = tempDir('projection-suite-');
  const storage = await testStore(testStoreKind(), dir.path);
  const store = storage.open();
  let drop = async () => {};
  let open: () => ReadModelDatabase;
  if (dialect === 'postgres') {
    const pg = await freshPostgresDatabase();
    drop = pg.drop;
    open = () => openPostgresReadModels(pg.url, 4);
  } else {
    const file = join(dir.path, 'read-models.sqlite');
    open = () => openSqliteReadModels(file);
  }
  const database = open();
  await migrate(database.db);
  const others: ReadModelDatabase[] = [];
  return {
    store,
    database,
    openAnother() {
      const another = open();
      others.push(another);
      return another;
    },
    async close() {
      for (const other of others) await other.close();
      await database.close();
      await store.close();
      await storage.release({ keepData: false });
      await drop();
      dir.cleanup();
    },
  };
}

/** Appends the commands in order, one append per command, with the metadata the API writes. */
export async function appendCommands(store: EventStore, commands: readonly ScenarioCommand[]): Promise<bigint> {
  const revisions = new Map<string, bigint | 'no_stream'>();
  let position = 0n;
  for (const command of commands) {
    let expected = revisions.get(command.streamName);
    if (expected === undefined) expected = (await store.readStream(command.streamName, { fromRevision: 2n ** 62n })).revision;
    const result = await store.appendToStream(
      command.streamName,
      expected,
      command.events.map((event, i) => ({
        id: command.eventIds[i]!,
        type: event.type,
        data: event.data as unknown as Record<string, never>,
        metadata: { recordedAt: command.recordedAt, actor: command.actor, commandId: `cmd-${command.eventIds[0]}` },
      })),
    );
    if (E.isLeft(result)) throw new Error(`append to ${command.streamName} refused: ${JSON.stringify(result.left)}`);
    revisions.set(command.streamName, result.right.nextRevision);
    position = result.right.position;
  }
  return position;
}

/** Every stored event, in global order. */
export async function readLog(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: out[out.length - 1]?.position ?? 0n, maxCount: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
  }
}

const KEYS: Record<ProjectedTable, readonly string[]> = {
  program_settings: ['program_id', 'version'],
  customer_balances: ['customer_id'],
  customer_timeline: ['position'],
  visits: ['visit_id'],
  customer_visit_stats: ['customer_id'],
  location_daily_visits: ['location_id', 'day'],
  location_daily_payments: ['location_id', 'day', 'currency'],
  location_daily_customers: ['location_id', 'day', 'customer_id'],
  customer_achievements: ['customer_id'],
  points_lots: ['customer_id', 'lot_id'],
  points_movements: ['position', 'seq'],
  customer_tiers: ['customer_id'],
  tier_changes: ['position'],
};

export type TableDump = Record<ProjectedTable, Record<string, unknown>[]>;

const byKey = (table: ProjectedTable) => (a: Record<string, unknown>, b: Record<string, unknown>) => {
  for (const k of KEYS[table]) {
    const x = String(a[k]);
    const y = String(b[k]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/** Every projected table (or its rebuild twin, by suffix), every column, rows sorted by key (bytewise, the same in both dialects). */
export async function dumpTables(db: Kysely<ReadModelTables>, suffix = ''): Promise<TableDump> {
  const dump = {} as TableDump;
  for (const table of PROJECTED_TABLES) {
    const rows = (await (db as UntypedDb).selectFrom(`${table}${suffix}`).selectAll().execute()) as Record<string, unknown>[];
    dump[table] = rows.map((r) => ({ ...r })).sort(byKey(table));
  }
  return dump;
}

/** A position as the schema stores it (docs/read-models.md): 40 digits, zero-padded. */
const positionColumn = (position: bigint): string => position.toString().padStart(40, '0');

/**
 * The tables the log must produce, from the independent oracle (`expectedReadModels`: plain
 * folds over the whole log, written for the tests), as the schema's columns. The log is taken
 * as stored rather than through the projector's decoding (`toProjected`), and the columns are
 * named here rather than by the store's row mappers, so a slip in either shows as a difference.
 */
export function expectedTables(log: readonly RecordedEvent[]): TableDump {
  const events = log
    .filter((e) => e.streamName.startsWith('loyaltyAccount-') || e.streamName.startsWith('loyaltyProgram-'))
    .map((e): Projected<LedgerEvent> => ({
      // The suite appended these very events (`appendCommands`), so their data is a ledger event's.
      event: { type: e.type, data: e.data } as unknown as LedgerEvent,
      eventId: e.id,
      streamName: e.streamName,
      revision: e.revision,
      position: e.position,
      recordedAt: String(e.metadata['recordedAt']),
      actor: typeof e.metadata['actor'] === 'string' ? e.metadata['actor'] : null,
    }));
  const expected = expectedReadModels(events);
  const dump: TableDump = {
    program_settings: expected.programs.map((p) => ({
      program_id: p.programId,
      version: p.version,
      currency: p.currency,
      timezone: p.timezone,
      position: positionColumn(p.position),
    })),
    customer_balances: expected.balances.map((b) => ({
      customer_id: b.customerId,
      available: b.available,
      pending: b.pending,
      lifetime_earned: b.lifetimeEarned,
      lifetime_redeemed: b.lifetimeRedeemed,
      adjusted_in: b.adjustedIn,
      adjusted_out: b.adjustedOut,
      visit_count: b.visitCount,
      purchase_count: b.purchaseCount,
      last_activity_at: b.lastActivityAt,
      enrolled_at: b.enrolledAt,
      position: positionColumn(b.position),
      owed: b.owed,
      lifetime_reversed: b.lifetimeReversed,
      lifetime_written_off: b.lifetimeWrittenOff,
      lifetime_expired: b.lifetimeExpired,
    })),
    customer_timeline: expected.timeline.map((e) => ({
      event_id: e.eventId,
      customer_id: e.customerId,
      position: positionColumn(e.position),
      entry_type: e.type,
      kind: e.kind,
      occurred_at: e.occurredAt,
      recorded_at: e.recordedAt,
      location_id: e.locationId,
      amount_minor: e.amountMinor,
      currency: e.currency,
      points_delta: e.pointsDelta,
      balance_after: e.balanceAfter,
      reason: e.reason,
      reference: e.reference,
      actor: e.actor,
      subject_id: e.subjectId,
      pending_delta: e.pendingDelta,
      pending_after: e.pendingAfter,
      owed_after: e.owedAfter,
    })),
    visits: expected.visits.map((v) => ({
      visit_id: v.visitId,
      customer_id: v.customerId,
      location_id: v.locationId,
      occurred_at: v.occurredAt,
      day: v.day,
      kind: v.kind,
      source: v.source,
      with_purchase: v.withPurchase ? 1 : 0,
      position: positionColumn(v.position),
    })),
    customer_visit_stats: expected.customerVisits.map((s) => ({
      customer_id: s.customerId,
      visits: s.visits,
      visits_with_purchase: s.visitsWithPurchase,
      visits_without_purchase: s.visitsWithoutPurchase,
      first_visit_at: s.firstVisitAt,
      last_visit_at: s.lastVisitAt,
      position: positionColumn(s.position),
    })),
    location_daily_visits: expected.locationVisits.map((d) => ({
      location_id: d.locationId,
      day: d.day,
      visits: d.visits,
      visits_with_purchase: d.visitsWithPurchase,
      distinct_customers: d.distinctCustomers,
      position: positionColumn(d.position),
    })),
    location_daily_payments: expected.locationPayments.map((p) => ({
      location_id: p.locationId,
      day: p.day,
      currency: p.currency,
      payments: p.payments,
      revenue_minor: p.revenueMinor,
      points_earned: p.pointsEarned,
      position: positionColumn(p.position),
      refunds: p.refunds,
      refunded_minor: p.refundedMinor,
    })),
    location_daily_customers: expected.locationCustomers.map((c) => ({ location_id: c.locationId, day: c.day, customer_id: c.customerId })),
    customer_achievements: expected.achievements.map((a) => ({
      customer_id: a.customerId,
      visits: a.visits,
      level: a.level,
      reward_points: a.rewardPoints,
      last_visit_at: a.lastVisitAt,
      last_reward_at: a.lastRewardAt,
      position: positionColumn(a.position),
    })),
    points_lots: expected.lots.map((l) => ({
      customer_id: l.customerId,
      lot_id: l.lotId,
      source: l.source,
      payment_id: l.paymentId,
      earned_at: l.earnedAt,
      activates_at: l.activatesAt,
      points: l.points,
      remaining: l.remaining,
      position: positionColumn(l.position),
      expires_at: l.expiresAt,
      last_valid_day: l.lastValidDay,
      expired: l.expired,
    })),
    points_movements: expected.movements.map((m) => ({
      position: positionColumn(m.position),
      seq: m.seq,
      customer_id: m.customerId,
      lot_id: m.lotId,
      source: m.source,
      kind: m.kind,
      pending: m.pending ? 1 : 0,
      points: m.points,
      occurred_at: m.occurredAt,
      recorded_at: m.recordedAt,
      day: m.day,
      expires_at: m.expiresAt,
      last_valid_day: m.lastValidDay,
    })),
    customer_tiers: expected.tiers.map((c) => ({
      customer_id: c.customerId,
      tier_id: c.tierId,
      qualifying_points: c.qualifyingPoints,
      since: c.since,
      position: positionColumn(c.position),
    })),
    tier_changes: expected.tierChanges.map((c) => ({
      position: positionColumn(c.position),
      customer_id: c.customerId,
      from_tier_id: c.fromTierId,
      to_tier_id: c.toTierId,
      direction: c.direction,
      reason: c.reason,
      qualifying_points: c.qualifyingPoints,
      occurred_at: c.occurredAt,
      recorded_at: c.recordedAt,
      day: c.day,
    })),
  };
  for (const table of PROJECTED_TABLES) dump[table].sort(byKey(table));
  return dump;
}

/** Tables whose name marks them as a rebuild's (`<table>__r…`). */
export async function rebuildTables(database: ReadModelDatabase): Promise<string[]> {
  const names =
    database.dialect === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(database.db)).rows
      : (await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`.execute(database.db)).rows;
  return names.map((r) => r.name).filter((n) => n.includes('__'));
}

/** All checkpoint rows, name → position. */
export async function checkpoints(db: Kysely<ReadModelTables>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('projection_checkpoints').select(['projection', 'position']).execute();
  return Object.fromEntries(rows.map((r) => [r.projection, r.position]));
}
