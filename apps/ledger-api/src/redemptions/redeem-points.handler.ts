import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { BoundedString, IntInRange, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { MAX_POINTS_PER_ENTRY } from '#ledger-domain/shared/points';
import { type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams } from '../ledger/ledger.module';
import { accountStream } from '#runtime/streams';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

export const RedeemPointsBodyC = annotate(
  strictObject(
    'redemption',
    { points: IntInRange(1, MAX_POINTS_PER_ENTRY, `integer between 1 and ${MAX_POINTS_PER_ENTRY}`) },
    { reason: BoundedString(1, 500), reference: BoundedString(1, 200) },
  ),
  { properties: { points: { example: 50 }, reason: { example: 'Free coffee' }, reference: { example: 'voucher-7781' } } },
);

/** The redemption, and the balances right after it. */
export interface RedemptionView extends BalancesView {
  readonly redemptionId: string;
  /** Points spent (positive). */
  readonly points: number;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly position: string;
}

export class RedeemPointsCommand extends Command<E.Either<CommandError, Accepted<RedemptionView>>> {
  constructor(
    readonly customerId: string,
    readonly body: t.TypeOf<typeof RedeemPointsBodyC>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RedeemPointsCommand)
export class RedeemPointsHandler implements ICommandHandler<RedeemPointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
  ) {}

  async execute({ customerId, body, context }: RedeemPointsCommand) {
    const redemptionId = entityId(context.commandId, 'redemption');
    const { reason, reference } = body;
    const command = {
      type: 'RedeemPoints' as const,
      customerId,
      redemptionId,
      points: body.points,
      ...(reason !== undefined && { reason }),
      ...(reference !== undefined && { reference }),
      now: context.now,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o) => ({
      redemptionId,
      points: body.points,
      reason: reason ?? null,
      reference: reference ?? null,
      ...balancesOf(o.state),
      position: o.position.toString(),
    }))(outcome);
  }
}
