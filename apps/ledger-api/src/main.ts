import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { loadConfig, type LedgerConfig } from '#runtime/config';
import { ensureDataDir } from '#runtime/data-dir';
import { OperatorError } from '#runtime/operator-error';
import { assertPortFree, listenError } from '#runtime/port';
import { serverOf } from '#runtime/wiring';
import { configuredApiKeys } from './app.module';
import { resolveLogFormat } from './logging';

async function main(): Promise<void> {
  const config = loadConfig();
  await preflight(config);
  const app = await createApp(config, { logFormat: resolveLogFormat(config, process.stdout.isTTY === true) });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenError(error, config.host, config.port);
  }
  const address = `http://${config.host}:${config.port}`;
  const logger = new Logger('Main');
  logger.log(`loyalty-ledger listening on ${address} (API docs: ${address}/docs)`);
  logger.log(`Data: ${whereTheDataLives(config)}`);
}

/**
 * What an operator can get wrong is checked before anything is written: the data directory (made
 * if missing), the keys file, the port. A failure is one line and exit 1, and a fresh data
 * directory is left as empty as it was (no key is made for a service that could not listen).
 */
async function preflight(config: LedgerConfig): Promise<void> {
  await assertPortFree(config.host, config.port);
  const usesDataDir = config.store.kind === 'embedded' || config.readDbUrl === undefined || config.apiKeys.length === 0;
  if (usesDataDir) ensureDataDir(config.dataDir);
  configuredApiKeys(config);
}

function whereTheDataLives(config: LedgerConfig): string {
  const store =
    config.store.kind === 'eventstoredb' ? `events in EventStoreDB at ${serverOf(config.store.connectionString)}` : `events in ${config.dataDir}/events.sqlite`;
  const reads = config.readDbUrl === undefined ? `read models in ${config.dataDir}/read-models.sqlite` : 'read models in PostgreSQL (LEDGER_READ_DB_URL)';
  return `${store}; ${reads}`;
}

main().catch((error: unknown) => {
  // An operator's problem (configuration, data directory, keys file, port, store): one line, no stack trace.
  console.error(error instanceof OperatorError ? error.message : error);
  process.exit(1);
});
