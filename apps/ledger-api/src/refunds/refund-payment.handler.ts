import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { type CashbackReversed, type PaymentRefunded } from '#ledger-domain/customer/refund-payment';
import { BoundedString, Instant, strictObject } from '#ledger-domain/shared/codecs';
import { formatAmount } from '#ledger-domain/shared/money';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { accountStream } from '#runtime/streams';
import type { Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams, ProgramStreams } from '../ledger/ledger.module';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

export const RefundPaymentBodyC = annotate(
  strictObject(
    'refund',
    {
      amount: BoundedString(1, 24, 'decimal string such as "19.99"'),
      refundIdentifier: BoundedString(1, 100),
      occurredAt: Instant,
    },
    { reason: BoundedString(1, 500) },
  ),
  {
    properties: {
      amount: { description: "money paid back, > 0, at most the payment's minor digits, in the payment's currency", example: '19.99' },
      refundIdentifier: { description: 'the credit note or return number; with the payment, unique', example: 'CN-2026-0042' },
      occurredAt: { description: 'when the return happened (ISO 8601 with offset), not before the payment', example: '2026-11-25T14:00:00+01:00' },
      reason: { example: 'Returned: wrong size' },
    },
  },
);
type RefundPaymentBody = t.TypeOf<typeof RefundPaymentBodyC>;

/** The refund, the points it reversed (and how), and the balances right after it. */
export interface RefundView extends BalancesView {
  readonly refundId: string;
  readonly paymentId: string;
  readonly refundIdentifier: string;
  readonly amount: string;
  readonly currency: string;
  readonly occurredAt: string;
  readonly reason: string | null;
  /** Points of the payment reversed by this refund. */
  readonly pointsReversed: number;
  /** Of those: taken from the payment's pending points, from available lots, added to what is owed, written off. */
  readonly fromPending: number;
  readonly fromAvailable: number;
  readonly owedAdded: number;
  readonly writtenOff: number;
  /** The payment's cashback, reversed in the same proportion. */
  readonly cashbackReversed: readonly { readonly cashbackId: string; readonly pointsReversed: number }[];
  readonly position: string;
}

export class RefundPaymentCommand extends Command<E.Either<CommandError, Accepted<RefundView>>> {
  constructor(
    readonly customerId: string,
    readonly paymentId: string,
    readonly body: RefundPaymentBody,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RefundPaymentCommand)
export class RefundPaymentHandler implements ICommandHandler<RefundPaymentCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ customerId, paymentId, body, context }: RefundPaymentCommand) {
    const program = await this.programs.current();
    const command = {
      type: 'RefundPayment' as const,
      customerId,
      refundId: entityId(context.commandId, 'refund'),
      paymentId,
      amount: body.amount,
      refundIdentifier: body.refundIdentifier,
      occurredAt: body.occurredAt,
      ...(body.reason !== undefined && { reason: body.reason }),
      program,
      now: context.now,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o: { events: readonly CustomerEvent[]; state: CustomerState; position: bigint }) => refundView(o.events, o.state, o.position))(outcome);
  }
}

function refundView(events: readonly CustomerEvent[], state: CustomerState, position: bigint): RefundView {
  const refund = events.find((e): e is PaymentRefunded => e.type === 'PaymentRefunded');
  if (refund === undefined) throw new Error('a recorded refund has no PaymentRefunded event');
  const d = refund.data;
  return {
    refundId: d.refundId,
    paymentId: d.paymentId,
    refundIdentifier: d.refundIdentifier,
    amount: formatAmount(d.amountMinor, d.currency),
    currency: d.currency,
    occurredAt: d.occurredAt,
    reason: d.reason ?? null,
    pointsReversed: d.pointsReversed,
    fromPending: d.fromPending,
    fromAvailable: d.lots.reduce((sum, draw) => sum + draw.points, 0),
    owedAdded: d.owed,
    writtenOff: d.writtenOff,
    cashbackReversed: events
      .filter((e): e is CashbackReversed => e.type === 'CashbackReversed')
      .map((e) => ({ cashbackId: e.data.cashbackId, pointsReversed: e.data.pointsReversed })),
    ...balancesOf(state),
    position: position.toString(),
  };
}
