import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import * as E from 'fp-ts/Either';
import type { StreamAppend } from '../../../../libs/event-store/src/event-store.port';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as t from 'io-ts';
import type { CustomerEvent } from '../../../../libs/ledger-domain/src/customer/customer';
import { recordPayment, type PaymentRecorded } from '../../../../libs/ledger-domain/src/customer/record-payment';
import { SourceC } from '../../../../libs/ledger-domain/src/customer/record-visit';
import { BoundedString, CurrencyCodeC, Identifier, Instant, strictObject, Uuid } from '../../../../libs/ledger-domain/src/shared/codecs';
import type { LedgerError } from '../../../../libs/ledger-domain/src/shared/errors';
import { formatAmount } from '../../../../libs/ledger-domain/src/shared/money';
import { IDEMPOTENCY_HEADER, type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CLOCK, CustomerStreams, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { Reservations, type HonouredCheck } from '../ledger/reservations';
import { accountStream, purchaseKey } from '../../../../libs/runtime/src/streams';
import { balanceOf, runCustomerCommand, toAccepted } from '../customers/customer-command';

export const RecordPaymentBodyC = strictObject(
  'payment',
  {
    locationId: Identifier(),
    amount: BoundedString(1, 24, 'decimal string such as "49.99"'),
    purchaseIdentifier: BoundedString(1, 100),
    occurredAt: Instant,
  },
  { currency: CurrencyCodeC, source: SourceC, visitId: Uuid },
);
type RecordPaymentBody = t.TypeOf<typeof RecordPaymentBodyC>;

export interface PaymentView {
  readonly paymentId: string;
  readonly customerId: string;
  /** The visit the payment belongs to: given, created with it (in store), or null (online). */
  readonly visitId: string | null;
  readonly locationId: string;
  readonly amount: string;
  readonly currency: string;
  readonly purchaseIdentifier: string;
  readonly occurredAt: string;
  readonly source: string;
  readonly pointsEarned: number;
  readonly pointsPerUnit: string;
  readonly programVersion: number;
  /** Available balance right after this payment. */
  readonly balance: number;
  readonly position: string;
}

export class RecordPaymentCommand extends Command<E.Either<CommandError, Accepted<PaymentView>>> {
  constructor(
    readonly customerId: string,
    readonly body: RecordPaymentBody,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordPaymentCommand)
export class RecordPaymentHandler implements ICommandHandler<RecordPaymentCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(Reservations) private readonly reservations: Reservations,
  ) {}

  async execute({ customerId, body, context }: RecordPaymentCommand) {
    const program = await this.programs.current();
    const paymentId = entityId(context.commandId, 'payment');
    const command = {
      type: 'RecordPayment' as const,
      customerId,
      paymentId,
      newVisitId: entityId(context.commandId, 'visit'),
      ...(body.visitId !== undefined && { visitId: body.visitId }),
      locationId: body.locationId,
      amount: body.amount,
      currency: body.currency ?? program?.settings.currency ?? 'USD',
      purchaseIdentifier: body.purchaseIdentifier,
      occurredAt: body.occurredAt,
      source: body.source ?? 'manual',
      program,
      now: context.now,
    };
    // The double-credit guard: (location, purchase identifier) is claimed before the ledger append.
    const reservePurchase = async (): Promise<E.Either<LedgerError, readonly StreamAppend[]>> => {
      const claimed = await this.reservations.claim(
        'purchase',
        purchaseKey(body.locationId, body.purchaseIdentifier),
        { customerId, reference: paymentId },
        context,
        this.paymentRecorded,
      );
      if (E.isLeft(claimed)) return E.left({ _tag: 'DuplicatePurchase', locationId: body.locationId, purchaseIdentifier: body.purchaseIdentifier });
      return E.right(claimed.right === undefined ? [] : [claimed.right]);
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => recordPayment(command, state), reservePurchase);
    return toAccepted((o: { events: readonly CustomerEvent[]; state: Parameters<typeof balanceOf>[0]; position: bigint }) =>
      paymentView(findPayment(o.events), balanceOf(o.state), o.position),
    )(outcome);
  }

  /** A purchase reservation is honoured once the holder's ledger has the payment. */
  private readonly paymentRecorded: HonouredCheck = async (holder) => {
    const { state } = await this.customers.load(accountStream(holder.customerId));
    return state.status === 'Enrolled' && state.payments.has(holder.reference);
  };
}

function findPayment(events: readonly CustomerEvent[]): PaymentRecorded {
  const payment = events.find((e): e is PaymentRecorded => e.type === 'PaymentRecorded');
  if (payment === undefined) throw new Error('a recorded payment has no PaymentRecorded event');
  return payment;
}

function paymentView(payment: PaymentRecorded, balance: number, position: bigint): PaymentView {
  const d = payment.data;
  return {
    paymentId: d.paymentId,
    customerId: d.customerId,
    visitId: d.visitId ?? null,
    locationId: d.locationId,
    amount: formatAmount(d.amountMinor, d.currency),
    currency: d.currency,
    purchaseIdentifier: d.purchaseIdentifier,
    occurredAt: d.occurredAt,
    source: d.source,
    pointsEarned: d.points,
    pointsPerUnit: d.pointsPerUnit,
    programVersion: d.programVersion,
    balance,
    position: position.toString(),
  };
}

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
    return runCustomerCommand({ request, reply, params, body }, RecordPaymentBodyC, this.commandBus, this.clock(), (customerId, decoded, context) => new RecordPaymentCommand(customerId, decoded, context));
  }
}
