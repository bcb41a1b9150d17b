import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { runCustomerCommand } from '../customers/customer-command';
import { RecordPaymentBodyC, RecordPaymentCommand } from './record-payment.handler';

@ApiTags('payments')
@Controller('customers/:customerId/payments')
export class PaymentsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a payment (PaymentRecorded): earns floor(amount × pointsPerUnit). In store without visitId it also records a purchase visit.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['locationId', 'amount', 'purchaseIdentifier', 'occurredAt'],
      properties: {
        locationId: { type: 'string', example: 'store-042' },
        amount: { type: 'string', example: '49.99', description: 'decimal string > 0, at most the currency’s minor digits' },
        currency: { type: 'string', example: 'USD', description: 'defaults to the program’s; must equal it' },
        purchaseIdentifier: { type: 'string', example: 'R-2026-000123', description: 'receipt number; unique per location' },
        occurredAt: { type: 'string', format: 'date-time', example: '2026-11-23T10:15:00+01:00' },
        source: { type: 'string', enum: ['manual', 'scan', 'online'], default: 'manual' },
        visitId: { type: 'string', format: 'uuid', description: 'an existing visit of this customer' },
      },
    },
  })
  @ApiResponse({ status: 201, description: '{paymentId, visitId, pointsEarned, balance, …}' })
  @ApiResponse({ status: 409, description: 'duplicate purchase identifier at this location' })
  @ApiResponse({ status: 422, description: 'currency mismatch, unknown visit, time in the future' })
  async record(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand(
      { request, reply, params, body },
      RecordPaymentBodyC,
      this.commandBus,
      this.clock(),
      (customerId, decoded, context) => new RecordPaymentCommand(customerId, decoded, context),
    );
  }
}
