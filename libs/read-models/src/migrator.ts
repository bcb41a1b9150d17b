import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { MIGRATIONS, type Migration } from './migrations/index';
import type { ReadModelTables, UntypedDb } from './tables';

/** Arbitrary, fixed: the PostgreSQL advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 727_001;

/**
 * Applies pending migrations. Safe when several processes start at once (the API and the
 * projector): on PostgreSQL they queue on an advisory lock; on SQLite on the database's write lock.
 * `migrations` is for tests that need a database of an earlier version (a prefix of MIGRATIONS).
 */
export async function migrate(db: Kysely<ReadModelTables>, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return applyMigrations(db, migrations);
  await db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      await applyMigrations(connection, migrations);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

async function applyMigrations(db: Kysely<ReadModelTables>, migrations: readonly Migration[]): Promise<void> {
  // Present in every version since the first, before migration 1: frozen like the migrations
  // (IF NOT EXISTS never alters an existing table, so a change here would reach new databases only).
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
  for (const migration of migrations) {
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
