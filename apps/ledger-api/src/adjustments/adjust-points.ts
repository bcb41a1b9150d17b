import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type * as E from 'fp-ts/Either';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { adjustPoints } from '../../../../libs/ledger-domain/src/customer/adjust-points';
import { BoundedString, IntInRange, strictObject } from '../../../../libs/ledger-domain/src/shared/codecs';
import { MAX_POINTS_PER_ENTRY } from '../../../../libs/ledger-domain/src/shared/points';
import { IDEMPOTENCY_HEADER, type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CLOCK, CustomerStreams, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { accountStream } from '../../../../libs/runtime/src/streams';
import { balanceOf, runCustomerCommand, toAccepted } from '../customers/customer-command';

const NonZeroPoints = new t.Type<number, number, unknown>(
  `non-zero integer between -${MAX_POINTS_PER_ENTRY} and ${MAX_POINTS_PER_ENTRY}`,
  (u): u is number => typeof u === 'number',
  (u, c) => {
    const bounded = IntInRange(-MAX_POINTS_PER_ENTRY, MAX_POINTS_PER_ENTRY, '').decode(u);
    return bounded._tag === 'Right' && bounded.right !== 0 ? t.success(bounded.right) : t.failure(u, c);
  },
  t.identity,
);

export const AdjustPointsBodyC = strictObject('points adjustment', { points: NonZeroPoints, reason: BoundedString(1, 500) }, {});

export interface AdjustmentView {
  readonly adjustmentId: string;
  readonly points: number;
  readonly reason: string;
  /** Available balance right after the adjustment. */
  readonly balance: number;
  readonly position: string;
}

export class AdjustPointsCommand extends Command<E.Either<CommandError, Accepted<AdjustmentView>>> {
  constructor(
    readonly customerId: string,
    readonly body: t.TypeOf<typeof AdjustPointsBodyC>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AdjustPointsCommand)
export class AdjustPointsHandler implements ICommandHandler<AdjustPointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ customerId, body, context }: AdjustPointsCommand) {
    const program = await this.programs.current();
    const adjustmentId = entityId(context.commandId, 'adjustment');
    const command = { type: 'AdjustPoints' as const, customerId, adjustmentId, points: body.points, reason: body.reason, program, now: context.now };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => adjustPoints(command, state));
    return toAccepted((o) => ({
      adjustmentId,
      points: body.points,
      reason: body.reason,
      balance: balanceOf(o.state),
      position: o.position.toString(),
    }))(outcome);
  }
}

@ApiTags('adjustments')
@Controller('customers/:customerId/adjustments')
export class AdjustmentsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Manual ± points adjustment with a reason (PointsAdjusted, kind manual)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['points', 'reason'],
      properties: {
        points: { type: 'integer', example: -20, description: `non-zero, |points| ≤ ${MAX_POINTS_PER_ENTRY}` },
        reason: { type: 'string', maxLength: 500, example: 'Goodwill: delayed order' },
      },
    },
  })
  @ApiResponse({ status: 201, description: '{adjustmentId, points, balance}' })
  @ApiResponse({ status: 422, description: 'insufficient points under the "deny" policy' })
  async adjust(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand({ request, reply, params, body }, AdjustPointsBodyC, this.commandBus, this.clock(), (customerId, decoded, context) => new AdjustPointsCommand(customerId, decoded, context));
  }
}
