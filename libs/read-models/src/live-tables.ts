import { sql } from 'kysely';
import type { ProjectedTable, UntypedDb } from './tables';

/*
 * The live definition of the projected tables: what a rebuild creates today. Migrations never
 * call it (each states its own, frozen DDL), so editing this changes no migration. A change here
 * ships with a new migration making the same change to existing databases; the schema test in
 * test/read-models/migrations.int.spec.ts fails until both agree.
 */

/**
 * Creates the projected tables with a name suffix (a rebuild's generation). Index names carry
 * `generation` so a rebuilt table's indexes never collide with the ones of the table it replaces.
 */
export async function createProjectedTables(
  db: UntypedDb,
  suffix: string,
  generation: string,
  options: { indexes: boolean } = { indexes: true },
): Promise<void> {
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
    // Added by migration 4 to tables that had rows: last, NOT NULL with DEFAULT 0 (SQLite's ADD COLUMN needs one).
    .addColumn('owed', big, (c) => c.notNull().defaultTo(0))
    .addColumn('lifetime_reversed', big, (c) => c.notNull().defaultTo(0))
    .addColumn('lifetime_written_off', big, (c) => c.notNull().defaultTo(0))
    // Added by migration 5.
    .addColumn('lifetime_expired', big, (c) => c.notNull().defaultTo(0))
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
    .addColumn('pending_delta', big, (c) => c.notNull().defaultTo(0))
    .addColumn('pending_after', big, (c) => c.notNull().defaultTo(0))
    .addColumn('owed_after', big, (c) => c.notNull().defaultTo(0))
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
    .addColumn('refunds', big, (c) => c.notNull().defaultTo(0))
    .addColumn('refunded_minor', big, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint(`location_daily_payments_pk_${generation}`, ['location_id', 'day', 'currency'])
    .execute();

  await db.schema
    .createTable(t('location_daily_customers'))
    .addColumn('location_id', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('customer_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint(`location_daily_customers_pk_${generation}`, ['location_id', 'day', 'customer_id'])
    .execute();

  await db.schema
    .createTable(t('customer_achievements'))
    .addColumn('customer_id', text, (c) => c.primaryKey())
    .addColumn('visits', big, (c) => c.notNull())
    .addColumn('level', big, (c) => c.notNull())
    .addColumn('reward_points', big, (c) => c.notNull())
    .addColumn('last_visit_at', text)
    .addColumn('last_reward_at', text)
    .addColumn('position', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('points_lots'))
    .addColumn('customer_id', text, (c) => c.notNull())
    .addColumn('lot_id', text, (c) => c.notNull())
    .addColumn('source', text, (c) => c.notNull())
    .addColumn('payment_id', text)
    .addColumn('earned_at', text, (c) => c.notNull())
    .addColumn('activates_at', text)
    .addColumn('points', big, (c) => c.notNull())
    .addColumn('remaining', big, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    // Added by migration 5.
    .addColumn('expires_at', text)
    .addColumn('last_valid_day', text)
    .addColumn('expired', big, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint(`points_lots_pk_${generation}`, ['customer_id', 'lot_id'])
    .execute();

  await db.schema
    .createTable(t('points_movements'))
    .addColumn('position', text, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('customer_id', text, (c) => c.notNull())
    // Nullable: rows migration 5 could not attribute to a lot; the projector always writes them.
    .addColumn('lot_id', text)
    .addColumn('source', text)
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addColumn('points', big, (c) => c.notNull())
    .addColumn('occurred_at', text, (c) => c.notNull())
    .addColumn('recorded_at', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .addColumn('expires_at', text)
    .addColumn('last_valid_day', text)
    .addPrimaryKeyConstraint(`points_movements_pk_${generation}`, ['position', 'seq'])
    .execute();

  // Migration 6.
  await db.schema
    .createTable(t('customer_tiers'))
    .addColumn('customer_id', text, (c) => c.primaryKey())
    .addColumn('tier_id', text)
    .addColumn('qualifying_points', big)
    .addColumn('since', text, (c) => c.notNull())
    .addColumn('position', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable(t('tier_changes'))
    // Keyed by position: one row per TierChanged, increasing, so inserts append.
    .addColumn('position', text, (c) => c.primaryKey())
    .addColumn('customer_id', text, (c) => c.notNull())
    .addColumn('from_tier_id', text)
    .addColumn('to_tier_id', text)
    .addColumn('direction', text, (c) => c.notNull())
    .addColumn('reason', text, (c) => c.notNull())
    .addColumn('qualifying_points', big)
    .addColumn('occurred_at', text, (c) => c.notNull())
    .addColumn('recorded_at', text, (c) => c.notNull())
    .addColumn('day', text, (c) => c.notNull())
    .execute();

  if (options.indexes) await createSecondaryIndexes(db, suffix, generation);
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
  // Due activations: pending lots with points left, by when they become available.
  await db.schema
    .createIndex(`points_lots_due_${generation}`)
    .on(t('points_lots'))
    .column('activates_at')
    .where(sql.ref('remaining'), '>', sql.lit(0))
    .execute();
  // Due expiries, streamed by (customer, lot): open lots that expire.
  await db.schema
    .createIndex(`points_lots_expiring_${generation}`)
    .on(t('points_lots'))
    .columns(['customer_id', 'lot_id', 'expires_at'])
    .where(sql.ref('remaining'), '>', sql.lit(0))
    .where(sql.ref('expires_at'), 'is not', sql.lit(null))
    .execute();
  // A customer's lots as of an instant; the days a report covers.
  await db.schema.createIndex(`points_movements_customer_${generation}`).on(t('points_movements')).columns(['customer_id', 'lot_id']).execute();
  await db.schema.createIndex(`points_movements_day_${generation}`).on(t('points_movements')).columns(['day']).execute();
  // A customer's changes as of an instant (the tier report); the days a report covers.
  await db.schema.createIndex(`tier_changes_customer_${generation}`).on(t('tier_changes')).columns(['customer_id', 'position']).execute();
  await db.schema.createIndex(`tier_changes_day_${generation}`).on(t('tier_changes')).columns(['day']).execute();
}
