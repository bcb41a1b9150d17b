import type { Kysely } from 'kysely';

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
 * - booleans are INTEGER 0/1; times are ISO 8601 UTC text; days are YYYY-MM-DD text;
 * - columns added to a table that had rows come last, NOT NULL with DEFAULT 0 (what SQLite's
 *   ADD COLUMN needs; the projector always writes them).
 * The DDL is in two places on purpose: `migrations/` (frozen, what existing databases went
 * through) and `live-tables.ts` (what a rebuild creates today); migrations.int.spec.ts holds
 * them equal.
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
    owed: number;
    lifetime_reversed: number;
    lifetime_written_off: number;
    lifetime_expired: number;
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
    pending_delta: number;
    pending_after: number;
    owed_after: number;
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
    refunds: number;
    refunded_minor: number;
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
  points_lots: {
    customer_id: string;
    lot_id: string;
    source: string;
    payment_id: string | null;
    earned_at: string;
    activates_at: string | null;
    points: number;
    remaining: number;
    position: string;
    expires_at: string | null;
    last_valid_day: string | null;
    expired: number;
  };
  points_movements: {
    position: string;
    seq: number;
    customer_id: string;
    /** Null only on rows migration 5 could not attribute to a lot (see docs/read-models.md). */
    lot_id: string | null;
    source: string | null;
    kind: string;
    pending: number;
    points: number;
    occurred_at: string;
    recorded_at: string;
    day: string;
    expires_at: string | null;
    last_valid_day: string | null;
  };
  customer_tiers: {
    customer_id: string;
    /** Null: the customer stepped down below the lowest tier. */
    tier_id: string | null;
    /** Null only on rows migration 6 filled from version-5 tables (see docs/read-models.md). */
    qualifying_points: number | null;
    since: string;
    position: string;
  };
  tier_changes: {
    position: string;
    customer_id: string;
    from_tier_id: string | null;
    to_tier_id: string | null;
    /** 'up' | 'down'. */
    direction: string;
    /** 'qualified' | 'window' | 'reversal'. */
    reason: string;
    /** Null only on rows migration 6 filled from version-5 tables. */
    qualifying_points: number | null;
    occurred_at: string;
    recorded_at: string;
    day: string;
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
  'points_lots',
  'points_movements',
  'customer_tiers',
  'tier_changes',
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
