import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { CustomerPathC, runCustomerCommand } from '../customers/customer-command';
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
    summary:
      'Record a payment (PaymentRecorded): earns floor(amount × pointsPerUnit × the multiplier of the tier held at occurredAt; tierId and multiplier in the response). In store without visitId it also records a purchase visit.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ParamsFrom(CustomerPathC)
  @BodyFrom(RecordPaymentBodyC)
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
