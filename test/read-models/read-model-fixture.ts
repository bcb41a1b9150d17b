import { join } from 'node:path';
import { SqliteEventStore } from '#event-store/embedded/sqlite-event-store';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { freshPostgresDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';

export interface ReadModelFixture {
  readonly store: SqliteEventStore;
  readonly database: ReadModelDatabase;
  readonly dataDir: string;
  close(): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

/** An empty event store (real SQLite file) and a migrated read-model database of the given dialect. */
export async function openReadModelFixture(dialect: Dialect): Promise<ReadModelFixture> {
  const dir = tempDir('read-models-');
  const store = new SqliteEventStore({ filename: join(dir.path, 'events.sqlite') });
  let dropDatabase = async () => {};
  let database: ReadModelDatabase;
  if (dialect === 'postgres') {
    const pg = await freshPostgresDatabase();
    dropDatabase = pg.drop;
    database = openPostgresReadModels(pg.url, 4);
  } else {
    database = openSqliteReadModels(join(dir.path, 'read-models.sqlite'));
  }
  await migrate(database.db);
  return {
    store,
    database,
    dataDir: dir.path,
    async close() {
      await database.close();
      await store.close();
      await dropDatabase();
      dir.cleanup();
    },
  };
}
