/*
 * FROZEN: released, and databases in use have run it. Never edit this file, not even to follow
 * a change of the live tables (live-tables.ts): change existing databases with a new migration.
 * The statements are those the released schema builder generated, written out as literal SQL so
 * that nothing edited elsewhere can change what this does; the same text runs on SQLite and
 * PostgreSQL.
 */
import { sql } from 'kysely';
import type { Migration } from './migration';

const DDL = [
  `CREATE TABLE "program_settings" (
    "program_id" text NOT NULL,
    "version" integer NOT NULL,
    "currency" text NOT NULL,
    "timezone" text NOT NULL,
    "position" text NOT NULL,
    CONSTRAINT "program_settings_pk_v1" PRIMARY KEY ("program_id", "version")
  )`,
  `CREATE TABLE "customer_balances" (
    "customer_id" text PRIMARY KEY,
    "available" bigint NOT NULL,
    "pending" bigint NOT NULL,
    "lifetime_earned" bigint NOT NULL,
    "lifetime_redeemed" bigint NOT NULL,
    "adjusted_in" bigint NOT NULL,
    "adjusted_out" bigint NOT NULL,
    "visit_count" bigint NOT NULL,
    "purchase_count" bigint NOT NULL,
    "last_activity_at" text,
    "enrolled_at" text NOT NULL,
    "position" text NOT NULL
  )`,
  `CREATE TABLE "customer_timeline" (
    "position" text PRIMARY KEY,
    "event_id" text NOT NULL,
    "customer_id" text NOT NULL,
    "entry_type" text NOT NULL,
    "kind" text,
    "occurred_at" text NOT NULL,
    "recorded_at" text NOT NULL,
    "location_id" text,
    "amount_minor" bigint,
    "currency" text,
    "points_delta" bigint NOT NULL,
    "balance_after" bigint NOT NULL,
    "reason" text,
    "reference" text,
    "actor" text,
    "subject_id" text NOT NULL
  )`,
  `CREATE TABLE "visits" (
    "visit_id" text PRIMARY KEY,
    "customer_id" text NOT NULL,
    "location_id" text NOT NULL,
    "occurred_at" text NOT NULL,
    "day" text NOT NULL,
    "kind" text NOT NULL,
    "source" text NOT NULL,
    "with_purchase" integer NOT NULL,
    "position" text NOT NULL
  )`,
  `CREATE TABLE "customer_visit_stats" (
    "customer_id" text PRIMARY KEY,
    "visits" bigint NOT NULL,
    "visits_with_purchase" bigint NOT NULL,
    "visits_without_purchase" bigint NOT NULL,
    "first_visit_at" text NOT NULL,
    "last_visit_at" text NOT NULL,
    "position" text NOT NULL
  )`,
  `CREATE TABLE "location_daily_visits" (
    "location_id" text NOT NULL,
    "day" text NOT NULL,
    "visits" bigint NOT NULL,
    "visits_with_purchase" bigint NOT NULL,
    "distinct_customers" bigint NOT NULL,
    "position" text NOT NULL,
    CONSTRAINT "location_daily_visits_pk_v1" PRIMARY KEY ("location_id", "day")
  )`,
  `CREATE TABLE "location_daily_payments" (
    "location_id" text NOT NULL,
    "day" text NOT NULL,
    "currency" text NOT NULL,
    "payments" bigint NOT NULL,
    "revenue_minor" bigint NOT NULL,
    "points_earned" bigint NOT NULL,
    "position" text NOT NULL,
    CONSTRAINT "location_daily_payments_pk_v1" PRIMARY KEY ("location_id", "day", "currency")
  )`,
  `CREATE TABLE "location_daily_customers" (
    "location_id" text NOT NULL,
    "day" text NOT NULL,
    "customer_id" text NOT NULL,
    CONSTRAINT "location_daily_customers_pk_v1" PRIMARY KEY ("location_id", "day", "customer_id")
  )`,
  `CREATE INDEX "customer_timeline_customer_position_v1" ON "customer_timeline" ("customer_id", "position")`,
  `CREATE INDEX "visits_location_day_v1" ON "visits" ("location_id", "day")`,
  `CREATE INDEX "visits_customer_v1" ON "visits" ("customer_id", "occurred_at")`,
  `CREATE INDEX "location_daily_visits_day_v1" ON "location_daily_visits" ("day")`,
  `CREATE INDEX "location_daily_payments_day_v1" ON "location_daily_payments" ("day")`,
];

export const ledgerTables: Migration = {
  version: 1,
  name: 'ledger read models: balances, timeline, visits and visit-count aggregates',
  up: async (db) => {
    for (const statement of DDL) await sql.raw(statement).execute(db);
  },
};
