import { sql, type Kysely, type Transaction } from 'kysely';
import type { CustomerAchievements } from '#projections/customer-achievements.projection';
import type { CustomerBalance } from '#projections/customer-balances.projection';
import type { TimelineEntry } from '#projections/customer-timeline.projection';
import type { CustomerTier, TierChangeRow } from '#projections/customer-tiers.projection';
import { lotKey, type LotMovement, type PointsLot } from '#projections/points-lots.projection';
import {
  keysOf,
  locationCustomerKey,
  locationDayKey,
  locationKeysOf,
  locationPaymentKey,
  type BatchResult,
  type ProgramRow,
  type ReadModelRows,
} from '#projections/project-batch';
import type { LedgerEvent, Projected } from '#projections/projected-event';
import type { CustomerVisitStats, LocationDayPayments, LocationDayVisits, VisitRow } from '#projections/visit-reports.projection';
import { positionFromText, positionText, type ProjectedTable, type ReadModelTables, type UntypedDb } from './tables';
import type { SqliteBulk } from './sqlite-bulk';

type Db = Kysely<ReadModelTables> | Transaction<ReadModelTables>;
// Tables may carry a rebuild suffix; Kysely's typing knows them by their base name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = UntypedDb | Transaction<any>;

/** The keyed rows a write-back cache holds (every table `projectBatch` reads back but the program's). */
type CachedRows = {
  balances: Map<string, CustomerBalance>;
  achievements: Map<string, CustomerAchievements>;
  visits: Map<string, VisitRow>;
  customerVisits: Map<string, CustomerVisitStats>;
  locationVisits: Map<string, LocationDayVisits>;
  locationPayments: Map<string, LocationDayPayments>;
  lots: Map<string, PointsLot>;
  tiers: Map<string, CustomerTier>;
};
type CachedFamily = keyof CachedRows;
const CACHED_FAMILIES: readonly CachedFamily[] = [
  'balances',
  'achievements',
  'visits',
  'customerVisits',
  'locationVisits',
  'locationPayments',
  'lots',
  'tiers',
];

const FLUSH_SLICE = 5000;

/**
 * A rebuild's rows kept in memory across batches and written once (`flush`), instead of being
 * read back and rewritten by every batch that touches them: with 5,000-event batches over
 * 100,000 customers a balance row was otherwise rewritten about once per event. Only for tables
 * nobody else reads or writes until they are swapped in (a rebuild's): between flushes the
 * checkpoint runs ahead of the rows on disk, which a live table must never do.
 *
 * `complete` holds while nothing was evicted: the tables started empty and every row written
 * is here, so a key missing here has no row and nothing is read back. Past `maxRows` every
 * dirty row is written and the cache starts over, reading misses back from then on.
 */
class WriteBackCache {
  rows: CachedRows = emptyCache();
  locationCustomers = new Set<string>();
  /** Each customer's lot keys in `rows.lots`: spends recorded without their draws take from all open lots. */
  lotsOf = new Map<string, Set<string>>();
  readonly dirty = Object.fromEntries([...CACHED_FAMILIES, 'locationCustomers'].map((f) => [f, new Set<string>()])) as Record<
    CachedFamily | 'locationCustomers',
    Set<string>
  >;
  complete = true;

  constructor(readonly maxRows: number) {}

  get size(): number {
    let size = this.locationCustomers.size;
    for (const family of CACHED_FAMILIES) size += this.rows[family].size;
    return size;
  }

  set<F extends CachedFamily>(family: F, key: string, row: unknown): void {
    (this.rows[family] as Map<string, unknown>).set(key, row);
    if (family !== 'lots') return;
    const customerId = (row as PointsLot).customerId;
    let keys = this.lotsOf.get(customerId);
    if (keys === undefined) this.lotsOf.set(customerId, (keys = new Set()));
    keys.add(key);
  }

  /** Every lot of these customers the cache holds. */
  lotsOfCustomers(customers: ReadonlySet<string>): [string, PointsLot][] {
    const out: [string, PointsLot][] = [];
    for (const customerId of customers) for (const key of this.lotsOf.get(customerId) ?? []) out.push([key, this.rows.lots.get(key)!]);
    return out;
  }

  clear(): void {
    this.rows = emptyCache();
    this.locationCustomers = new Set();
    this.lotsOf = new Map();
    this.complete = false;
  }
}

const emptyCache = (): CachedRows => ({
  balances: new Map(),
  achievements: new Map(),
  visits: new Map(),
  customerVisits: new Map(),
  locationVisits: new Map(),
  locationPayments: new Map(),
  lots: new Map(),
  tiers: new Map(),
});

/** Keys split into the rows the cache holds and those to read back (none while the cache is complete). */
function split<R>(cache: WriteBackCache | undefined, map: Map<string, R> | undefined, keys: ReadonlySet<string>): { hits: [string, R][]; missing: string[] } {
  if (cache === undefined || map === undefined) return { hits: [], missing: [...keys] };
  const hits: [string, R][] = [];
  const missing: string[] = [];
  for (const key of keys) {
    const row = map.get(key);
    if (row !== undefined) hits.push([key, row]);
    else if (!cache.complete) missing.push(key);
  }
  return { hits, missing };
}

/**
 * Loads and writes the rows of one batch (see `projectBatch`) in the tables named by `suffix`
 * (the live tables, or the ones a rebuild fills). Multi-row statements, chunked below the
 * dialect's parameter limit, so a batch of thousands of events costs a handful of statements.
 */
export class LedgerReadModelStore {
  private readonly cache: WriteBackCache | undefined;

  constructor(
    private readonly suffix: string,
    private readonly maxParameters: number,
    private readonly bulk?: SqliteBulk,
    /** Rebuilds only: keep up to this many rows in memory and write them on `flush` (see `WriteBackCache`). */
    writeBackRows?: number,
  ) {
    this.cache = writeBackRows === undefined ? undefined : new WriteBackCache(writeBackRows);
  }

  table(name: ProjectedTable): string {
    return `${name}${this.suffix}`;
  }

  get writesBack(): boolean {
    return this.cache !== undefined;
  }

  async load(trx: Db, events: readonly Projected<LedgerEvent>[]): Promise<ReadModelRows> {
    const db = trx as AnyDb;
    const keys = keysOf(events);
    const cache = this.cache;
    const c = cache?.rows;
    const balances = split(cache, c?.balances, keys.customers);
    const achievements = split(cache, c?.achievements, keys.customers);
    const visitKeys = split(cache, c?.visits, keys.visits);
    const stats = split(cache, c?.customerVisits, keys.customers);
    const lotKeys = split(cache, c?.lots, keys.lots);
    const tierKeys = split(cache, c?.tiers, keys.tierOwners);
    const [programRows, balanceRows, achievementRows, visitRows, statsRows, lotRows, ownersLotRows, tierRows] = await Promise.all([
      db.selectFrom(this.table('program_settings')).selectAll().execute(),
      this.selectIn(db, 'customer_balances', 'customer_id', balances.missing),
      this.selectIn(db, 'customer_achievements', 'customer_id', achievements.missing),
      this.selectIn(db, 'visits', 'visit_id', visitKeys.missing),
      this.selectIn(db, 'customer_visit_stats', 'customer_id', stats.missing),
      this.selectTuples(db, 'points_lots', ['customer_id', 'lot_id'], lotKeys.missing),
      // Every open lot of these customers: the cached ones, and (once the cache has evicted) those on disk.
      cache?.complete === true ? [] : this.selectOpenLots(db, [...keys.lotOwners]),
      this.selectIn(db, 'customer_tiers', 'customer_id', tierKeys.missing),
    ]);
    const programs = (programRows as ReadModelTables['program_settings'][]).map(toProgram).sort((a, b) => (a.position < b.position ? -1 : 1));
    const visits = this.merge(
      'visits',
      visitKeys.hits,
      (visitRows as ReadModelTables['visits'][]).map((r) => [r.visit_id, toVisit(r)]),
    );
    const locationKeys = locationKeysOf(events, programs, visits);
    const days = split(cache, c?.locationVisits, locationKeys.locationVisits);
    const payments = split(cache, c?.locationPayments, locationKeys.locationPayments);
    const members = cache === undefined ? { hits: [], missing: [...locationKeys.locationCustomers] } : this.splitMembers(locationKeys.locationCustomers);
    const [dayRows, paymentRows, memberRows] = await Promise.all([
      this.selectTuples(db, 'location_daily_visits', ['location_id', 'day'], days.missing),
      this.selectTuples(db, 'location_daily_payments', ['location_id', 'day', 'currency'], payments.missing),
      this.selectTuples(db, 'location_daily_customers', ['location_id', 'day', 'customer_id'], members.missing),
    ]);
    const memberKeys = (memberRows as ReadModelTables['location_daily_customers'][]).map((r) => locationCustomerKey(r.location_id, r.day, r.customer_id));
    for (const key of memberKeys) cache?.locationCustomers.add(key);
    return {
      programs,
      balances: this.merge(
        'balances',
        balances.hits,
        (balanceRows as ReadModelTables['customer_balances'][]).map((r) => [r.customer_id, toBalance(r)]),
      ),
      achievements: this.merge(
        'achievements',
        achievements.hits,
        (achievementRows as ReadModelTables['customer_achievements'][]).map((r) => [r.customer_id, toAchievements(r)]),
      ),
      visits,
      customerVisits: this.merge(
        'customerVisits',
        stats.hits,
        (statsRows as ReadModelTables['customer_visit_stats'][]).map((r) => [r.customer_id, toStats(r)]),
      ),
      locationVisits: this.merge(
        'locationVisits',
        days.hits,
        (dayRows as ReadModelTables['location_daily_visits'][]).map((r) => [locationDayKey(r.location_id, r.day), toLocationDay(r)]),
      ),
      locationPayments: this.merge(
        'locationPayments',
        payments.hits,
        (paymentRows as ReadModelTables['location_daily_payments'][]).map((r) => [locationPaymentKey(r.location_id, r.day, r.currency), toLocationPayments(r)]),
      ),
      locationCustomers: new Set([...members.hits, ...memberKeys]),
      lots: this.merge(
        'lots',
        cache === undefined ? lotKeys.hits : [...lotKeys.hits, ...cache.lotsOfCustomers(keys.lotOwners)],
        [...lotRows, ...ownersLotRows]
          .map((r) => toLot(r as ReadModelTables['points_lots']))
          .map((l): [string, PointsLot] => [lotKey(l.customerId, l.lotId), l])
          // A lot the cache holds is newer than its row on disk.
          .filter(([key]) => cache?.rows.lots.has(key) !== true),
      ),
      tiers: this.merge(
        'tiers',
        tierKeys.hits,
        (tierRows as ReadModelTables['customer_tiers'][]).map((r) => [r.customer_id, toTier(r)]),
      ),
    };
  }

  async write(trx: Db, result: BatchResult): Promise<void> {
    const db = trx as AnyDb;
    const { rows, changed } = result;
    await this.upsert(db, 'program_settings', ['program_id', 'version'], changed.programs.map(fromProgram));
    await this.insert(db, 'customer_timeline', result.timeline.map(fromTimeline));
    await this.insert(db, 'points_movements', result.movements.map(fromMovement));
    await this.insert(db, 'tier_changes', result.tierChanges.map(fromTierChange));
    const cache = this.cache;
    if (cache === undefined) return this.writeRows(db, rows, changed);
    for (const family of CACHED_FAMILIES) {
      const source = rows[family] as ReadonlyMap<string, unknown>;
      for (const key of changed[family]) {
        cache.set(family, key, source.get(key));
        cache.dirty[family].add(key);
      }
    }
    for (const key of changed.locationCustomers) {
      cache.locationCustomers.add(key);
      cache.dirty.locationCustomers.add(key);
    }
    if (cache.size > cache.maxRows) await this.evict(db);
  }

  /** Writes every row the write-back cache holds that is not on disk yet (no-op without one). */
  async flush(trx: Db): Promise<void> {
    const cache = this.cache;
    if (cache === undefined) return;
    // In key order (keys join their columns with NUL, which sorts first): SQLite then appends to
    // each primary-key index instead of inserting at random pages.
    // A slice at a time, so the rows' SQL shapes never all exist at once.
    const rows = { ...cache.rows, programs: [], locationCustomers: cache.locationCustomers };
    const none = new Set<string>();
    for (const [family, dirty] of Object.entries(cache.dirty) as [keyof typeof cache.dirty, Set<string>][]) {
      const keys = [...dirty].sort();
      for (let i = 0; i < keys.length; i += FLUSH_SLICE) {
        const slice = new Set(keys.slice(i, i + FLUSH_SLICE));
        const changed = Object.fromEntries(Object.keys(cache.dirty).map((f) => [f, f === family ? slice : none]));
        await this.writeRows(trx as AnyDb, rows, { ...(changed as typeof cache.dirty), programs: [] });
      }
      dirty.clear();
    }
  }

  private async evict(db: AnyDb): Promise<void> {
    await this.flush(db);
    this.cache!.clear();
  }

  /** The rows a batch changed, in the keyed tables (the timeline, movements, tier changes and program versions are written apart). */
  private async writeRows(db: AnyDb, rows: ReadModelRows, changed: BatchResult['changed']): Promise<void> {
    await this.upsert(db, 'customer_balances', ['customer_id'], pick(rows.balances, changed.balances).map(fromBalance));
    await this.upsert(db, 'customer_achievements', ['customer_id'], pick(rows.achievements, changed.achievements).map(fromAchievements));
    await this.upsert(db, 'visits', ['visit_id'], pick(rows.visits, changed.visits).map(fromVisit));
    await this.upsert(db, 'customer_visit_stats', ['customer_id'], pick(rows.customerVisits, changed.customerVisits).map(fromStats));
    await this.upsert(db, 'location_daily_visits', ['location_id', 'day'], pick(rows.locationVisits, changed.locationVisits).map(fromLocationDay));
    await this.upsert(
      db,
      'location_daily_payments',
      ['location_id', 'day', 'currency'],
      pick(rows.locationPayments, changed.locationPayments).map(fromLocationPayments),
    );
    await this.upsert(db, 'points_lots', ['customer_id', 'lot_id'], pick(rows.lots, changed.lots).map(fromLot));
    await this.upsert(db, 'customer_tiers', ['customer_id'], pick(rows.tiers, changed.tiers).map(fromTier));
    await this.insert(
      db,
      'location_daily_customers',
      [...changed.locationCustomers].map((key) => {
        const [location_id, day, customer_id] = key.split('\u0000') as [string, string, string];
        return { location_id, day, customer_id };
      }),
    );
  }

  /** Cached rows plus rows read back (which the cache keeps from then on). */
  private merge<F extends CachedFamily, R extends (CachedRows[F] extends Map<string, infer V> ? V : never)>(
    family: F,
    hits: readonly [string, R][],
    read: readonly [string, R][],
  ): Map<string, R> {
    const map = new Map<string, R>(hits);
    for (const [key, row] of read) {
      map.set(key, row);
      this.cache?.set(family, key, row);
    }
    return map;
  }

  private splitMembers(keys: ReadonlySet<string>): { hits: string[]; missing: string[] } {
    const cache = this.cache!;
    const hits: string[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      if (cache.locationCustomers.has(key)) hits.push(key);
      else if (!cache.complete) missing.push(key);
    }
    return { hits, missing };
  }

  private async selectIn(db: AnyDb, table: ProjectedTable, column: string, keys: readonly string[]): Promise<unknown[]> {
    if (this.bulk !== undefined) return this.bulk.selectByKey(this.table(table), column, keys);
    const out: unknown[] = [];
    for (const chunk of chunks(keys, Math.min(1000, this.maxParameters))) {
      out.push(...(await db.selectFrom(this.table(table)).selectAll().where(column, 'in', chunk).execute()));
    }
    return out;
  }

  /** Every open lot (points remaining) of these customers. */
  private async selectOpenLots(db: AnyDb, customers: readonly string[]): Promise<unknown[]> {
    if (this.bulk !== undefined) return this.bulk.selectAllByKey(this.table('points_lots'), 'customer_id', customers, '"remaining" > 0');
    const out: unknown[] = [];
    for (const chunk of chunks(customers, Math.min(1000, this.maxParameters))) {
      out.push(
        ...(await db
          .selectFrom(this.table('points_lots'))
          .selectAll()
          .where('customer_id', 'in', chunk)
          .where(sql.ref('remaining'), '>', sql.lit(0))
          .execute()),
      );
    }
    return out;
  }

  /** Rows by composite key, as `(a, b) IN ((…), (…))`: row values work in both dialects. */
  private async selectTuples(db: AnyDb, table: ProjectedTable, columns: readonly string[], keys: readonly string[]): Promise<unknown[]> {
    if (this.bulk !== undefined) return this.bulk.selectByTuple(this.table(table), columns, keys);
    const out: unknown[] = [];
    const perChunk = Math.floor(Math.min(3000, this.maxParameters) / columns.length);
    for (const chunk of chunks(keys, perChunk)) {
      const tuples = chunk.map((key) => key.split('\u0000'));
      out.push(
        ...(await db
          .selectFrom(this.table(table))
          .selectAll()
          .where((eb) => {
            const ref = columns.length === 2 ? eb.refTuple(columns[0]!, columns[1]!) : eb.refTuple(columns[0]!, columns[1]!, columns[2]!);
            const values = tuples.map((parts) => (parts.length === 2 ? eb.tuple(parts[0]!, parts[1]!) : eb.tuple(parts[0]!, parts[1]!, parts[2]!)));
            return eb(ref as never, 'in', values as never);
          })
          .execute()),
      );
    }
    return out;
  }

  private async insert(db: AnyDb, table: ProjectedTable, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.bulk !== undefined) return this.bulk.write(this.table(table), [], rows, false);
    const perChunk = Math.max(1, Math.floor(this.maxParameters / Object.keys(rows[0]!).length));
    for (const chunk of chunks(rows, perChunk)) {
      // A row already there is the same event projected before: keep the first.
      await db
        .insertInto(this.table(table))
        .values(chunk as never)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  private async upsert(db: AnyDb, table: ProjectedTable, key: readonly string[], rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.bulk !== undefined) return this.bulk.write(this.table(table), key, rows, true);
    const columns = Object.keys(rows[0]!);
    const perChunk = Math.max(1, Math.floor(this.maxParameters / columns.length));
    const updates = columns.filter((c) => !key.includes(c));
    for (const chunk of chunks(rows, perChunk)) {
      await db
        .insertInto(this.table(table))
        .values(chunk as never)
        .onConflict((oc) => oc.columns(key).doUpdateSet((eb) => Object.fromEntries(updates.map((c) => [c, eb.ref(`excluded.${c}` as never)]))))
        .execute();
    }
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const pick = <R>(rows: ReadonlyMap<string, R>, keys: ReadonlySet<string>): R[] => [...keys].map((k) => rows.get(k)!).filter((r) => r !== undefined);

const toProgram = (r: ReadModelTables['program_settings']): ProgramRow => ({
  programId: r.program_id,
  version: Number(r.version),
  currency: r.currency,
  timezone: r.timezone,
  position: positionFromText(r.position),
});
const fromProgram = (p: ProgramRow) => ({
  program_id: p.programId,
  version: p.version,
  currency: p.currency,
  timezone: p.timezone,
  position: positionText(p.position),
});

/** A `customer_balances` row as the projection's row type (also what the balance query serves). */
export const toBalance = (r: ReadModelTables['customer_balances']): CustomerBalance => ({
  customerId: r.customer_id,
  available: Number(r.available),
  pending: Number(r.pending),
  owed: Number(r.owed),
  lifetimeEarned: Number(r.lifetime_earned),
  lifetimeRedeemed: Number(r.lifetime_redeemed),
  adjustedIn: Number(r.adjusted_in),
  adjustedOut: Number(r.adjusted_out),
  lifetimeReversed: Number(r.lifetime_reversed),
  lifetimeWrittenOff: Number(r.lifetime_written_off),
  lifetimeExpired: Number(r.lifetime_expired),
  visitCount: Number(r.visit_count),
  purchaseCount: Number(r.purchase_count),
  lastActivityAt: r.last_activity_at,
  enrolledAt: r.enrolled_at,
  position: positionFromText(r.position),
});
const fromBalance = (b: CustomerBalance): ReadModelTables['customer_balances'] => ({
  customer_id: b.customerId,
  available: b.available,
  pending: b.pending,
  owed: b.owed,
  lifetime_earned: b.lifetimeEarned,
  lifetime_redeemed: b.lifetimeRedeemed,
  adjusted_in: b.adjustedIn,
  adjusted_out: b.adjustedOut,
  lifetime_reversed: b.lifetimeReversed,
  lifetime_written_off: b.lifetimeWrittenOff,
  lifetime_expired: b.lifetimeExpired,
  visit_count: b.visitCount,
  purchase_count: b.purchaseCount,
  last_activity_at: b.lastActivityAt,
  enrolled_at: b.enrolledAt,
  position: positionText(b.position),
});

/** A `customer_achievements` row as the projection's row type (also what the achievements query serves). */
export const toAchievements = (r: ReadModelTables['customer_achievements']): CustomerAchievements => ({
  customerId: r.customer_id,
  visits: Number(r.visits),
  level: Number(r.level),
  rewardPoints: Number(r.reward_points),
  lastVisitAt: r.last_visit_at,
  lastRewardAt: r.last_reward_at,
  position: positionFromText(r.position),
});
export const fromAchievements = (a: CustomerAchievements): ReadModelTables['customer_achievements'] => ({
  customer_id: a.customerId,
  visits: a.visits,
  level: a.level,
  reward_points: a.rewardPoints,
  last_visit_at: a.lastVisitAt,
  last_reward_at: a.lastRewardAt,
  position: positionText(a.position),
});

const fromTimeline = (e: TimelineEntry): ReadModelTables['customer_timeline'] => ({
  event_id: e.eventId,
  customer_id: e.customerId,
  position: positionText(e.position),
  entry_type: e.type,
  kind: e.kind,
  occurred_at: e.occurredAt,
  recorded_at: e.recordedAt,
  location_id: e.locationId,
  amount_minor: e.amountMinor,
  currency: e.currency,
  points_delta: e.pointsDelta,
  balance_after: e.balanceAfter,
  pending_delta: e.pendingDelta,
  pending_after: e.pendingAfter,
  owed_after: e.owedAfter,
  reason: e.reason,
  reference: e.reference,
  actor: e.actor,
  subject_id: e.subjectId,
});

const toVisit = (r: ReadModelTables['visits']): VisitRow => ({
  visitId: r.visit_id,
  customerId: r.customer_id,
  locationId: r.location_id,
  occurredAt: r.occurred_at,
  day: r.day,
  kind: r.kind,
  source: r.source,
  withPurchase: Number(r.with_purchase) === 1,
  position: positionFromText(r.position),
});
const fromVisit = (v: VisitRow): ReadModelTables['visits'] => ({
  visit_id: v.visitId,
  customer_id: v.customerId,
  location_id: v.locationId,
  occurred_at: v.occurredAt,
  day: v.day,
  kind: v.kind,
  source: v.source,
  with_purchase: v.withPurchase ? 1 : 0,
  position: positionText(v.position),
});

const toStats = (r: ReadModelTables['customer_visit_stats']): CustomerVisitStats => ({
  customerId: r.customer_id,
  visits: Number(r.visits),
  visitsWithPurchase: Number(r.visits_with_purchase),
  visitsWithoutPurchase: Number(r.visits_without_purchase),
  firstVisitAt: r.first_visit_at,
  lastVisitAt: r.last_visit_at,
  position: positionFromText(r.position),
});
const fromStats = (s: CustomerVisitStats): ReadModelTables['customer_visit_stats'] => ({
  customer_id: s.customerId,
  visits: s.visits,
  visits_with_purchase: s.visitsWithPurchase,
  visits_without_purchase: s.visitsWithoutPurchase,
  first_visit_at: s.firstVisitAt,
  last_visit_at: s.lastVisitAt,
  position: positionText(s.position),
});

const toLocationDay = (r: ReadModelTables['location_daily_visits']): LocationDayVisits => ({
  locationId: r.location_id,
  day: r.day,
  visits: Number(r.visits),
  visitsWithPurchase: Number(r.visits_with_purchase),
  distinctCustomers: Number(r.distinct_customers),
  position: positionFromText(r.position),
});
const fromLocationDay = (d: LocationDayVisits): ReadModelTables['location_daily_visits'] => ({
  location_id: d.locationId,
  day: d.day,
  visits: d.visits,
  visits_with_purchase: d.visitsWithPurchase,
  distinct_customers: d.distinctCustomers,
  position: positionText(d.position),
});

const toLocationPayments = (r: ReadModelTables['location_daily_payments']): LocationDayPayments => ({
  locationId: r.location_id,
  day: r.day,
  currency: r.currency,
  payments: Number(r.payments),
  revenueMinor: Number(r.revenue_minor),
  pointsEarned: Number(r.points_earned),
  refunds: Number(r.refunds),
  refundedMinor: Number(r.refunded_minor),
  position: positionFromText(r.position),
});
const fromLocationPayments = (p: LocationDayPayments): ReadModelTables['location_daily_payments'] => ({
  location_id: p.locationId,
  day: p.day,
  currency: p.currency,
  payments: p.payments,
  revenue_minor: p.revenueMinor,
  points_earned: p.pointsEarned,
  refunds: p.refunds,
  refunded_minor: p.refundedMinor,
  position: positionText(p.position),
});

/** A `points_lots` row as the projection's row type. */
export const toLot = (r: ReadModelTables['points_lots']): PointsLot => ({
  customerId: r.customer_id,
  lotId: r.lot_id,
  source: r.source as PointsLot['source'],
  paymentId: r.payment_id,
  earnedAt: r.earned_at,
  activatesAt: r.activates_at,
  points: Number(r.points),
  remaining: Number(r.remaining),
  position: positionFromText(r.position),
  expiresAt: r.expires_at,
  lastValidDay: r.last_valid_day,
  expired: Number(r.expired),
});
const fromLot = (l: PointsLot): ReadModelTables['points_lots'] => ({
  customer_id: l.customerId,
  lot_id: l.lotId,
  source: l.source,
  payment_id: l.paymentId,
  earned_at: l.earnedAt,
  activates_at: l.activatesAt,
  points: l.points,
  remaining: l.remaining,
  position: positionText(l.position),
  expires_at: l.expiresAt,
  last_valid_day: l.lastValidDay,
  expired: l.expired,
});

const fromMovement = (m: LotMovement): ReadModelTables['points_movements'] => ({
  position: positionText(m.position),
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
});

/** A `customer_tiers` row as the projection's row type. */
export const toTier = (r: ReadModelTables['customer_tiers']): CustomerTier => ({
  customerId: r.customer_id,
  tierId: r.tier_id,
  qualifyingPoints: r.qualifying_points === null ? null : Number(r.qualifying_points),
  since: r.since,
  position: positionFromText(r.position),
});
const fromTier = (t: CustomerTier): ReadModelTables['customer_tiers'] => ({
  customer_id: t.customerId,
  tier_id: t.tierId,
  qualifying_points: t.qualifyingPoints,
  since: t.since,
  position: positionText(t.position),
});

const fromTierChange = (c: TierChangeRow): ReadModelTables['tier_changes'] => ({
  position: positionText(c.position),
  customer_id: c.customerId,
  from_tier_id: c.fromTierId,
  to_tier_id: c.toTierId,
  direction: c.direction,
  reason: c.reason,
  qualifying_points: c.qualifyingPoints,
  occurred_at: c.occurredAt,
  recorded_at: c.recordedAt,
  day: c.day,
});
