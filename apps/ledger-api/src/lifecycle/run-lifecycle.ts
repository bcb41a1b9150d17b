import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '#event-store/event-store.port';
import type { ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { Projector } from '#read-models/projector';
import { dueActivations } from '#read-models/queries';
import type { LedgerConfig } from '#runtime/config';
import { openReadModels } from '#runtime/wiring';
import { CLOCK, EVENT_STORE, LedgerModule, type Clock } from '../ledger/ledger.module';
import { READ_MODELS } from '../read-models/read-side';
import { ActivatePointsHandler } from './activate-points.handler';
import { activationCommand } from './lifecycle.module';
import { LifecycleRunner, type LifecycleRunReport } from './lifecycle-runner';

/**
 * `ledger lifecycle run [--until INSTANT]`: one pass of the same lifecycle runner, outside the API
 * (for operators who run it from cron, or with LEDGER_LIFECYCLE=off everywhere). It boots the
 * write side without HTTP (the store, the command loop, the commands' handlers on a CommandBus),
 * brings the projection up to date so that everything recorded is seen, then issues what is due.
 */
@Module({})
class LifecycleRunModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LifecycleRunModule,
      imports: [CqrsModule.forRoot(), LedgerModule.forRoot(config)],
      providers: [ActivatePointsHandler, { provide: READ_MODELS, useFactory: () => openReadModels(config) }],
    };
  }
}

export async function runLifecycle(config: LedgerConfig, asOf: Date): Promise<LifecycleRunReport> {
  const app = await NestFactory.createApplicationContext(LifecycleRunModule.forRoot(config), { logger: false, abortOnError: false });
  const database = app.get<ReadModelDatabase>(READ_MODELS);
  try {
    await migrate(database.db);
    await new Projector(app.get<EventStore>(EVENT_STORE), database).catchUp();
    const bus = app.get(CommandBus);
    const clock = app.get<Clock>(CLOCK);
    const runner = new LifecycleRunner(
      (until, limit, after) => dueActivations(database.db, until, limit, after),
      (due, at) => bus.execute(activationCommand(due, at, clock())),
      clock,
    );
    return await runner.runUntil(asOf);
  } finally {
    await app.close();
    await database.close();
  }
}
