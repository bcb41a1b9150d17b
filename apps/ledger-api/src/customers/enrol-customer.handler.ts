import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import * as E from 'fp-ts/Either';
import type { StreamAppend } from '#event-store/event-store.port';
import type * as t from 'io-ts';
import { BoundedString, Email, Phone, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import type { LedgerError } from '#ledger-domain/shared/errors';
import type { Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams, ProgramStreams } from '../ledger/ledger.module';
import { Reservations, type HonouredCheck } from '../ledger/reservations';
import { accountStream } from '#runtime/streams';
import { customerView, isEnrolled, type CustomerView } from './customer-view';

export const EnrolCustomerBodyC = annotate(
  strictObject(
    'customer enrolment',
    {},
    {
      email: Email,
      phone: Phone,
      name: BoundedString(1, 200),
    },
  ),
  // Checked after decoding (enrolCustomer), so not a `required` the codec would enforce.
  { description: 'At least one of email and phone.', properties: { name: { example: 'Ada Lovelace' } } },
);
export type EnrolCustomerBody = t.TypeOf<typeof EnrolCustomerBodyC>;

export class EnrolCustomerCommand extends Command<E.Either<CommandError, Accepted<CustomerView>>> {
  constructor(
    readonly body: EnrolCustomerBody,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EnrolCustomerCommand)
export class EnrolCustomerHandler implements ICommandHandler<EnrolCustomerCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(Reservations) private readonly reservations: Reservations,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ body, context }: EnrolCustomerCommand) {
    const program = await this.programs.current();
    // Derived from the command id: an Idempotency-Key retry enrols the same customer, not a second one.
    const customerId = entityId(context.commandId, 'customer');
    const { email, phone, name } = body;
    const command = {
      type: 'EnrolCustomer' as const,
      customerId,
      now: context.now,
      ...(email !== undefined && { email }),
      ...(phone !== undefined && { phone }),
      ...(name !== undefined && { name }),
    };
    const outcome = await this.runner.run(
      this.customers,
      accountStream(customerId),
      context,
      (state) => decideCustomer(command, state),
      () => this.reserveContacts(customerId, email, phone, context),
    );
    return E.map((o: { state: Parameters<typeof customerView>[0] | { status: 'NotEnrolled' }; position: bigint; replayed: boolean }) => {
      if (!isEnrolled(o.state)) throw new Error('enrolment succeeded but the customer is not enrolled');
      return { view: customerView(o.state, o.position, program, context.now), replayed: o.replayed };
    })(outcome);
  }

  /** E-mail and phone are each unique across customers: claim both, or neither. */
  private async reserveContacts(
    customerId: string,
    email: string | undefined,
    phone: string | undefined,
    context: CommandContext,
  ): Promise<E.Either<LedgerError, readonly StreamAppend[]>> {
    const claim = { ownerStream: accountStream(customerId), reference: customerId };
    const claims: StreamAppend[] = [];
    if (email !== undefined) {
      const emailClaim = await this.reservations.claim('email', email, claim, context, this.enrolled);
      if (E.isLeft(emailClaim)) return E.left({ _tag: 'ContactTaken', field: 'email' });
      if (emailClaim.right !== undefined) claims.push(emailClaim.right);
    }
    if (phone !== undefined) {
      const phoneClaim = await this.reservations.claim('phone', phone, claim, context, this.enrolled);
      if (E.isLeft(phoneClaim)) {
        // Only on stores without multi-stream appends can the e-mail claim already be written:
        // give it back rather than leave it blocked until its lease runs out.
        if (email !== undefined) await this.reservations.release('email', email, context, 'enrolment refused: phone taken');
        return E.left({ _tag: 'ContactTaken', field: 'phone' });
      }
      if (phoneClaim.right !== undefined) claims.push(phoneClaim.right);
    }
    return E.right(claims);
  }

  /** A contact reservation is honoured once its customer is enrolled. */
  private readonly enrolled: HonouredCheck = async (holder) => isEnrolled((await this.customers.load(holder.ownerStream)).state);
}
