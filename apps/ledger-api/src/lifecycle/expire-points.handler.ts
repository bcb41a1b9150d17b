import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { accountStream } from '#runtime/streams';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError, type CommandOutcome } from '../ledger/command-runner';
import { LifecycleStreams } from '../ledger/ledger.module';

/** The lifecycle runner expires a customer's due lots (`asOf`: its clock). Never sent by a client. */
export class ExpirePointsCommand extends Command<E.Either<CommandError, CommandOutcome<CustomerState, CustomerEvent>>> {
  constructor(
    readonly customerId: string,
    readonly lotIds: readonly string[],
    readonly asOf: Date,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ExpirePointsCommand)
export class ExpirePointsHandler implements ICommandHandler<ExpirePointsCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(LifecycleStreams) private readonly customers: LifecycleStreams,
  ) {}

  execute({ customerId, lotIds, asOf, context }: ExpirePointsCommand) {
    const command = { type: 'ExpirePoints' as const, customerId, lotIds, now: asOf };
    return this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
  }
}
