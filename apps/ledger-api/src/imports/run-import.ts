import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '#event-store/event-store.port';
import type { LedgerConfig } from '#runtime/config';
import { CHAIN_INTEGRITY, CLOCK, CUSTOMER_STREAM_MODEL, EVENT_STORE, LedgerModule, ProgramStreams, type Clock } from '../ledger/ledger.module';
import type { ChainIntegrity } from '../ledger/quarantine';
import { StreamRepository } from '../ledger/stream-repository';
import { Reservations } from '../ledger/reservations';
import { ImportEngine, type ImportOptions, type ImportReport } from './import-engine';
import { readRecords } from './import-records';

/**
 * `ledger import FILE`: the import engine on the write side booted without HTTP (the store, the
 * stream repository, reservations), as `ledger lifecycle run` does. The read models catch up
 * from the log as ever (the API's projector, or `ledger projections rebuild`).
 */
@Module({})
class ImportRunModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: ImportRunModule, imports: [LedgerModule.forRoot(config)] };
  }
}

export async function runImport(config: LedgerConfig, bytes: AsyncIterable<Uint8Array | string>, options: ImportOptions): Promise<ImportReport> {
  const app = await NestFactory.createApplicationContext(ImportRunModule.forRoot(config), { logger: false, abortOnError: false });
  try {
    return await importInto(app, config, bytes, options);
  } finally {
    await app.close();
  }
}

const IMPORT_STREAM_CACHE = 512;

/** Runs an import on a booted write side (the CLI's, or the API's own for `POST /imports`). */
export async function importInto(
  app: INestApplicationContext,
  config: LedgerConfig,
  bytes: AsyncIterable<Uint8Array | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const store = app.get<EventStore>(EVENT_STORE);
  const engine = new ImportEngine(
    {
      store,
      // Its own small cache: an import touches most customers once, and would only push the
      // API's hot customers out of the shared one (a load reads what the cache lacks, so neither goes stale).
      customers: new StreamRepository(store, CUSTOMER_STREAM_MODEL, IMPORT_STREAM_CACHE, app.get<ChainIntegrity>(CHAIN_INTEGRITY)),
      reservations: app.get(Reservations),
      program: await app.get(ProgramStreams).current(),
      chainKey: config.chain?.key,
      clock: app.get<Clock>(CLOCK),
    },
    options,
  );
  return engine.run(readRecords(bytes, options.format));
}
