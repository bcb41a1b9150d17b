import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '#event-store/event-store.port';
import type { ReadModelDatabase } from '#read-models/database';
import { migrate } from '#read-models/migrator';
import { Projector } from '#read-models/projector';
import type { LedgerConfig } from '#runtime/config';
import { openReadModels } from '#runtime/wiring';
import { CLOCK, EVENT_STORE, LedgerModule, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { READ_MODELS } from '../read-models/read-side';
import { ActivatePointsHandler } from './activate-points.handler';
import { lifecycleDuties } from './lifecycle-duties';
import { EvaluateTierHandler } from './evaluate-tier.handler';
import { ExpirePointsHandler } from './expire-points.handler';
import { LifecycleRunner, type LifecycleRunReport } from './lifecycle-runner';

/**
 * `ledger lifecycle run [--until INSTANT]`: one pass of the same lifecycle runner (its duties:
 * activations, expiries, tiers), outside the API
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
      providers: [ActivatePointsHandler, ExpirePointsHandler, EvaluateTierHandler, { provide: READ_MODELS, useFactory: () => openReadModels(config) }],
    };
  }
}

export async function runLifecycle(config: LedgerConfig, asOf: Date): Promise<LifecycleRunReport> {
  const app = await NestFactory.createApplicationContext(LifecycleRunModule.forRoot(config), { logger: false, abortOnError: false });
  const database = app.get<ReadModelDatabase>(READ_MODELS);
  try {
    await migrate(database.db);
    await new Projector(app.get<EventStore>(EVENT_STORE), database).catchUp();
    const clock = app.get<Clock>(CLOCK);
    const duties = lifecycleDuties({
      database,
      store: app.get<EventStore>(EVENT_STORE),
      bus: app.get(CommandBus),
      programs: app.get(ProgramStreams),
      now: clock,
    });
    return await new LifecycleRunner(duties, clock).runUntil(asOf);
  } finally {
    await app.close();
    await database.close();
  }
}
