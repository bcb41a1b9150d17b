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
import { dueActivations } from '#read-models/queries';
import type { LedgerConfig } from '#runtime/config';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { Access } from '../http/access';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { lifecycleCommandId } from '../ledger/ids';
import { CLOCK, LEDGER_CONFIG, type Clock } from '../ledger/ledger.module';
import { Metrics, MetricsModule } from '../metrics/metrics';
import { READ_MODELS } from '../read-models/read-side';
import { PaymentPathC, runPaymentCommand } from '../customers/customer-command';
import { ActivatePointsBodyC, ActivatePointsCommand, ActivatePointsHandler } from './activate-points.handler';
import { LifecycleRunner, type DueActivation } from './lifecycle-runner';
import { VoidPointsBodyC, VoidPointsCommand, VoidPointsHandler } from './void-points.handler';

/** Who the lifecycle runner's events are recorded as. */
export const LIFECYCLE_ACTOR = 'system:lifecycle';

/**
 * The lifecycle runner inside the API unless LEDGER_LIFECYCLE=off, every
 * LEDGER_LIFECYCLE_INTERVAL_MS on the injected clock. Its commands go through the CommandBus to
 * their handlers like every command; `ledger lifecycle run` runs the same runner from cron.
 */
@Injectable()
export class Lifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  readonly runner: LifecycleRunner;

  constructor(
    @Inject(READ_MODELS) private readonly database: ReadModelDatabase,
    @Inject(LEDGER_CONFIG) readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly commandBus: CommandBus,
    @Inject(Metrics) metrics: Metrics,
  ) {
    const commands = new Counter({
      name: 'ledger_lifecycle_commands_total',
      help: 'Lifecycle runner commands by action and outcome (activated, replayed: written before, skipped: nothing left to do, refused, failed: retried)',
      labelNames: ['action', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.runner = new LifecycleRunner(
      (asOf, limit, after) => dueActivations(this.database.db, asOf, limit, after),
      (due, asOf) => this.commandBus.execute(activationCommand(due, asOf, this.clock())),
      clock,
      {
        intervalMs: config.lifecycleIntervalMs,
        onOutcome: (outcome) => commands.inc({ action: 'activate', outcome }),
        onRefused: (due, error) => this.logger.warn(`activation of payment ${due.paymentId} refused (${error._tag})`),
      },
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.lifecycle === 'off') return;
    this.runner.start();
    this.logger.log(`lifecycle runner inline, every ${this.config.lifecycleIntervalMs} ms`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /** How many activations are due now (up to `cap`), from the projection. */
  async dueNow(cap = 10_000): Promise<number> {
    return (await dueActivations(this.database.db, this.clock().toISOString(), cap)).length;
  }
}

/** The runner's activation of one payment: the command id from the payment, the clock's time as of. */
export function activationCommand(due: DueActivation, asOf: Date, now: Date): ActivatePointsCommand {
  const commandId = lifecycleCommandId('activate', due.paymentId);
  const context: CommandContext = { commandId, correlationId: commandId, actor: LIFECYCLE_ACTOR, now };
  return new ActivatePointsCommand(due.customerId, due.paymentId, { early: false, asOf }, context);
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
  @ApiOperation({ summary: 'The lifecycle runner: mode, interval, its last pass (what it activated), what is due now, and its health' })
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
  providers: [Lifecycle, ActivatePointsHandler, VoidPointsHandler],
})
export class LifecycleModule {}
