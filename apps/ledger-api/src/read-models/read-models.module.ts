import { Global, Module } from '@nestjs/common';
import type { ReadModelDatabase } from '#read-models/database';
import type { LedgerConfig } from '#runtime/config';
import { openReadModels } from '#runtime/wiring';
import { ProjectionsController, ReadModelQueriesController } from './read-models.controller';
import { READ_MODELS, ReadSide } from './read-side';

@Global()
@Module({})
export class ReadModelsModule {
  static forRoot(config: LedgerConfig) {
    return {
      module: ReadModelsModule,
      controllers: [ReadModelQueriesController, ProjectionsController],
      providers: [
        {
          provide: READ_MODELS,
          useFactory: (): ReadModelDatabase => openReadModels(config),
        },
        ReadSide,
      ],
      exports: [READ_MODELS, ReadSide],
    };
  }
}
