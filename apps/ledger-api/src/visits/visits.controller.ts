import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { CustomerPathC, runCustomerCommand } from '../customers/customer-command';
import { RecordVisitBodyC, RecordVisitCommand } from './record-visit.handler';

@ApiTags('visits')
@Controller('customers/:customerId/visits')
export class VisitsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a visit (VisitCreated). Backdating is allowed; more than 5 minutes ahead is refused.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ParamsFrom(CustomerPathC)
  @BodyFrom(RecordVisitBodyC)
  @ApiResponse({ status: 201, description: '{visitId, …, position}' })
  async record(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand(
      { request, reply, params, body },
      RecordVisitBodyC,
      this.commandBus,
      this.clock(),
      (customerId, decoded, context) => new RecordVisitCommand(customerId, decoded, context),
    );
  }
}
