import { rmSync } from 'node:fs';

export default async function stopPostgres() {
  const running = globalThis.__LEDGER_PG__;
  if (!running) return;
  await running.server.stop();
  rmSync(running.databaseDir, { recursive: true, force: true });
}
