import { Global, Module } from '@nestjs/common';
import type { ReadModelDatabase } from '../../../../libs/read-models/src/database';
import type { LedgerConfig } from '../../../../libs/runtime/src/config';
import { openReadModels } from '../../../../libs/runtime/src/wiring';
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
