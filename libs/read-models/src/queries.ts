import { sql, type Kysely } from 'kysely';
import type { CustomerAchievements } from '#projections/customer-achievements.projection';
import type { CustomerBalance } from '#projections/customer-balances.projection';
import { toAchievements, toBalance } from './ledger-read-model-store';
import { positionFromText, positionText, type ReadModelTables, type UntypedDb } from './tables';

/** Reads for the back-office screens and reports: straight from the read models, never a replay. */

/** A customer's balance row, with its position as a decimal string (JSON has no BigInt). */
export type BalanceView = Omit<CustomerBalance, 'position'> & {
  /** Global position of the last event this balance reflects. */
  readonly position: string;
};

export const customerBalance = (db: Kysely<ReadModelTables>, customerId: string): Promise<BalanceView | undefined> =>
  customerRow(db, 'customer_balances', customerId, toBalance);

/** A per-customer row by its key, mapped to the projection's type, with the position as a decimal string. */
async function customerRow<T extends 'customer_balances' | 'customer_achievements', R extends { readonly position: bigint }>(
  db: Kysely<ReadModelTables>,
  table: T,
  customerId: string,
  map: (row: ReadModelTables[T]) => R,
): Promise<(Omit<R, 'position'> & { readonly position: string }) | undefined> {
  const row = await (db as UntypedDb).selectFrom(table).selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  if (row === undefined) return undefined;
  const mapped = map(row as ReadModelTables[T]);
  return { ...mapped, position: mapped.position.toString() };
}

/** A customer's visit achievement, with its position as a decimal string. */
export type AchievementsView = Omit<CustomerAchievements, 'position'> & {
  /** Global position of the last event this row reflects. */
  readonly position: string;
};

export const customerAchievements = (db: Kysely<ReadModelTables>, customerId: string): Promise<AchievementsView | undefined> =>
  customerRow(db, 'customer_achievements', customerId, toAchievements);

export interface TimelinePage {
  readonly customerId: string;
  readonly entries: readonly TimelineView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface TimelineView {
  readonly eventId: string;
  readonly type: string;
  readonly kind: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly locationId: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  /** Signed change of the net available balance (points owed included). */
  readonly pointsDelta: number;
  /** Available after the entry (never negative). */
  readonly balanceAfter: number;
  readonly pendingDelta: number;
  readonly pendingAfter: number;
  /** Points owed after the entry (0 unless in debt). */
  readonly owedAfter: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly actor: string | null;
  readonly subjectId: string;
  readonly position: string;
}

/** Keyset pagination on the global position: stable under concurrent appends, O(limit) per page. */
export async function customerTimeline(
  db: Kysely<ReadModelTables>,
  customerId: string,
  options: { limit: number; order: 'asc' | 'desc'; cursor?: bigint },
): Promise<TimelinePage> {
  let query = db.selectFrom('customer_timeline').selectAll().where('customer_id', '=', customerId);
  if (options.cursor !== undefined) query = query.where('position', options.order === 'desc' ? '<' : '>', positionText(options.cursor));
  const rows = await query
    .orderBy('position', options.order)
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    customerId,
    entries: page.map((r) => ({
      eventId: r.event_id,
      type: r.entry_type,
      kind: r.kind,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      locationId: r.location_id,
      amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
      currency: r.currency,
      pointsDelta: Number(r.points_delta),
      balanceAfter: Number(r.balance_after),
      pendingDelta: Number(r.pending_delta),
      pendingAfter: Number(r.pending_after),
      owedAfter: Number(r.owed_after),
      reason: r.reason,
      reference: r.reference,
      actor: r.actor,
      subjectId: r.subject_id,
      position: positionFromText(r.position).toString(),
    })),
    nextCursor: rows.length > options.limit && last !== undefined ? positionFromText(last.position).toString() : null,
  };
}

export interface LocationDayReport {
  readonly locationId: string;
  readonly day: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly visitsWithoutPurchase: number;
  /** visitsWithPurchase / visits, or null for a day without visits. */
  readonly conversion: number | null;
  readonly distinctCustomers: number;
  readonly payments: number;
  /** Per currency with payments that day: revenue in minor units and the points it earned. */
  readonly revenue: readonly { currency: string; payments: number; amountMinor: number; pointsEarned: number }[];
  readonly pointsEarned: number;
  /** Refunds recorded that day on payments of this location (any currency). */
  readonly refunds: number;
  /** Per currency with refunds that day: how many, and the refunded amount in minor units. */
  readonly refunded: readonly { currency: string; refunds: number; amountMinor: number }[];
}

/** Per location per day, for `from`..`to` inclusive (days in the program's timezone). */
export async function visitReport(db: Kysely<ReadModelTables>, options: { from: string; to: string; locationId?: string }): Promise<LocationDayReport[]> {
  let visits = db.selectFrom('location_daily_visits').selectAll().where('day', '>=', options.from).where('day', '<=', options.to);
  let payments = db.selectFrom('location_daily_payments').selectAll().where('day', '>=', options.from).where('day', '<=', options.to);
  if (options.locationId !== undefined) {
    visits = visits.where('location_id', '=', options.locationId);
    payments = payments.where('location_id', '=', options.locationId);
  }
  const [visitRows, paymentRows] = await Promise.all([visits.execute(), payments.execute()]);
  const report = new Map<string, { -readonly [K in keyof LocationDayReport]: LocationDayReport[K] }>();
  const entry = (locationId: string, day: string) => {
    const key = `${day}\u0000${locationId}`;
    let row = report.get(key);
    if (row === undefined) {
      row = {
        locationId,
        day,
        visits: 0,
        visitsWithPurchase: 0,
        visitsWithoutPurchase: 0,
        conversion: null,
        distinctCustomers: 0,
        payments: 0,
        revenue: [],
        pointsEarned: 0,
        refunds: 0,
        refunded: [],
      };
      report.set(key, row);
    }
    return row;
  };
  for (const v of visitRows) {
    const row = entry(v.location_id, v.day);
    row.visits = Number(v.visits);
    row.visitsWithPurchase = Number(v.visits_with_purchase);
    row.visitsWithoutPurchase = row.visits - row.visitsWithPurchase;
    row.distinctCustomers = Number(v.distinct_customers);
    row.conversion = row.visits === 0 ? null : row.visitsWithPurchase / row.visits;
  }
  for (const p of paymentRows) {
    const row = entry(p.location_id, p.day);
    // A row may hold only refunds (of payments made on an earlier day), or only payments.
    if (Number(p.payments) > 0) {
      row.payments += Number(p.payments);
      row.pointsEarned += Number(p.points_earned);
      row.revenue = [
        ...row.revenue,
        { currency: p.currency, payments: Number(p.payments), amountMinor: Number(p.revenue_minor), pointsEarned: Number(p.points_earned) },
      ];
    }
    if (Number(p.refunds) > 0) {
      row.refunds += Number(p.refunds);
      row.refunded = [...row.refunded, { currency: p.currency, refunds: Number(p.refunds), amountMinor: Number(p.refunded_minor) }];
    }
  }
  const byCurrency = (a: { currency: string }, b: { currency: string }) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0);
  for (const row of report.values()) {
    row.revenue = [...row.revenue].sort(byCurrency);
    row.refunded = [...row.refunded].sort(byCurrency);
  }
  return [...report.values()].sort((a, b) => (a.day === b.day ? a.locationId.localeCompare(b.locationId) : a.day.localeCompare(b.day)));
}

export interface CustomerVisitReport {
  readonly customerId: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly visitsWithoutPurchase: number;
  readonly conversion: number | null;
  readonly firstVisitAt: string | null;
  readonly lastVisitAt: string | null;
}

export async function customerVisitReport(db: Kysely<ReadModelTables>, customerId: string): Promise<CustomerVisitReport> {
  const r = await db.selectFrom('customer_visit_stats').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  if (r === undefined)
    return { customerId, visits: 0, visitsWithPurchase: 0, visitsWithoutPurchase: 0, conversion: null, firstVisitAt: null, lastVisitAt: null };
  const visits = Number(r.visits);
  return {
    customerId,
    visits,
    visitsWithPurchase: Number(r.visits_with_purchase),
    visitsWithoutPurchase: Number(r.visits_without_purchase),
    conversion: visits === 0 ? null : Number(r.visits_with_purchase) / visits,
    firstVisitAt: r.first_visit_at,
    lastVisitAt: r.last_visit_at,
  };
}

/** A payment whose pending points are due: the lifecycle runner activates it. */
export interface DueActivation {
  readonly customerId: string;
  readonly paymentId: string;
  readonly activatesAt: string;
}

/**
 * Payments with pending points due by `asOf` (an ISO instant): each (customer, payment) with a
 * pending lot that has points left and `activates_at` at or before `asOf`, the oldest due first,
 * at most `limit`, after the keyset cursor `after` (the last one of the previous page). A
 * payment's lots (its own and its cashback's) share one `activates_at`. The read model may lag
 * the ledger: the activation command decides on the ledger itself (a payment already activated
 * or voided is refused there).
 */
export async function dueActivations(db: Kysely<ReadModelTables>, asOf: string, limit: number, after?: DueActivation): Promise<DueActivation[]> {
  let query = db
    .selectFrom('points_lots')
    .select(['customer_id', 'payment_id', 'activates_at'])
    .distinct()
    // Literal, so PostgreSQL can match the partial index's predicate.
    .where(sql.ref('remaining'), '>', sql.lit(0))
    .where('activates_at', 'is not', null)
    .where('activates_at', '<=', asOf)
    .where('payment_id', 'is not', null);
  if (after !== undefined) {
    const { activatesAt, customerId, paymentId } = after;
    query = query.where((eb) =>
      eb.or([
        eb('activates_at', '>', activatesAt),
        eb.and([
          eb('activates_at', '=', activatesAt),
          eb.or([eb('customer_id', '>', customerId), eb.and([eb('customer_id', '=', customerId), eb('payment_id', '>', paymentId)])]),
        ]),
      ]),
    );
  }
  const rows = await query.orderBy('activates_at').orderBy('customer_id').orderBy('payment_id').limit(limit).execute();
  return rows.map((r) => ({ customerId: r.customer_id, paymentId: r.payment_id!, activatesAt: String(r.activates_at) }));
}

/** A lot whose remaining points are due to expire: the lifecycle runner expires it. */
export interface DueExpiration {
  readonly customerId: string;
  readonly lotId: string;
  readonly expiresAt: string;
}

/**
 * Lots due to expire by `asOf` (an ISO instant): each (customer, lot) with points left and
 * `expires_at` at or before `asOf`, in (customer, lot) order, at most `limit`, after the keyset
 * cursor `after` (the last one of the previous page). Read page by page through the partial index
 * `points_lots_expiring` (open lots that expire, by customer and lot), a runner streams any number
 * of them with one page in memory. The read model may lag the ledger: the expiry command decides
 * on the ledger itself (a lot spent, reversed or expired meanwhile is refused there).
 */
export async function dueExpirations(db: Kysely<ReadModelTables>, asOf: string, limit: number, after?: DueExpiration): Promise<DueExpiration[]> {
  let query = db
    .selectFrom('points_lots')
    .select(['customer_id', 'lot_id', 'expires_at'])
    // Literal, and `expires_at` named NOT NULL, so both dialects match the partial index's predicate.
    .where(sql.ref('remaining'), '>', sql.lit(0))
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', asOf);
  if (after !== undefined) query = query.where(sql<boolean>`("customer_id", "lot_id") > (${after.customerId}, ${after.lotId})`);
  const rows = await query.orderBy('customer_id').orderBy('lot_id').limit(limit).execute();
  return rows.map((r) => ({ customerId: r.customer_id, lotId: r.lot_id, expiresAt: String(r.expires_at) }));
}

/** One lot with points left that will expire, as of an instant. */
export interface UpcomingExpiry {
  readonly lotId: string;
  readonly source: string;
  /** The payment a payment or cashback lot belongs to. */
  readonly paymentId: string | null;
  readonly earnedAt: string;
  readonly expiresAt: string;
  /** Points left in the lot (pending ones included). */
  readonly remaining: number;
  /** The points are still pending (they expire all the same). */
  readonly pending: boolean;
  /** `expiresAt` is at or before `asOf`: expired, waiting for the lifecycle runner to record it. */
  readonly due: boolean;
}

export interface CustomerExpirations {
  readonly customerId: string;
  readonly asOf: string;
  /** Soonest first; ties in spending order (earliest earned, then lot id). */
  readonly lots: readonly UpcomingExpiry[];
  /** Points expiring within each window from `asOf` (those due already included): `expiresAt` ≤ `until`. */
  readonly windows: readonly { readonly days: number; readonly until: string; readonly points: number }[];
  /** The soonest expiry, with every point expiring at that instant; null when nothing will expire. */
  readonly nextExpiry: { readonly expiresAt: string; readonly points: number } | null;
}

export const EXPIRY_WINDOWS = [30, 60, 90] as const;

/**
 * A customer's lots with points left that expire, as the ledger recorded them by `asOf` (the
 * `points_movements` rows recorded at or before it, per lot), with the points expiring within
 * 30, 60 and 90 days of `asOf`.
 */
export async function customerExpirations(db: Kysely<ReadModelTables>, customerId: string, asOf: string): Promise<CustomerExpirations> {
  const rows = await db
    .selectFrom('points_movements as m')
    .innerJoin('points_lots as l', (join) => join.onRef('l.customer_id', '=', 'm.customer_id').onRef('l.lot_id', '=', 'm.lot_id'))
    .select((eb) => [
      'l.lot_id',
      'l.source',
      'l.payment_id',
      'l.earned_at',
      'l.expires_at',
      eb.fn.sum<number | string>('m.points').as('remaining'),
      eb.fn.sum<number | string>(sql<number>`CASE WHEN "m"."pending" = 1 THEN "m"."points" ELSE 0 END`).as('pending_points'),
    ])
    .where('m.customer_id', '=', customerId)
    .where('m.recorded_at', '<=', asOf)
    .where('m.expires_at', 'is not', null)
    .groupBy(['l.lot_id', 'l.source', 'l.payment_id', 'l.earned_at', 'l.expires_at'])
    .execute();
  const at = Date.parse(asOf);
  const lots: UpcomingExpiry[] = rows
    .map((r) => ({
      lotId: r.lot_id,
      source: r.source,
      paymentId: r.payment_id,
      earnedAt: r.earned_at,
      expiresAt: String(r.expires_at),
      remaining: Number(r.remaining),
      pending: Number(r.pending_points) > 0,
      due: Date.parse(String(r.expires_at)) <= at,
    }))
    .filter((l) => l.remaining > 0)
    .sort((a, b) => compareText(a.expiresAt, b.expiresAt) || compareText(a.earnedAt, b.earnedAt) || compareText(a.lotId, b.lotId));
  const windows = EXPIRY_WINDOWS.map((days) => {
    const until = new Date(at + days * 86_400_000).toISOString();
    return { days, until, points: lots.filter((l) => l.expiresAt <= until).reduce((n, l) => n + l.remaining, 0) };
  });
  const first = lots[0];
  const nextExpiry =
    first === undefined
      ? null
      : { expiresAt: first.expiresAt, points: lots.filter((l) => l.expiresAt === first.expiresAt).reduce((n, l) => n + l.remaining, 0) };
  return { customerId, asOf, lots, windows, nextExpiry };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Outstanding points of one expiry month, apart by part. */
export interface LiabilityBucket {
  /** YYYY-MM of the lots' last valid day (program timezone), or null: lots that never expire. */
  readonly month: string | null;
  readonly available: number;
  readonly pending: number;
}

/** Points moved on one day (program timezone, business time), per kind, as positive numbers. */
export interface LiabilityDay {
  readonly day: string;
  /** Earned (payments, cashback, rewards, pending ones included) and credited (manual adjustments). */
  readonly earned: number;
  readonly credited: number;
  /** Redeemed, and taken by manual debits. */
  readonly spent: number;
  readonly debited: number;
  /** Taken back by refunds and cashback reversals, from pending or available lots. */
  readonly reversed: number;
  readonly voided: number;
  /** Lost to expiry (breakage). */
  readonly expired: number;
  /** Paid what customers owed when the points became available. */
  readonly repaid: number;
  /** Moved from pending to available. */
  readonly activated: number;
}

export interface LiabilityReport {
  readonly asOf: string;
  /** Points in the customers' lots, as the ledger recorded them by `asOf`. */
  readonly outstanding: { readonly available: number; readonly pending: number; readonly total: number };
  /** By the month of the lots' last valid day, soonest first; never-expiring last. */
  readonly byExpiryMonth: readonly LiabilityBucket[];
  readonly from: string;
  readonly to: string;
  /** Each day from `from` to `to` with a movement recorded by `asOf`. */
  readonly days: readonly LiabilityDay[];
  /** The days' sums. */
  readonly totals: Omit<LiabilityDay, 'day'>;
}

const DAY_KINDS = ['earned', 'credited', 'spent', 'debited', 'reversed', 'voided', 'expired', 'repaid'] as const;

/**
 * The points liability as of an instant, on the recorded basis (what the ledger said then): the
 * points outstanding by expiry month and part, and the points moved per day from `from` to `to`
 * (days in the program timezone), all sums of `points_movements` rows recorded at or before `asOf`.
 */
export async function liabilityReport(db: Kysely<ReadModelTables>, options: { asOf: string; from: string; to: string }): Promise<LiabilityReport> {
  const month = sql<string | null>`substr("last_valid_day", 1, 7)`;
  const [buckets, moved] = await Promise.all([
    db
      .selectFrom('points_movements')
      .select((eb) => [month.as('month'), 'pending', eb.fn.sum<number | string>('points').as('points')])
      .where('recorded_at', '<=', options.asOf)
      .groupBy([month, 'pending'])
      .execute(),
    db
      .selectFrom('points_movements')
      .select((eb) => ['day', 'kind', 'pending', eb.fn.sum<number | string>('points').as('points')])
      .where('recorded_at', '<=', options.asOf)
      .where('day', '>=', options.from)
      .where('day', '<=', options.to)
      .groupBy(['day', 'kind', 'pending'])
      .execute(),
  ]);
  const byMonth = new Map<string | null, { month: string | null; available: number; pending: number }>();
  for (const b of buckets) {
    const row = byMonth.get(b.month) ?? { month: b.month, available: 0, pending: 0 };
    if (Number(b.pending) === 1) row.pending += Number(b.points);
    else row.available += Number(b.points);
    byMonth.set(b.month, row);
  }
  const byExpiryMonth = [...byMonth.values()]
    .filter((b) => b.available !== 0 || b.pending !== 0)
    .sort((a, b) => (a.month === null ? 1 : b.month === null ? -1 : compareText(a.month, b.month)));
  const available = byExpiryMonth.reduce((n, b) => n + b.available, 0);
  const pending = byExpiryMonth.reduce((n, b) => n + b.pending, 0);

  const empty = (): { -readonly [K in Exclude<keyof LiabilityDay, 'day'>]: number } => ({
    earned: 0,
    credited: 0,
    spent: 0,
    debited: 0,
    reversed: 0,
    voided: 0,
    expired: 0,
    repaid: 0,
    activated: 0,
  });
  const days = new Map<string, { -readonly [K in keyof LiabilityDay]: LiabilityDay[K] }>();
  for (const m of moved) {
    const row = days.get(m.day) ?? { day: m.day, ...empty() };
    const points = Number(m.points);
    if (m.kind === 'activated') {
      if (Number(m.pending) === 0) row.activated += points;
    } else if ((DAY_KINDS as readonly string[]).includes(m.kind)) {
      row[m.kind as (typeof DAY_KINDS)[number]] += Math.abs(points);
    }
    days.set(m.day, row);
  }
  const list = [...days.values()].sort((a, b) => compareText(a.day, b.day));
  const totals = empty();
  for (const d of list) for (const k of [...DAY_KINDS, 'activated'] as const) totals[k] += d[k];
  return {
    asOf: options.asOf,
    outstanding: { available, pending, total: available + pending },
    byExpiryMonth,
    from: options.from,
    to: options.to,
    days: list,
    totals,
  };
}

/** The program's timezone now (its latest version), UTC before any: the days a report defaults to. */
export async function programTimezone(db: Kysely<ReadModelTables>): Promise<string> {
  const row = await db.selectFrom('program_settings').select('timezone').orderBy('position', 'desc').limit(1).executeTakeFirst();
  return row?.timezone ?? 'UTC';
}

/** Customers holding one tier as of the report's instant. */
export interface TierCount {
  readonly tierId: string;
  readonly customers: number;
}

/** Tier changes of one day (program timezone, business time of the evaluation). */
export interface TierDay {
  readonly day: string;
  readonly upgrades: number;
  readonly downgrades: number;
}

export interface TierReport {
  readonly asOf: string;
  /** Customers per tier held, from each customer's latest change recorded by `asOf`; tiers nobody holds left out. */
  readonly tiers: readonly TierCount[];
  /** Customers whose latest change by `asOf` took them below the lowest tier. */
  readonly withoutTier: number;
  readonly from: string;
  readonly to: string;
  /** Each day from `from` to `to` with a change recorded by `asOf`. */
  readonly days: readonly TierDay[];
  readonly totals: { readonly upgrades: number; readonly downgrades: number };
}

/**
 * Tiers as of an instant, on the recorded basis (what the ledger said then, like the liability
 * report): the customers per tier, from each customer's latest `tier_changes` row recorded at or
 * before `asOf`, and the upgrades and downgrades per day from `from` to `to`.
 */
export async function tierReport(db: Kysely<ReadModelTables>, options: { asOf: string; from: string; to: string }): Promise<TierReport> {
  const [held, moved] = await Promise.all([
    db
      .selectFrom('tier_changes as c')
      .select((eb) => ['c.to_tier_id', eb.fn.countAll<number | string>().as('customers')])
      .where('c.recorded_at', '<=', options.asOf)
      // The customer's latest change by then: none recorded by then comes after it.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('tier_changes as later')
              .select('later.position')
              .whereRef('later.customer_id', '=', 'c.customer_id')
              .whereRef('later.position', '>', 'c.position')
              .where('later.recorded_at', '<=', options.asOf),
          ),
        ),
      )
      .groupBy('c.to_tier_id')
      .execute(),
    db
      .selectFrom('tier_changes')
      .select((eb) => ['day', 'direction', eb.fn.countAll<number | string>().as('changes')])
      .where('recorded_at', '<=', options.asOf)
      .where('day', '>=', options.from)
      .where('day', '<=', options.to)
      .groupBy(['day', 'direction'])
      .execute(),
  ]);
  const tiers = held
    .filter((h) => h.to_tier_id !== null)
    .map((h) => ({ tierId: h.to_tier_id!, customers: Number(h.customers) }))
    .sort((a, b) => compareText(a.tierId, b.tierId));
  const withoutTier = held.filter((h) => h.to_tier_id === null).reduce((n, h) => n + Number(h.customers), 0);
  const days = new Map<string, { day: string; upgrades: number; downgrades: number }>();
  for (const m of moved) {
    const row = days.get(m.day) ?? { day: m.day, upgrades: 0, downgrades: 0 };
    if (m.direction === 'up') row.upgrades += Number(m.changes);
    else row.downgrades += Number(m.changes);
    days.set(m.day, row);
  }
  const list = [...days.values()].sort((a, b) => compareText(a.day, b.day));
  return {
    asOf: options.asOf,
    tiers,
    withoutTier,
    from: options.from,
    to: options.to,
    days: list,
    totals: { upgrades: list.reduce((n, d) => n + d.upgrades, 0), downgrades: list.reduce((n, d) => n + d.downgrades, 0) },
  };
}
