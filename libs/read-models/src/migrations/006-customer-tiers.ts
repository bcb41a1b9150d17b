/*
 * FROZEN once released: databases in use will have run it. Never edit a released migration, not
 * even to follow a change of the live tables (live-tables.ts): change existing databases with a
 * new migration. The statements are literal SQL, the same text on SQLite and PostgreSQL, and the
 * rows are worked out here by this file's own code (its own calendar and timezone history), so
 * that nothing edited elsewhere (the projections) can change what this does.
 */
import { sql } from 'kysely';
import type { UntypedDb } from '../tables';
import type { Migration } from './migration';

/**
 * Tiers (points lifecycle 2). Version 5 projected `TierChanged` into the timeline only: an
 * entry of type `TierChanged` whose `kind` is the reason, `reference` the tier reached (null:
 * none) and `occurred_at` the evaluation's time. That determines every column of the new tables
 * but one: `from_tier_id` is the tier the customer's previous change reached (null before the
 * first; the domain's `from` is exactly that), `direction` follows from the reason, `day` from
 * the program timezone in force at the entry's position. The qualifying points a change
 * recorded were not kept, so `qualifying_points` is null on the rows filled here; a rebuild
 * (`ledger projections rebuild`) fills it from the log.
 */
const TABLES = [
  `CREATE TABLE "customer_tiers" (
    "customer_id" text PRIMARY KEY,
    "tier_id" text,
    "qualifying_points" bigint,
    "since" text NOT NULL,
    "position" text NOT NULL
  )`,
  `CREATE TABLE "tier_changes" (
    "position" text PRIMARY KEY,
    "customer_id" text NOT NULL,
    "from_tier_id" text,
    "to_tier_id" text,
    "direction" text NOT NULL,
    "reason" text NOT NULL,
    "qualifying_points" bigint,
    "occurred_at" text NOT NULL,
    "recorded_at" text NOT NULL,
    "day" text NOT NULL
  )`,
];

/** After the rows are in: one sorted build instead of upkeep through every insert. */
const INDEXES = [
  `CREATE INDEX "tier_changes_customer_v6" ON "tier_changes" ("customer_id", "position")`,
  `CREATE INDEX "tier_changes_day_v6" ON "tier_changes" ("day")`,
];

export const customerTiers: Migration = {
  version: 6,
  name: 'tiers: customer tiers, tier changes',
  up: async (db) => {
    for (const statement of TABLES) await sql.raw(statement).execute(db);
    await fillTiers(db);
    for (const statement of INDEXES) await sql.raw(statement).execute(db);
  },
};

interface ChangeRow {
  position: string;
  customer_id: string;
  from_tier_id: string | null;
  to_tier_id: string | null;
  direction: string;
  reason: string;
  qualifying_points: null;
  occurred_at: string;
  recorded_at: string;
  day: string;
}

interface TierRow {
  customer_id: string;
  tier_id: string | null;
  qualifying_points: null;
  since: string;
  position: string;
}

const PAGE = 5000;
const INSERT_ROWS = 500;

/** The tier changes of the version-5 timeline, per customer in log order, and each customer's latest. */
async function fillTiers(db: UntypedDb): Promise<void> {
  const programs = (
    (await db.selectFrom('program_settings').select(['timezone', 'position']).orderBy('position').execute()) as { timezone: string; position: string }[]
  ).map((p) => ({ timezone: p.timezone, position: BigInt(p.position) }));
  const timezoneAt = (position: string): string => {
    const at = BigInt(position);
    let timezone = 'UTC';
    for (const p of programs) if (p.position < at) timezone = p.timezone;
    return timezone;
  };
  const changes: ChangeRow[] = [];
  const tiers: TierRow[] = [];
  let latest: TierRow | undefined;
  let after: { customer: string; position: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('customer_timeline')
      .select(['customer_id', 'position', 'kind', 'occurred_at', 'recorded_at', 'reference'])
      .where('entry_type', '=', 'TierChanged');
    if (after !== undefined) query = query.where(sql<boolean>`("customer_id", "position") > (${after.customer}, ${after.position})`);
    const rows = (await query.orderBy('customer_id').orderBy('position').limit(PAGE).execute()) as {
      customer_id: string;
      position: string;
      kind: string | null;
      occurred_at: string;
      recorded_at: string;
      reference: string | null;
    }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const from = latest !== undefined && latest.customer_id === r.customer_id ? latest.tier_id : null;
      if (latest !== undefined && latest.customer_id !== r.customer_id) tiers.push(latest);
      const reason = r.kind ?? 'qualified';
      changes.push({
        position: r.position,
        customer_id: r.customer_id,
        from_tier_id: from,
        to_tier_id: r.reference,
        direction: reason === 'qualified' ? 'up' : 'down',
        reason,
        qualifying_points: null,
        occurred_at: r.occurred_at,
        recorded_at: r.recorded_at,
        day: calendarDay(timezoneAt(r.position), r.occurred_at),
      });
      latest = { customer_id: r.customer_id, tier_id: r.reference, qualifying_points: null, since: r.occurred_at, position: r.position };
      if (changes.length >= INSERT_ROWS) await insertRows(db, 'tier_changes', changes.splice(0));
      if (tiers.length >= INSERT_ROWS) await insertRows(db, 'customer_tiers', tiers.splice(0));
    }
    const last = rows[rows.length - 1]!;
    after = { customer: last.customer_id, position: last.position };
  }
  if (latest !== undefined) tiers.push(latest);
  await insertRows(db, 'tier_changes', changes);
  await insertRows(db, 'customer_tiers', tiers);
}

/** YYYY-MM-DD of an instant on the wall calendar of `timeZone`. */
function calendarDay(timeZone: string, instant: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

async function insertRows(db: UntypedDb, table: string, rows: readonly (ChangeRow | TierRow)[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  }
}
