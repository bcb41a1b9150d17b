import { Global, Module } from '@nestjs/common';
import { join } from 'node:path';
import { openPostgresReadModels, openSqliteReadModels, type ReadModelDatabase } from '../../../../libs/read-models/src/database';
import type { LedgerConfig } from '../config';
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
          useFactory: (): ReadModelDatabase =>
            config.readDbUrl !== undefined ? openPostgresReadModels(config.readDbUrl) : openSqliteReadModels(join(config.dataDir, 'read-models.sqlite')),
        },
        ReadSide,
      ],
      exports: [READ_MODELS, ReadSide],
    };
  }
}
