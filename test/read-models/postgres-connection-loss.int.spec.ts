import { sql } from 'kysely';
import pg from 'pg';
import { openPostgresReadModels, type ReadModelDatabase } from '#read-models/database';
import { freshPostgresDatabase } from '../support/postgres';

/**
 * PostgreSQL going away (restart, fail-over, a DBA's pg_terminate_backend) must cost the queries
 * in flight, never the process: the API's liveness and the projector's retry loop depend on it.
 * Node ends the process on an 'error' event nobody listens to, so these fail by crashing Jest.
 */
describe('PostgreSQL read-model connections cut by the server', () => {
  let url: string;
  let drop: () => Promise<void>;
  let database: ReadModelDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    ({ url, drop } = await freshPostgresDatabase());
    admin = new pg.Client({ connectionString: process.env['LEDGER_TEST_PG_URL'] });
    await admin.connect();
  });
  beforeEach(() => {
    database = openPostgresReadModels(url, 2);
  });
  afterEach(async () => {
    await database.close();
  });
  afterAll(async () => {
    await admin.end();
    await drop();
  });

  const pidOf = async (db: ReadModelDatabase['db']) => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
  const terminate = async (pid: number) => {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // Let the client read the server's FATAL message and emit its 'error'.
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  it('survives an idle pooled connection being cut, and the next query reconnects', async () => {
    await terminate(await pidOf(database.db));
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
  });

  it('survives a connection cut inside a transaction, between two queries: the transaction fails, the next query reconnects', async () => {
    const transaction = database.db.transaction().execute(async (trx) => {
      await terminate(await pidOf(trx));
      await sql`SELECT 1`.execute(trx);
    });
    await expect(transaction).rejects.toThrow();
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
  });
});
