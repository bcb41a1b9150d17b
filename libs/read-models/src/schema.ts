import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Kysely without the typed schema: the tables a migration creates, and a rebuild's tables with
 * their suffix, are not in `ReadModelTables`'s keys (Kysely's documented way for dynamic schemas).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedDb = Kysely<any>;

/**
 * The read-model tables: a public interface for reporting jobs (documented column by column in
 * docs/read-models.md). One schema for SQLite and PostgreSQL:
 * - global positions are TEXT, zero-padded to 40 digits, so they sort and compare as text in
 *   both dialects and never pass through a JS number (40 digits hold EventStoreDB's two
 *   64-bit numbers, commit · 2^64 + prepare; the embedded store's positions are far smaller);
 * - counts, points and amounts are BIGINT (minor units, integer points);
 * - booleans are INTEGER 0/1; times are ISO 8601 UTC text; days are YYYY-MM-DD text.
 */
export interface ReadModelTables {
  projection_checkpoints: { projection: string; position: string; updated_at: string };
  read_model_migrations: { version: number; name: string; applied_at: string };
  program_settings: { program_id: string; version: number; currency: string; timezone: string; position: string };
  customer_balances: {
    customer_id: string;
    available: number;
    pending: number;
    lifetime_earned: number;
    lifetime_redeemed: number;
    adjusted_in: number;
    adjusted_out: number;
    visit_count: number;
    purchase_count: number;
    last_activity_at: string | null;
    enrolled_at: string;
    position: string;
  };
  customer_timeline: {
    event_id: string;
    customer_id: string;
    position: string;
    entry_type: string;
    kind: string | null;
    occurred_at: string;
    recorded_at: string;
    location_id: string | null;
    amount_minor: number | null;
    currency: string | null;
    points_delta: number;
    balance_after: number;
    reason: string | null;
    reference: string | null;
    actor: string | null;
    subject_id: string;
  };
  visits: {
    visit_id: string;
    customer_id: string;
    location_id: string;
    occurred_at: string;
    day: string;
    kind: string;
    source: string;
    with_purchase: number;
    position: string;
  };
  customer_visit_stats: {
    customer_id: string;
    visits: number;
    visits_with_purchase: number;
    visits_without_purchase: number;
    first_visit_at: string;
    last_visit_at: string;
    position: string;
  };
  location_daily_visits: {
    location_id: string;
    day: string;
    visits: number;
    visits_with_purchase: number;
    distinct_customers: number;
    position: string;
  };
  location_daily_payments: {
    location_id: string;
    day: string;
    currency: string;
    payments: number;
    revenue_minor: number;
    points_earned: number;
    position: string;
  };
  location_daily_customers: { location_id: string; day: string; customer_id: string };
  customer_achievements: {
    customer_id: string;
    visits: number;
    level: number;
    reward_points: number;
    last_visit_at: string | null;
    last_reward_at: string | null;
    position: string;
  };
  /** Not a projection: what the reaction runner could not issue (written with its checkpoint). */
  reaction_refusals: {
    command_id: string;
    trigger_event_id: string;
    trigger_position: string;
    customer_id: string;
    rule_id: string;
    kind: string;
    error: string;
    detail: string;
    recorded_at: string;
  };
}

/** The tables a rebuild recreates and swaps in (everything but migrations and checkpoints). */
export const PROJECTED_TABLES = [
  'program_settings',
  'customer_balances',
  'customer_timeline',
  'visits',
  'customer_visit_stats',
  'location_daily_visits',
  'location_daily_payments',
  'location_daily_customers',
  'customer_achievements',
] as const;
export type ProjectedTable = (typeof PROJECTED_TABLES)[number];

/** Digits of a stored position: enough for 2^128 - 1 (EventStoreDB: commit · 2^64 + prepare). */
export const POSITION_DIGITS = 40;
const MAX_POSITION = 10n ** BigInt(POSITION_DIGITS) - 1n;

/** Positions as fixed-width text: "0000000000000000000000000000000000000042". */
export const positionText = (position: bigint): string => {
  if (position < 0n || position > MAX_POSITION) throw new RangeError(`a position must be 0 to 10^${POSITION_DIGITS} - 1`);
  return position.toString().padStart(POSITION_DIGITS, '0');
};
export const positionFromText = (text: string): bigint => BigInt(text);

/**
 * Creates the projected tables with a name suffix (empty for the live tables, a generation
 * suffix for a rebuild). Index names carry `generation` so a rebuilt table's indexes never
 * collide with the ones of the table it replaces.
 */
export async function createProjectedTables(
  db: UntypedDb,
  suffix: string,
  generation: string,
  options: { indexes: boolean } = { indexes: true },
): Promise<void> {
  await createLedgerTables(db, suffix, generation);
  await createAchievementsTable(db, suffix);
  if (options.indexes) await createSecondaryIndexes(db, suffix, generation);
}

/** The tables of migration 1 (everything but the achievements, which migration 2 added). */
async function createLedgerTables(db: UntypedDb, suffix: string, generation: string): Promise<void> {
  const t = (name: ProjectedTable) => `${name}${suffix}`;
  const text = 'text';
  const big = 'bigint';

  await db.schema
    .createTable(t('program_settings'))
    .addColumn('program_id', text, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('currency', text, (c) => c.notNull())
    .addColumn('timezone', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(`program_settings_pk_${generation}`, ['program_id', 'version'])
    .execute();

  await db.schema
    .createTable(t('customer_balances'))
    .addColumn('customer_id', text, (c) => c.primaryKey())
    .addColumn('available', big, (c) => c.notNull())
    .addColumn('pending', big, (c) => c.notNull())
    .addColumn('lifetime_earned', big, (c) => c.notNull())
    .addColumn('lifetime_redeemed', big, (c) => c.notNull())
    .addColumn('adjusted_in', big, (c) => c.notNull())
    .addColumn('adjusted_out', big, (c) => c.notNull())
    .addColumn('visit_count', big, (c) => c.notNull())
    .addColumn('purchase_count', big, (c) => c.notNull())
    .addColumn('last_activity_at', text)
    .addColumn('enrolled_at', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('customer_timeline'))
    // Keyed by position: unique per event like the event id, but increasing, so inserts append.
    .addColumn('position', text, (c) => c.primaryKey())
    .addColumn('event_id', text, (c) => c.notNull())
    .addColumn('customer_id', text, (c) => c.notNull())
    .addColumn('entry_type', text, (c) => c.notNull())
    .addColumn('kind', text)
    .addColumn('occurred_at', text, (c) => c.notNull())
    .addColumn('recorded_at', text, (c) => c.notNull())
    .addColumn('location_id', text)
    .addColumn('amount_minor', big)
    .addColumn('currency', text)
    .addColumn('points_delta', big, (c) => c.notNull())
    .addColumn('balance_after', big, (c) => c.notNull())
    .addColumn('reason', text)
    .addColumn('reference', text)
    .addColumn('actor', text)
    .addColumn('subject_id', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('visits'))
    .addColumn('visit_id', text, (c) => c.primaryKey())
    .addColumn('customer_id', text, (c) => c.notNull())
    .addColumn('location_id', text, (c) => c.notNull())
    .addColumn('occurred_at', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('source', text, (c) => c.notNull())
    .addColumn('with_purchase', 'integer', (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('customer_visit_stats'))
    .addColumn('customer_id', text, (c) => c.primaryKey())
    .addColumn('visits', big, (c) => c.notNull())
    .addColumn('visits_with_purchase', big, (c) => c.notNull())
    .addColumn('visits_without_purchase', big, (c) => c.notNull())
    .addColumn('first_visit_at', text, (c) => c.notNull())
    .addColumn('last_visit_at', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('location_daily_visits'))
    .addColumn('location_id', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('visits', big, (c) => c.notNull())
    .addColumn('visits_with_purchase', big, (c) => c.notNull())
    .addColumn('distinct_customers', big, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(`location_daily_visits_pk_${generation}`, ['location_id', 'day'])
    .execute();

  await db.schema
    .createTable(t('location_daily_payments'))
    .addColumn('location_id', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('currency', text, (c) => c.notNull())
    .addColumn('payments', big, (c) => c.notNull())
    .addColumn('revenue_minor', big, (c) => c.notNull())
    .addColumn('points_earned', big, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(`location_daily_payments_pk_${generation}`, ['location_id', 'day', 'currency'])
    .execute();

  await db.schema
    .createTable(t('location_daily_customers'))
    .addColumn('location_id', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('customer_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(`location_daily_customers_pk_${generation}`, ['location_id', 'day', 'customer_id'])
    .execute();
}

async function createAchievementsTable(db: UntypedDb, suffix: string): Promise<void> {
  await db.schema
    .createTable(`customer_achievements${suffix}`)
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('visits', 'bigint', (c) => c.notNull())
    .addColumn('level', 'bigint', (c) => c.notNull())
    .addColumn('reward_points', 'bigint', (c) => c.notNull())
    .addColumn('last_visit_at', 'text')
    .addColumn('last_reward_at', 'text')
    .addColumn('position', 'text', (c) => c.notNull())
    .execute();
}

/**
 * The indexes queries need beyond the primary keys. A rebuild creates them after loading every
 * row: one sorted build is far cheaper than keeping them up to date through a million inserts.
 */
export async function createSecondaryIndexes(db: UntypedDb, suffix: string, generation: string): Promise<void> {
  const t = (name: ProjectedTable) => `${name}${suffix}`;
  await db.schema.createIndex(`customer_timeline_customer_position_${generation}`).on(t('customer_timeline')).columns(['customer_id', 'position']).execute();
  await db.schema.createIndex(`visits_location_day_${generation}`).on(t('visits')).columns(['location_id', 'day']).execute();
  await db.schema.createIndex(`visits_customer_${generation}`).on(t('visits')).columns(['customer_id', 'occurred_at']).execute();
  await db.schema.createIndex(`location_daily_visits_day_${generation}`).on(t('location_daily_visits')).columns(['day']).execute();
  await db.schema.createIndex(`location_daily_payments_day_${generation}`).on(t('location_daily_payments')).columns(['day']).execute();
}

/** Versioned migrations, applied in order at start-up, each once, recorded in `read_model_migrations`. */
export const MIGRATIONS: readonly { version: number; name: string; up: (db: UntypedDb) => Promise<void> }[] = [
  {
    version: 1,
    name: 'ledger read models: balances, timeline, visits and visit-count aggregates',
    up: async (db) => {
      await createLedgerTables(db, '', 'v1');
      await createSecondaryIndexes(db, '', 'v1');
    },
  },
  {
    version: 2,
    name: 'customer achievements (visit count and level); reaction refusals',
    up: async (db) => {
      await createAchievementsTable(db, '');
      // Fill it for the events projected already, so the projector's checkpoint stays true for
      // every table. Exact: before this release no event could be a visit reward (the kind did
      // not exist), so every level is 0, and the visit counts and last visits are in the tables.
      await sql`
        INSERT INTO customer_achievements (customer_id, visits, level, reward_points, last_visit_at, last_reward_at, position)
        SELECT b.customer_id, b.visit_count, 0, 0, s.last_visit_at, NULL, b.position
          FROM customer_balances b LEFT JOIN customer_visit_stats s ON s.customer_id = b.customer_id`.execute(db);
      await db.schema
        .createTable('reaction_refusals')
        .addColumn('command_id', 'text', (c) => c.primaryKey())
        .addColumn('trigger_event_id', 'text', (c) => c.notNull())
        .addColumn('trigger_position', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 3,
    name: 'positions widened from 20 to 40 digits (EventStoreDB positions are two 64-bit numbers)',
    up: async (db) => {
      // Every position written before has exactly 20 digits: 20 more zeros in front make 40.
      const columns: [string, string][] = [
        ['projection_checkpoints', 'position'],
        ['reaction_refusals', 'trigger_position'],
        ...PROJECTED_TABLES.filter((t) => t !== 'location_daily_customers').map((t): [string, string] => [t, 'position']),
      ];
      for (const [table, column] of columns) {
        await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${'0'.repeat(20)} || ${sql.ref(column)} WHERE length(${sql.ref(column)}) = 20`.execute(
          db,
        );
      }
    },
  },
];

/** Arbitrary, fixed: the PostgreSQL advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 727_001;

/**
 * Applies pending migrations. Safe when several processes start at once (the API and the
 * projector): on PostgreSQL they queue on an advisory lock; on SQLite on the database's write lock.
 */
export async function migrate(db: Kysely<ReadModelTables>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return applyMigrations(db);
  await db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      await applyMigrations(connection);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

async function applyMigrations(db: Kysely<ReadModelTables>): Promise<void> {
  await db.schema
    .createTable('read_model_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('projection_checkpoints')
    .ifNotExists()
    .addColumn('projection', 'text', (c) => c.primaryKey())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const appliedVersions = async () => new Set((await db.selectFrom('read_model_migrations').select('version').execute()).map((r) => Number(r.version)));
  const applied = await appliedVersions();
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    try {
      await db.transaction().execute(async (trx) => {
        await migration.up(trx as UntypedDb);
        await trx
          .insertInto('read_model_migrations')
          .values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() })
          .execute();
      });
    } catch (error) {
      // The API and the projector start together: the other may have applied it first (its
      // transaction committed, ours rolled back). Anything else is a real failure.
      if (!(await appliedVersions()).has(migration.version)) throw error;
    }
  }
}
