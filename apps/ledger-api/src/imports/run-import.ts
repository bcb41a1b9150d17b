import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '#event-store/event-store.port';
import type { LedgerConfig } from '#runtime/config';
import { CLOCK, CustomerStreams, EVENT_STORE, LedgerModule, ProgramStreams, type Clock } from '../ledger/ledger.module';
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

/** Runs an import on a booted write side (the CLI's, or the API's own for `POST /imports`). */
export async function importInto(
  app: INestApplicationContext,
  config: LedgerConfig,
  bytes: AsyncIterable<Uint8Array | string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const engine = new ImportEngine(
    {
      store: app.get<EventStore>(EVENT_STORE),
      customers: app.get(CustomerStreams),
      reservations: app.get(Reservations),
      program: await app.get(ProgramStreams).current(),
      chainKey: config.chain?.key,
      clock: app.get<Clock>(CLOCK),
    },
    options,
  );
  return engine.run(readRecords(bytes, options.format));
}
