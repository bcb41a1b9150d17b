import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '#event-store/event-store.port';
import type { LedgerConfig } from '#runtime/config';
import {
  BULK_STREAM_CACHE,
  CHAIN_INTEGRITY,
  CLOCK,
  CUSTOMER_STREAM_MODEL,
  EVENT_STORE,
  LEDGER_CONFIG,
  LedgerModule,
  ProgramStreams,
  type Clock,
} from '../ledger/ledger.module';
import type { ChainIntegrity } from '../ledger/quarantine';
import { Reservations } from '../ledger/reservations';
import { StreamRepository } from '../ledger/stream-repository';
import { ImportEngine, type ImportOptions } from './import-engine';
import { readRecords } from './import-records';

/** Starts imports on the write side: the CLI's (`ledger import`) or the API's (`POST /imports`). */
@Injectable()
export class Importer {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHAIN_INTEGRITY) private readonly integrity: ChainIntegrity,
    @Inject(Reservations) private readonly reservations: Reservations,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** An engine over these bytes; `run` it (its `report` shows the progress meanwhile). */
  async start(bytes: AsyncIterable<Uint8Array | string>, options: ImportOptions): Promise<{ engine: ImportEngine; done: Promise<ImportEngine['report']> }> {
    const engine = new ImportEngine(
      {
        store: this.store,
        // Its own small cache, per run (BULK_STREAM_CACHE): a dry run's branches stay in the run.
        customers: new StreamRepository(this.store, CUSTOMER_STREAM_MODEL, BULK_STREAM_CACHE, this.integrity),
        reservations: this.reservations,
        program: await this.programs.current(),
        chainKey: this.config.chain?.key,
        clock: this.clock,
      },
      options,
    );
    return { engine, done: engine.run(readRecords(bytes, options.format)) };
  }
}

/**
 * `ledger import FILE`: the import engine on the write side booted without HTTP (the store, the
 * stream repository, reservations), as `ledger lifecycle run` does. The read models catch up
 * from the log as ever (the API's projector, or `ledger projections rebuild`).
 */
@Module({})
class ImportRunModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: ImportRunModule, imports: [LedgerModule.forRoot(config)], providers: [Importer] };
  }
}

export async function runImport(config: LedgerConfig, bytes: AsyncIterable<Uint8Array | string>, options: ImportOptions): Promise<ImportEngine['report']> {
  const app = await NestFactory.createApplicationContext(ImportRunModule.forRoot(config), { logger: false, abortOnError: false });
  try {
    return await (
      await app.get(Importer).start(bytes, options)
    ).done;
  } finally {
    await app.close();
  }
}
