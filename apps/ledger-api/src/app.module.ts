import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Logger } from '@nestjs/common';
import { createFirstAdminKey, readKeysFile, type ApiKey } from '../../../libs/runtime/src/api-keys';
import { AccessGuard, API_KEYS, RATE_LIMITER } from './http/access';
import { RateLimiter } from '../../../libs/runtime/src/rate-limit';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '../../../libs/event-store/src/event-store.port';
import { AdjustmentsController, AdjustPointsHandler } from './adjustments/adjust-points';
import type { LedgerConfig } from '../../../libs/runtime/src/config';
import { CustomersController } from './customers/customers.controller';
import { EnrolCustomerHandler } from './customers/enrol-customer';
import { HistoryController } from './history/customer-history';
import { AuditController } from './audit/audit.controller';
import { ProblemFilter } from './http/problem.filter';
import { LedgerModule, type Clock } from './ledger/ledger.module';
import { PaymentsController, RecordPaymentHandler } from './payments/record-payment';
import { ConfigureProgramHandler } from './program/configure-program';
import { DemoProgram } from './program/demo-program';
import { ProgramController } from './program/program.controller';
import { RedeemPointsHandler, RedemptionsController } from './redemptions/redeem-points';
import { RecordVisitHandler, VisitsController } from './visits/record-visit';
import { ReadModelsModule } from './read-models/read-models.module';
import { MetricsModule } from './metrics/metrics';
import { HealthModule } from './health/health';
import { ReactionsModule } from './reactions/reactions.module';

/**
 * Keys from LEDGER_API_KEYS and from the data directory's keys file. With none at all: in
 * production, refuse to start; otherwise make an admin key and print its secret once.
 */
export function loadApiKeys(config: LedgerConfig): ApiKey[] {
  const keys = [...config.apiKeys, ...readKeysFile(config.dataDir)];
  if (keys.length > 0) return keys;
  if (config.environment === 'production') {
    throw new Error('No API keys: set LEDGER_API_KEYS (name:role:secret, comma-separated). Production never makes a key by itself.');
  }
  const { key, secret } = createFirstAdminKey(config.dataDir);
  new Logger('ApiKeys').warn(
    `No API keys were configured, so an admin key was created (its digest is in ${config.dataDir}/api-keys.json).\n` +
      `  Its secret, shown this once:  ${secret}\n  Use it as:  Authorization: Bearer ${secret}`,
  );
  return [key];
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, overrides: { store?: EventStore; clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), LedgerModule.forRoot(config, overrides), ReadModelsModule.forRoot(config), MetricsModule, HealthModule, ReactionsModule],
      controllers: [
        ProgramController,
        CustomersController,
        VisitsController,
        PaymentsController,
        AdjustmentsController,
        RedemptionsController,
        HistoryController,
        AuditController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: API_KEYS, useFactory: () => loadApiKeys(config) },
        {
          provide: RATE_LIMITER,
          useValue: config.rateLimitPerSecond > 0 ? new RateLimiter({ perSecond: config.rateLimitPerSecond, burst: 2 * config.rateLimitPerSecond }) : null,
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        ConfigureProgramHandler,
        EnrolCustomerHandler,
        RecordVisitHandler,
        RecordPaymentHandler,
        AdjustPointsHandler,
        RedeemPointsHandler,
        DemoProgram,
      ],
    };
  }
}
