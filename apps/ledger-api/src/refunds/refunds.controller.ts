import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyFrom, ParamsFrom } from '../docs/from-codec';
import { Access } from '../http/access';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { PaymentPathC, runPaymentCommand } from '../customers/customer-command';
import { RefundPaymentBodyC, RefundPaymentCommand } from './refund-payment.handler';

@ApiTags('refunds')
@Controller('customers/:customerId/payments/:paymentId/refunds')
export class RefundsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Record a refund on a payment (PaymentRefunded): reverses floor(points earned × refunded so far / paid) − reversed before, and the payment's cashback in proportion (CashbackReversed). Never refused for lack of points.",
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ParamsFrom(PaymentPathC)
  @BodyFrom(RefundPaymentBodyC)
  @ApiResponse({
    status: 201,
    description: '{refundId, paymentId, pointsReversed, fromPending, fromAvailable, owedAdded, writtenOff, cashbackReversed, balance, pending, owed, position}',
  })
  @ApiResponse({ status: 404, description: 'unknown customer, or no such payment in this customer’s ledger' })
  @ApiResponse({ status: 409, description: 'this refund identifier was already recorded for the payment' })
  @ApiResponse({ status: 422, description: 'refunds would exceed the payment; time before the payment or in the future' })
  async refund(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runPaymentCommand(
      { request, reply, params, body },
      RefundPaymentBodyC,
      this.commandBus,
      this.clock(),
      ({ customerId, paymentId }, decoded, context) => new RefundPaymentCommand(customerId, paymentId, decoded, context),
    );
  }
}
