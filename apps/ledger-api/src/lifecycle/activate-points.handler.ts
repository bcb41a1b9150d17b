import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import { type PointsActivated } from '#ledger-domain/customer/activate-points';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { BoundedString, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { accountStream } from '#runtime/streams';
import type { Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { LifecycleStreams } from '../ledger/ledger.module';
import { balancesOf, toAccepted, type BalancesView } from '../customers/customer-command';

/** `POST …/activate`: an admin activates a payment's pending points before their time. */
export const ActivatePointsBodyC = annotate(strictObject('early activation', {}, { reason: BoundedString(1, 500) }), {
  properties: { reason: { example: 'Return window waived: gift purchase' } },
});

/** The activation, and the balances right after it. */
export interface ActivationView extends BalancesView {
  readonly paymentId: string;
  /** Points made available (the payment's own and its cashback's). */
  readonly activated: number;
  readonly early: boolean;
  readonly occurredAt: string;
  readonly position: string;
}

/**
 * Activates a payment's pending points: from the lifecycle runner once due (`early` false, `asOf`
 * its clock), or early by an admin. The same command either way; the decider checks what is due.
 */
export class ActivatePointsCommand extends Command<E.Either<CommandError, Accepted<ActivationView>>> {
  constructor(
    readonly customerId: string,
    readonly paymentId: string,
    readonly activation: { readonly early: boolean; readonly reason?: string; readonly asOf: Date },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ActivatePointsCommand)
export class ActivatePointsHandler implements ICommandHandler<ActivatePointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(LifecycleStreams) private readonly customers: LifecycleStreams,
  ) {}

  async execute({ customerId, paymentId, activation, context }: ActivatePointsCommand) {
    const command = {
      type: 'ActivatePoints' as const,
      customerId,
      paymentId,
      early: activation.early,
      ...(activation.reason !== undefined && { reason: activation.reason }),
      now: activation.asOf,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o: { events: readonly CustomerEvent[]; state: CustomerState; position: bigint }) => {
      const activated = o.events.find((e): e is PointsActivated => e.type === 'PointsActivated');
      if (activated === undefined) throw new Error('an activation has no PointsActivated event');
      return {
        paymentId,
        activated: activated.data.points,
        early: activated.data.early,
        occurredAt: activated.data.occurredAt,
        ...balancesOf(o.state),
        position: o.position.toString(),
      };
    })(outcome);
  }
}
