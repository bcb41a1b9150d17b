import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import type { LedgerConfig } from '#runtime/config';
import { LedgerModule } from '../ledger/ledger.module';
import { Reservations } from '../ledger/reservations';
import { AdjustPointsHandler } from './adjust-points.handler';
import { adjustInBulk, type BulkAdjustmentRow, type BulkAdjustmentsView } from './bulk-adjustments.controller';

/** `ledger adjust --file`: the same bulk adjustments as `POST /adjustments/bulk`, on the write side booted without HTTP. */
@Module({})
class BulkAdjustmentsRunModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: BulkAdjustmentsRunModule, imports: [CqrsModule.forRoot(), LedgerModule.forRoot(config)], providers: [AdjustPointsHandler] };
  }
}

export async function runBulkAdjustments(
  config: LedgerConfig,
  rows: readonly BulkAdjustmentRow[],
  batch: { readonly batchId: string; readonly actor: string },
): Promise<BulkAdjustmentsView> {
  const app = await NestFactory.createApplicationContext(BulkAdjustmentsRunModule.forRoot(config), { logger: false, abortOnError: false });
  try {
    await app.init();
    return await adjustInBulk({ bus: app.get(CommandBus), reservations: app.get(Reservations) }, rows, { ...batch, now: new Date() });
  } finally {
    await app.close();
  }
}
