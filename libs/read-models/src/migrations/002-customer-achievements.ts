/*
 * FROZEN: released, and databases in use have run it. Never edit this file, not even to follow
 * a change of the live tables (live-tables.ts): change existing databases with a new migration.
 * The statements are those the released schema builder generated, written out as literal SQL so
 * that nothing edited elsewhere can change what this does; the same text runs on SQLite and
 * PostgreSQL.
 */
import { sql } from 'kysely';
import type { Migration } from './migration';

const STATEMENTS = [
  `CREATE TABLE "customer_achievements" (
    "customer_id" text PRIMARY KEY,
    "visits" bigint NOT NULL,
    "level" bigint NOT NULL,
    "reward_points" bigint NOT NULL,
    "last_visit_at" text,
    "last_reward_at" text,
    "position" text NOT NULL
  )`,
  // Fill it for the events projected already, so the projector's checkpoint stays true for
  // every table. Exact: before this release no event could be a visit reward (the kind did
  // not exist), so every level is 0, and the visit counts and last visits are in the tables.
  `INSERT INTO customer_achievements (customer_id, visits, level, reward_points, last_visit_at, last_reward_at, position)
   SELECT b.customer_id, b.visit_count, 0, 0, s.last_visit_at, NULL, b.position
     FROM customer_balances b LEFT JOIN customer_visit_stats s ON s.customer_id = b.customer_id`,
  // Not a projection: the reaction runner's record of refused commands (a rebuild leaves it alone).
  `CREATE TABLE "reaction_refusals" (
    "command_id" text PRIMARY KEY,
    "trigger_event_id" text NOT NULL,
    "trigger_position" text NOT NULL,
    "customer_id" text NOT NULL,
    "rule_id" text NOT NULL,
    "kind" text NOT NULL,
    "error" text NOT NULL,
    "detail" text NOT NULL,
    "recorded_at" text NOT NULL
  )`,
];

export const customerAchievements: Migration = {
  version: 2,
  name: 'customer achievements (visit count and level); reaction refusals',
  up: async (db) => {
    for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
  },
};
