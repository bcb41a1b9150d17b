import { ConfigError, loadConfig } from '../../../libs/runtime/src/config';
import { StoreUnreachableError, connectEventStore, openReadModels } from '../../../libs/runtime/src/wiring';
import { Projector } from '../../../libs/read-models/src/projector';
import { migrate } from '../../../libs/read-models/src/schema';

/**
 * ledger-projector: the projector as its own process, as production runs it (with the API
 * started with LEDGER_PROJECTOR=off). Polls the event store, applies batches with their
 * checkpoint in one transaction, stops cleanly on SIGTERM/SIGINT. Killing it at any point is
 * safe: the next start carries on from the last committed checkpoint.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = await connectEventStore(config, { readOnly: true, warn: log });
  const database = openReadModels(config);
  await migrate(database.db);
  const batchSize = Number(process.env['LEDGER_PROJECTOR_BATCH_SIZE'] ?? 1000);
  const pollIntervalMs = Number(process.env['LEDGER_PROJECTOR_POLL_MS'] ?? 200);
  const projector = new Projector(store, database, { batchSize, pollIntervalMs });
  projector.onProgress(({ position }) => {
    if (process.send) process.send({ checkpoint: position.toString() });
  });
  projector.start();
  log(`ledger-projector started (read models: ${database.dialect}, batch ${batchSize}, poll ${pollIntervalMs} ms)`);

  const shutdown = async (signal: string) => {
    log(`${signal}: stopping after the current batch`);
    await projector.stop();
    await database.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

function log(message: string): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), service: 'ledger-projector', message })}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof StoreUnreachableError ? error.message : error);
  process.exit(1);
});
