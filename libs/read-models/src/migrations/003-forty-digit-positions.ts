/*
 * FROZEN: released, and databases in use have run it. Never edit this file, not even to follow
 * a change of the live tables (live-tables.ts): change existing databases with a new migration.
 */
import { sql } from 'kysely';
import type { Migration } from './migration';

/**
 * Every position column that existed at version 2, listed here rather than derived from
 * PROJECTED_TABLES: a table added later does not exist yet when this runs on a fresh database.
 */
const POSITION_COLUMNS: readonly (readonly [table: string, column: string])[] = [
  ['projection_checkpoints', 'position'],
  ['reaction_refusals', 'trigger_position'],
  ['program_settings', 'position'],
  ['customer_balances', 'position'],
  ['customer_timeline', 'position'],
  ['visits', 'position'],
  ['customer_visit_stats', 'position'],
  ['location_daily_visits', 'position'],
  ['location_daily_payments', 'position'],
  ['customer_achievements', 'position'],
];

export const fortyDigitPositions: Migration = {
  version: 3,
  name: 'positions widened from 20 to 40 digits (EventStoreDB positions are two 64-bit numbers)',
  up: async (db) => {
    // Every position written before has exactly 20 digits: 20 more zeros in front make 40.
    for (const [table, column] of POSITION_COLUMNS) {
      await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${'0'.repeat(20)} || ${sql.ref(column)} WHERE length(${sql.ref(column)}) = 20`.execute(db);
    }
  },
};
