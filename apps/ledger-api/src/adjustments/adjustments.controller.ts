import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { CustomerPathC, runCustomerCommand } from '../customers/customer-command';
import { AdjustPointsBodyC, AdjustPointsCommand } from './adjust-points.handler';

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
  @ParamsFrom(CustomerPathC)
  @BodyFrom(AdjustPointsBodyC)
  @ApiResponse({ status: 201, description: '{adjustmentId, points, balance}' })
  @ApiResponse({ status: 422, description: 'insufficient points under the "deny" policy' })
  async adjust(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand(
      { request, reply, params, body },
      AdjustPointsBodyC,
      this.commandBus,
      this.clock(),
      (customerId, decoded, context) => new AdjustPointsCommand(customerId, decoded, context),
    );
  }
}
