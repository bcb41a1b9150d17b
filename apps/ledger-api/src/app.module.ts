import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
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

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, overrides: { store?: EventStore; clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), LedgerModule.forRoot(config, overrides), ReadModelsModule.forRoot(config)],
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
