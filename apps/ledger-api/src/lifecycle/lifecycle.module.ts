import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Logger,
  Module,
  Param,
  Post,
  Req,
  Res,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import type { ReadModelDatabase } from '#read-models/database';
import { dueActivations, dueExpirations } from '#read-models/queries';
import type { EventStore } from '#event-store/event-store.port';
import type { LedgerConfig } from '#runtime/config';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { Access } from '../http/access';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, EVENT_STORE, LEDGER_CONFIG, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { Metrics, MetricsModule } from '../metrics/metrics';
import { READ_MODELS } from '../read-models/read-side';
import { PaymentPathC, runPaymentCommand } from '../customers/customer-command';
import { ActivatePointsBodyC, ActivatePointsCommand, ActivatePointsHandler } from './activate-points.handler';
import { lifecycleDuties } from './lifecycle-duties';
import { LifecycleRunner } from './lifecycle-runner';
import { EvaluateTierHandler } from './evaluate-tier.handler';
import { ExpirePointsHandler } from './expire-points.handler';
import { VoidPointsBodyC, VoidPointsCommand, VoidPointsHandler } from './void-points.handler';

/**
 * The lifecycle runner inside the API unless LEDGER_LIFECYCLE=off, every
 * LEDGER_LIFECYCLE_INTERVAL_MS on the injected clock. Its commands go through the CommandBus to
 * their handlers like every command; `ledger lifecycle run` runs the same duties from cron.
 */
@Injectable()
export class Lifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  readonly runner: LifecycleRunner;

  constructor(
    @Inject(READ_MODELS) private readonly database: ReadModelDatabase,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(LEDGER_CONFIG) readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ProgramStreams) programs: ProgramStreams,
    commandBus: CommandBus,
    @Inject(Metrics) metrics: Metrics,
  ) {
    const commands = new Counter({
      name: 'ledger_lifecycle_commands_total',
      help: 'Lifecycle runner commands by action (activate, expire, tier) and outcome (applied, replayed: written before, skipped: nothing left to do, refused, failed: retried)',
      labelNames: ['action', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.runner = new LifecycleRunner(lifecycleDuties({ database, store, bus: commandBus, programs, now: clock }), clock, {
      intervalMs: config.lifecycleIntervalMs,
      onOutcome: (action, outcome) => commands.inc({ action, outcome }),
      onRefused: (action, subject, error) => this.logger.warn(`lifecycle ${action} of ${subject} refused (${error._tag})`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.lifecycle === 'off') return;
    this.runner.start();
    this.logger.log(`lifecycle runner inline, every ${this.config.lifecycleIntervalMs} ms`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /** What is due now (up to `cap` of each), from the projection. */
  async dueNow(cap = 10_000): Promise<{ activations: number; expirations: number }> {
    const asOf = this.clock().toISOString();
    const [activations, expirations] = await Promise.all([dueActivations(this.database.db, asOf, cap), dueExpirations(this.database.db, asOf, cap)]);
    return { activations: activations.length, expirations: expirations.length };
  }
}

@ApiTags('lifecycle')
@Controller()
export class LifecycleController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(Lifecycle) private readonly lifecycle: Lifecycle,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('lifecycle')
  @Access('reporter', 'auditor', 'operator')
  @ApiOperation({
    summary:
      'The lifecycle runner: mode, interval, its last pass (per duty: activated, expired, tier changes), what is due now (activations, expiries), and its health',
  })
  async status() {
    const { runner, config } = this.lifecycle;
    return {
      mode: config.lifecycle,
      intervalMs: config.lifecycleIntervalMs,
      lastRun: runner.lastRun ?? null,
      due: await this.lifecycle.dueNow(),
      ...runner.health,
    };
  }

  @Post('customers/:customerId/payments/:paymentId/activate')
  @HttpCode(201)
  @ApiOperation({ summary: "Activate a payment's pending points early (PointsActivated, early: true), with its cashback's. Admin only." })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ParamsFrom(PaymentPathC)
  @BodyFrom(ActivatePointsBodyC)
  @ApiResponse({ status: 201, description: '{paymentId, activated, early, occurredAt, balance, pending, owed, position}' })
  @ApiResponse({ status: 422, description: 'the payment has no pending points' })
  async activate(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runPaymentCommand(
      { request, reply, params, body },
      ActivatePointsBodyC,
      this.commandBus,
      this.clock(),
      ({ customerId, paymentId }, decoded, context) => {
        const reason = decoded.reason;
        return new ActivatePointsCommand(customerId, paymentId, { early: true, ...(reason !== undefined && { reason }), asOf: context.now }, context);
      },
    );
  }

  @Post('customers/:customerId/payments/:paymentId/void')
  @HttpCode(201)
  @ApiOperation({ summary: "Cancel a payment's pending points without a refund (PointsVoided), with its cashback's. Admin only; a reason is required." })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ParamsFrom(PaymentPathC)
  @BodyFrom(VoidPointsBodyC)
  @ApiResponse({ status: 201, description: '{paymentId, voided, reason, balance, pending, owed, position}' })
  @ApiResponse({ status: 422, description: 'the payment has no pending points' })
  async void(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runPaymentCommand(
      { request, reply, params, body },
      VoidPointsBodyC,
      this.commandBus,
      this.clock(),
      ({ customerId, paymentId }, decoded, context) => new VoidPointsCommand(customerId, paymentId, decoded, context),
    );
  }
}

@Module({
  imports: [MetricsModule],
  controllers: [LifecycleController],
  providers: [Lifecycle, ActivatePointsHandler, VoidPointsHandler, ExpirePointsHandler, EvaluateTierHandler],
})
export class LifecycleModule {}
