import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ownerOnlyDatabaseFile } from '#event-store/embedded/owner-only';
import type { ReadModelTables } from './tables';
import { SqliteBulk } from './sqlite-bulk';

export type ReadModelDialect = 'sqlite' | 'postgres';

export interface ReadModelDatabase {
  readonly db: Kysely<ReadModelTables>;
  readonly dialect: ReadModelDialect;
  /** Largest number of bound parameters one statement may carry in this dialect. */
  readonly maxParameters: number;
  /** SQLite only: cached-statement row writes for the projector (see sqlite-bulk.ts). */
  readonly bulk?: SqliteBulk;
  close(): Promise<void>;
}

/**
 * The SQLite read-model file. WAL with synchronous=NORMAL: a power cut may lose the last
 * transactions, and with them the checkpoint that went with them, so the projector simply
 * projects those events again; the event store (synchronous=FULL) is the record.
 */
export function openSqliteReadModels(filename: string): ReadModelDatabase {
  // It holds customers' e-mail and phone: owner-only, like the event store (its WAL and SHM follow the file's mode).
  ownerOnlyDatabaseFile(filename);
  const database = new Database(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // Checkpoints run in the committing connection, the API's event loop when the projector is
  // inline: at the default 1,000 pages the command load checkpointed ~5 times a second (two fsyncs
  // each). Ten times as far apart, each copies the hot pages (balances, indexes) once, not ten times.
  database.pragma('wal_autocheckpoint = 10000');
  // Rebuilds touch rows all over the tables: a larger page cache saves re-reading them.
  database.pragma('cache_size = -131072');
  const db = new Kysely<ReadModelTables>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', maxParameters: 32_000, bulk: new SqliteBulk(database), close: () => db.destroy() };
}

/** PostgreSQL read models (production). BIGINT columns come back as JS numbers: all are far below 2^53. */
export function openPostgresReadModels(connectionString: string, poolSize = 10): ReadModelDatabase {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection that dies (PostgreSQL restarted, fail-over, network cut) emits 'error': on the
  // pool while idle, on the client itself while checked out between two queries. Without a
  // listener Node treats either as uncaught and ends the process. The query in flight, if any,
  // fails on its own; the pool drops the dead connection and the next query opens a new one.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<ReadModelTables>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', maxParameters: 60_000, close: () => db.destroy() };
}
