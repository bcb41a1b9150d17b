import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { runCustomerCommand } from '../customers/customer-command';
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
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['locationId', 'occurredAt'],
      properties: {
        locationId: { type: 'string', example: 'store-042' },
        occurredAt: { type: 'string', format: 'date-time', example: '2026-11-23T10:15:00+01:00', description: 'ISO 8601 with offset' },
        kind: { type: 'string', enum: ['browse', 'service', 'event', 'pickup', 'purchase'], default: 'browse' },
        source: { type: 'string', enum: ['manual', 'scan', 'online'], default: 'manual' },
        notes: { type: 'string', maxLength: 1000 },
      },
    },
  })
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
