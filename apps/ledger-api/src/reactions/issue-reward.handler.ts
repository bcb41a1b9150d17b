import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type { CustomerEvent, CustomerState } from '#ledger-domain/customer/customer';
import { type IssueReward } from '#ledger-domain/customer/issue-reward';
import { react, type Reaction } from '#ledger-domain/reactions/react';
import { accountStream } from '#runtime/streams';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError, type CommandOutcome } from '../ledger/command-runner';
import { entityId, reactionCommandId } from '../ledger/ids';
import { CustomerStreams, ProgramStreams } from '../ledger/ledger.module';
import type { ReactionOutcome, ReactionRequest } from './reaction-runner';

/** A reward or cashback a program rule issues: a normal command through the command loop. */
export class IssueRewardCommand extends Command<E.Either<CommandError, CommandOutcome<CustomerState, CustomerEvent>>> {
  constructor(
    readonly reward: Reaction['command'],
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(IssueRewardCommand)
export class IssueRewardHandler implements ICommandHandler<IssueRewardCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  async execute({ reward, context }: IssueRewardCommand) {
    // The program now: its shortfall policy governs a reversal issued with a late cashback.
    const program = await this.programs.current();
    const command: IssueReward = { ...reward, adjustmentId: entityId(context.commandId, 'adjustment'), ...(program !== undefined && { program }) };
    // A command id seen before (a re-run of the reaction) is answered from the stream, not applied again.
    return this.runner.run(this.customers, accountStream(reward.customerId), context, (state) => decideCustomer(command, state));
  }
}

/** Who the reactions' events are recorded as. */
export const REACTIONS_ACTOR = 'system:reactions';

/**
 * Issues the commands the program's rules answer one request with, each under the command id
 * derived from the triggering event and the rule, caused by that event and correlated with the
 * request that recorded it. Resolves with every command's outcome (refusals included).
 */
export async function issueReactions(
  request: ReactionRequest,
  execute: (command: IssueRewardCommand) => Promise<E.Either<CommandError, { readonly replayed: boolean }>>,
  now: () => Date,
): Promise<ReactionOutcome[]> {
  // async: anything thrown, even before the first command, rejects the promise the runner awaits.
  return Promise.all(
    react(request.event, request.context).map(async (reaction) => {
      const commandId = reactionCommandId(request.eventId, reaction.key);
      const context: CommandContext = {
        commandId,
        correlationId: request.correlationId ?? commandId,
        causationId: request.eventId,
        actor: REACTIONS_ACTOR,
        now: now(),
      };
      return { request, reaction, commandId, result: await execute(new IssueRewardCommand(reaction.command, context)) };
    }),
  );
}
