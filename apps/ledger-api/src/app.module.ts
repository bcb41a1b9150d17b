import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { ApiKeyConfigError, createFirstAdminKey, KEYS_FILE, readKeysFile, type ApiKey } from '#runtime/api-keys';
import { AccessGuard, API_KEYS, RATE_LIMITER } from './http/access';
import { RateLimiter } from '#runtime/rate-limit';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '#event-store/event-store.port';
import { AdjustPointsHandler } from './adjustments/adjust-points.handler';
import { AdjustmentsController } from './adjustments/adjustments.controller';
import type { LedgerConfig } from '#runtime/config';
import { CustomersController } from './customers/customers.controller';
import { EnrolCustomerHandler } from './customers/enrol-customer.handler';
import { HistoryController } from './history/customer-history';
import { AuditController } from './audit/audit.controller';
import { ProblemFilter } from './http/problem.filter';
import { LedgerModule, type Clock } from './ledger/ledger.module';
import { PaymentsController } from './payments/payments.controller';
import { RecordPaymentHandler } from './payments/record-payment.handler';
import { ConfigureProgramHandler } from './program/configure-program.handler';
import { DemoProgram } from './program/demo-program';
import { ProgramController } from './program/program.controller';
import { RedeemPointsHandler } from './redemptions/redeem-points.handler';
import { RedemptionsController } from './redemptions/redemptions.controller';
import { RecordVisitHandler } from './visits/record-visit.handler';
import { VisitsController } from './visits/visits.controller';
import { ReadModelsModule } from './read-models/read-models.module';
import { MetricsModule } from './metrics/metrics';
import { HealthModule } from './health/health';
import { ReactionsModule } from './reactions/reactions.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RefundPaymentHandler } from './refunds/refund-payment.handler';
import { RefundsController } from './refunds/refunds.controller';
import { DemoData } from './demo/demo-data';
import { ImportJobs, ImportsController } from './imports/imports.controller';
import { BulkAdjustmentsController } from './adjustments/bulk-adjustments.controller';
import { ExportsController } from './audit/exports.controller';
import { Importer } from './imports/run-import';

/**
 * The keys configured so far: LEDGER_API_KEYS and the data directory's keys file (read, never
 * written). None at all is an error in production, which never makes a key by itself.
 */
export function configuredApiKeys(config: LedgerConfig): ApiKey[] {
  const keys = [...config.apiKeys, ...readKeysFile(config.dataDir)];
  if (keys.length === 0 && config.environment === 'production') {
    throw new ApiKeyConfigError('No API keys: set LEDGER_API_KEYS (name:role:secret, comma-separated). Production never makes a key by itself.');
  }
  return keys;
}

/**
 * Keys from LEDGER_API_KEYS and from the data directory's keys file. With none at all: in
 * production, refuse to start; otherwise make an admin key and print its secret once.
 */
export function loadApiKeys(config: LedgerConfig): ApiKey[] {
  const keys = configuredApiKeys(config);
  if (keys.length > 0) return keys;
  const { key, secret } = createFirstAdminKey(config.dataDir);
  // The secret on a line of its own, so it can be copied from a terminal as it is.
  new Logger('ApiKeys').warn(
    [
      'No API keys were configured, so an admin key was made. Its secret is shown this once; keep it:',
      '',
      `    ${secret}`,
      '',
      `  Send it as "Authorization: Bearer <secret>". Only its SHA-256 digest is kept, in ${join(config.dataDir, KEYS_FILE)}.`,
    ].join('\n'),
  );
  return [key];
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, overrides: { store?: EventStore; clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LedgerModule.forRoot(config, overrides),
        ReadModelsModule.forRoot(config),
        MetricsModule,
        HealthModule,
        ReactionsModule,
        LifecycleModule,
      ],
      controllers: [
        ProgramController,
        CustomersController,
        VisitsController,
        PaymentsController,
        AdjustmentsController,
        RedemptionsController,
        RefundsController,
        HistoryController,
        AuditController,
        ImportsController,
        BulkAdjustmentsController,
        ExportsController,
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
        RefundPaymentHandler,
        DemoProgram,
        DemoData,
        Importer,
        ImportJobs,
      ],
    };
  }
}
