import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import type { StreamAppend } from '#event-store/event-store.port';
import type * as t from 'io-ts';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { type PaymentRecorded } from '#ledger-domain/customer/record-payment';
import { SourceC } from '#ledger-domain/shared/source';
import { BoundedString, CurrencyCodeC, Identifier, Instant, strictObject, Uuid } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import type { LedgerError } from '#ledger-domain/shared/errors';
import { formatAmount } from '#ledger-domain/shared/money';
import { type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams, ProgramStreams } from '../ledger/ledger.module';
import { Reservations, type HonouredCheck } from '../ledger/reservations';
import { accountStream, purchaseKey } from '#runtime/streams';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

export const RecordPaymentBodyC = annotate(
  strictObject(
    'payment',
    {
      locationId: Identifier(),
      amount: BoundedString(1, 24, 'decimal string such as "49.99"'),
      purchaseIdentifier: BoundedString(1, 100),
      occurredAt: Instant,
    },
    { currency: CurrencyCodeC, source: SourceC, visitId: Uuid },
  ),
  {
    properties: {
      locationId: { example: 'store-042' },
      amount: { example: '49.99', description: 'decimal string > 0, at most the currency’s minor digits' },
      currency: { description: 'defaults to the program’s; must equal it' },
      purchaseIdentifier: { example: 'R-2026-000123', description: 'receipt number; unique per location' },
      source: { default: 'manual' },
      visitId: { description: 'an existing visit of this customer' },
    },
  },
);
type RecordPaymentBody = t.TypeOf<typeof RecordPaymentBodyC>;

/** The payment, and the balances right after it. */
export interface PaymentView extends BalancesView {
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
  /** While the points are pending (the return window): when they become available; null when available at once. */
  readonly activatesAt: string | null;
  /** The tier held at the payment's business time and the multiplier that scaled its points; null: none. */
  readonly tierId: string | null;
  readonly multiplier: string | null;
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
        { ownerStream: accountStream(customerId), reference: paymentId },
        context,
        this.paymentRecorded,
      );
      if (E.isLeft(claimed)) return E.left({ _tag: 'DuplicatePurchase', locationId: body.locationId, purchaseIdentifier: body.purchaseIdentifier });
      return E.right(claimed.right === undefined ? [] : [claimed.right]);
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state), reservePurchase);
    return toAccepted((o: { events: readonly CustomerEvent[]; state: CustomerState; position: bigint }) =>
      paymentView(findPayment(o.events), balancesOf(o.state), o.position),
    )(outcome);
  }

  /** A purchase reservation is honoured once the holder's ledger has the payment. */
  private readonly paymentRecorded: HonouredCheck = async (holder) => {
    const { state } = await this.customers.load(holder.ownerStream);
    return state.status === 'Enrolled' && state.payments.has(holder.reference);
  };
}

function findPayment(events: readonly CustomerEvent[]): PaymentRecorded {
  const payment = events.find((e): e is PaymentRecorded => e.type === 'PaymentRecorded');
  if (payment === undefined) throw new Error('a recorded payment has no PaymentRecorded event');
  return payment;
}

function paymentView(payment: PaymentRecorded, balances: BalancesView, position: bigint): PaymentView {
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
    activatesAt: d.activatesAt ?? null,
    tierId: d.tierId ?? null,
    multiplier: d.multiplier ?? null,
    ...balances,
    position: position.toString(),
  };
}
