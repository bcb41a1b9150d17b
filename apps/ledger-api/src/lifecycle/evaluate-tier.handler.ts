import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { accountStream } from '#runtime/streams';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError, type CommandOutcome } from '../ledger/command-runner';
import { LifecycleStreams, ProgramStreams } from '../ledger/ledger.module';

/** The lifecycle runner evaluates a customer's tier as of its clock (`asOf`). Never sent by a client. */
export class EvaluateTierCommand extends Command<E.Either<CommandError, CommandOutcome<CustomerState, CustomerEvent>>> {
  constructor(
    readonly customerId: string,
    readonly asOf: Date,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EvaluateTierCommand)
export class EvaluateTierHandler implements ICommandHandler<EvaluateTierCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(LifecycleStreams) private readonly customers: LifecycleStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ customerId, asOf, context }: EvaluateTierCommand) {
    const command = { type: 'EvaluateTier' as const, customerId, program: await this.programs.current(), now: asOf };
    return this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
  }
}
