import { migrate, MIGRATIONS, positionText } from '#read-models/schema';
import { openReadModelFixture, type Dialect } from './read-model-fixture';
import { openSqliteReadModels, openPostgresReadModels } from '#read-models/database';
import { freshPostgresDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';
import { join } from 'node:path';

describe.each<Dialect>(['sqlite', 'postgres'])('read-model migrations (%s)', (dialect) => {
  it('applies every migration once, recorded, and is a no-op the second time', async () => {
    const fx = await openReadModelFixture(dialect);
    try {
      await migrate(fx.database.db); // the fixture migrated already: this must change nothing
      const rows = await fx.database.db.selectFrom('read_model_migrations').selectAll().execute();
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await fx.close();
    }
  });

  // SQLite: two better-sqlite3 connections in one thread cannot wait for each other's lock (the
  // wait blocks the thread the holder needs); the two-process case is covered in the CLI test.
  (dialect === 'postgres' ? it : it.skip)('survives two processes migrating a fresh database at the same moment', async () => {
    const dir = tempDir('migrate-race-');
    let drop = async () => {};
    const open = async () => {
      if (dialect === 'sqlite') return [openSqliteReadModels(join(dir.path, 'rm.sqlite')), openSqliteReadModels(join(dir.path, 'rm.sqlite'))] as const;
      const pg = await freshPostgresDatabase();
      drop = pg.drop;
      return [openPostgresReadModels(pg.url, 2), openPostgresReadModels(pg.url, 2)] as const;
    };
    const [a, b] = await open();
    try {
      await Promise.all([migrate(a.db), migrate(b.db)]);
      const rows = await a.db.selectFrom('read_model_migrations').selectAll().execute();
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await a.db.selectFrom('customer_balances').selectAll().execute()).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await drop();
      dir.cleanup();
    }
  });

  it('widens the 20-digit positions of a version-1 database to 40 digits, keeping their order', async () => {
    const fx = await openReadModelFixture(dialect);
    const db = fx.database.db;
    try {
      // Back before the widening, with positions as the earlier versions wrote them.
      const widening = MIGRATIONS.find((m) => m.name.startsWith('positions widened'))!;
      await db.deleteFrom('read_model_migrations').where('version', '>=', widening.version).execute();
      const v1 = (n: bigint) => n.toString().padStart(20, '0');
      await db
        .insertInto('projection_checkpoints')
        .values({ projection: 'p', position: v1(9n), updated_at: 'x' })
        .execute();
      await db
        .insertInto('program_settings')
        .values([
          { program_id: 'a', version: 1, currency: 'USD', timezone: 'UTC', position: v1(9n) },
          { program_id: 'b', version: 1, currency: 'USD', timezone: 'UTC', position: v1(10n) },
        ])
        .execute();

      await migrate(db);

      expect((await db.selectFrom('projection_checkpoints').select('position').executeTakeFirstOrThrow()).position).toBe(positionText(9n));
      const rows = await db.selectFrom('program_settings').select(['program_id', 'position']).orderBy('position').execute();
      expect(rows).toEqual([
        { program_id: 'a', position: positionText(9n) },
        { program_id: 'b', position: positionText(10n) },
      ]);
      expect(rows.every((r) => r.position.length === 40)).toBe(true);
    } finally {
      await fx.close();
    }
  });
});
