import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { BoundedString, IntInRange, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { MAX_POINTS_PER_ENTRY } from '#ledger-domain/shared/points';
import { type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams, ProgramStreams } from '../ledger/ledger.module';
import { accountStream } from '#runtime/streams';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

const PointsInRange = IntInRange(-MAX_POINTS_PER_ENTRY, MAX_POINTS_PER_ENTRY, '');
export const NonZeroPoints = annotate(
  new t.Type<number, number, unknown>(
    `non-zero integer between -${MAX_POINTS_PER_ENTRY} and ${MAX_POINTS_PER_ENTRY}`,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const bounded = PointsInRange.decode(u);
      return bounded._tag === 'Right' && bounded.right !== 0 ? t.success(bounded.right) : t.failure(u, c);
    },
    t.identity,
  ),
  { type: 'integer', minimum: -MAX_POINTS_PER_ENTRY, maximum: MAX_POINTS_PER_ENTRY, not: { enum: [0] } },
);

export const AdjustPointsBodyC = annotate(strictObject('points adjustment', { points: NonZeroPoints, reason: BoundedString(1, 500) }, { expires: t.boolean }), {
  properties: {
    points: { description: `non-zero, |points| ≤ ${MAX_POINTS_PER_ENTRY}; negative takes points away`, example: -20 },
    reason: { example: 'Goodwill: delayed order' },
    expires: { description: "a credit expires under the program's expiry policy unless false (default true)", example: false },
  },
});

/** The adjustment, and the balances right after it. */
export interface AdjustmentView extends BalancesView {
  readonly adjustmentId: string;
  readonly points: number;
  readonly reason: string;
  readonly position: string;
}

export class AdjustPointsCommand extends Command<E.Either<CommandError, Accepted<AdjustmentView>>> {
  constructor(
    readonly customerId: string,
    readonly body: t.TypeOf<typeof AdjustPointsBodyC> & { readonly reference?: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AdjustPointsCommand)
export class AdjustPointsHandler implements ICommandHandler<AdjustPointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ customerId, body, context }: AdjustPointsCommand) {
    const program = await this.programs.current();
    const adjustmentId = entityId(context.commandId, 'adjustment');
    const command = {
      type: 'AdjustPoints' as const,
      customerId,
      adjustmentId,
      points: body.points,
      reason: body.reason,
      ...(body.expires !== undefined && { expires: body.expires }),
      ...(body.reference !== undefined && { reference: body.reference }),
      program,
      now: context.now,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o) => ({
      adjustmentId,
      points: body.points,
      reason: body.reason,
      ...balancesOf(o.state),
      position: o.position.toString(),
    }))(outcome);
  }
}
