import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { type PointsVoided } from '#ledger-domain/customer/void-points';
import { BoundedString, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { accountStream } from '#runtime/streams';
import type { Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { CustomerStreams } from '../ledger/ledger.module';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

/** `POST …/void`: an admin cancels a payment's pending points without a refund; the reason is required. */
export const VoidPointsBodyC = annotate(strictObject('void of pending points', { reason: BoundedString(1, 500) }, {}), {
  properties: { reason: { example: 'Purchase made to be returned (case 2026-118)' } },
});

/** The void, and the balances right after it. */
export interface VoidView extends BalancesView {
  readonly paymentId: string;
  /** Pending points cancelled (the payment's own and its cashback's). */
  readonly voided: number;
  readonly reason: string;
  readonly position: string;
}

export class VoidPointsCommand extends Command<E.Either<CommandError, Accepted<VoidView>>> {
  constructor(
    readonly customerId: string,
    readonly paymentId: string,
    readonly body: t.TypeOf<typeof VoidPointsBodyC>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(VoidPointsCommand)
export class VoidPointsHandler implements ICommandHandler<VoidPointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
  ) {}

  async execute({ customerId, paymentId, body, context }: VoidPointsCommand) {
    const command = { type: 'VoidPoints' as const, customerId, paymentId, reason: body.reason, now: context.now };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o: { events: readonly CustomerEvent[]; state: CustomerState; position: bigint }) => {
      const voided = o.events.find((e): e is PointsVoided => e.type === 'PointsVoided');
      if (voided === undefined) throw new Error('a void has no PointsVoided event');
      return { paymentId, voided: voided.data.points, reason: voided.data.reason, ...balancesOf(o.state), position: o.position.toString() };
    })(outcome);
  }
}
