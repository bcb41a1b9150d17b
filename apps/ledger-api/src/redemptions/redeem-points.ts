import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type * as E from 'fp-ts/Either';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as t from 'io-ts';
import { redeemPoints } from '../../../../libs/ledger-domain/src/customer/redeem-points';
import { BoundedString, IntInRange, strictObject } from '../../../../libs/ledger-domain/src/shared/codecs';
import { MAX_POINTS_PER_ENTRY } from '../../../../libs/ledger-domain/src/shared/points';
import { IDEMPOTENCY_HEADER, type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CLOCK, CustomerStreams, type Clock } from '../ledger/ledger.module';
import { accountStream } from '../../../../libs/runtime/src/streams';
import { balanceOf, runCustomerCommand, toAccepted } from '../customers/customer-command';

export const RedeemPointsBodyC = strictObject(
  'redemption',
  { points: IntInRange(1, MAX_POINTS_PER_ENTRY, `integer between 1 and ${MAX_POINTS_PER_ENTRY}`) },
  { reason: BoundedString(1, 500), reference: BoundedString(1, 200) },
);

export interface RedemptionView {
  readonly redemptionId: string;
  /** Points spent (positive). */
  readonly points: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly balance: number;
  readonly position: string;
}

export class RedeemPointsCommand extends Command<E.Either<CommandError, Accepted<RedemptionView>>> {
  constructor(
    readonly customerId: string,
    readonly body: t.TypeOf<typeof RedeemPointsBodyC>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RedeemPointsCommand)
export class RedeemPointsHandler implements ICommandHandler<RedeemPointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
  ) {}

  async execute({ customerId, body, context }: RedeemPointsCommand) {
    const redemptionId = entityId(context.commandId, 'redemption');
    const { reason, reference } = body;
    const command = {
      type: 'RedeemPoints' as const,
      customerId,
      redemptionId,
      points: body.points,
      ...(reason !== undefined && { reason }),
      ...(reference !== undefined && { reference }),
      now: context.now,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => redeemPoints(command, state));
    return toAccepted((o) => ({
      redemptionId,
      points: body.points,
      reason: reason ?? null,
      reference: reference ?? null,
      balance: balanceOf(o.state),
      position: o.position.toString(),
    }))(outcome);
  }
}

@ApiTags('redemptions')
@Controller('customers/:customerId/redemptions')
export class RedemptionsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Spend points (PointsAdjusted, kind redemption). Never overdraws.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['points'],
      properties: {
        points: { type: 'integer', minimum: 1, example: 50 },
        reason: { type: 'string', maxLength: 500 },
        reference: { type: 'string', maxLength: 200, example: 'voucher-7781' },
      },
    },
  })
  @ApiResponse({ status: 201, description: '{redemptionId, points, balance}' })
  @ApiResponse({ status: 422, description: 'insufficient points' })
  async redeem(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand({ request, reply, params, body }, RedeemPointsBodyC, this.commandBus, this.clock(), (customerId, decoded, context) => new RedeemPointsCommand(customerId, decoded, context));
  }
}
