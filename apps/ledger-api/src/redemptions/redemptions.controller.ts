import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { CustomerPathC, runCustomerCommand } from '../customers/customer-command';
import { RedeemPointsBodyC, RedeemPointsCommand } from './redeem-points.handler';

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
  @ParamsFrom(CustomerPathC)
  @BodyFrom(RedeemPointsBodyC)
  @ApiResponse({ status: 201, description: '{redemptionId, points, balance}' })
  @ApiResponse({ status: 422, description: 'insufficient points' })
  async redeem(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand(
      { request, reply, params, body },
      RedeemPointsBodyC,
      this.commandBus,
      this.clock(),
      (customerId, decoded, context) => new RedeemPointsCommand(customerId, decoded, context),
    );
  }
}
