import { decideCustomer } from '#ledger-domain/customer/customer.decider';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { CustomerEvent } from '#ledger-domain/customer/customer';
import { VisitKindC } from '#ledger-domain/customer/record-visit';
import { SourceC } from '#ledger-domain/shared/source';
import { BoundedString, Identifier, Instant, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CustomerStreams } from '../ledger/ledger.module';
import { accountStream } from '#runtime/streams';
import { toAccepted } from '../customers/customer-command';

export const RecordVisitBodyC = annotate(
  strictObject('visit', { locationId: Identifier(), occurredAt: Instant }, { kind: VisitKindC, source: SourceC, notes: BoundedString(0, 1000) }),
  {
    properties: {
      locationId: { example: 'store-042' },
      kind: { default: 'browse' },
      source: { default: 'manual' },
      notes: { example: 'Asked about the loyalty card' },
    },
  },
);
type RecordVisitBody = t.TypeOf<typeof RecordVisitBodyC>;

export interface VisitView {
  readonly visitId: string;
  readonly customerId: string;
  readonly locationId: string;
  readonly occurredAt: string;
  readonly kind: string;
  readonly source: string;
  readonly notes: string | null;
  readonly position: string;
}

export class RecordVisitCommand extends Command<E.Either<CommandError, Accepted<VisitView>>> {
  constructor(
    readonly customerId: string,
    readonly body: RecordVisitBody,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RecordVisitCommand)
export class RecordVisitHandler implements ICommandHandler<RecordVisitCommand> {
  constructor(
    @Inject(CommandRunner) private readonly runner: CommandRunner,
    @Inject(CustomerStreams) private readonly customers: CustomerStreams,
  ) {}

  async execute({ customerId, body, context }: RecordVisitCommand) {
    const command = {
      type: 'RecordVisit' as const,
      customerId,
      visitId: entityId(context.commandId, 'visit'),
      locationId: body.locationId,
      occurredAt: body.occurredAt,
      kind: body.kind ?? 'browse',
      source: body.source ?? 'manual',
      ...(body.notes !== undefined && body.notes !== '' && { notes: body.notes }),
      now: context.now,
    };
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => decideCustomer(command, state));
    return toAccepted((o: { events: readonly CustomerEvent[]; position: bigint }) => {
      const visit = o.events.find((e) => e.type === 'VisitCreated');
      if (visit?.type !== 'VisitCreated') throw new Error('a recorded visit has no VisitCreated event');
      const { notes, paymentId: _paymentId, ...fields } = visit.data;
      return { ...fields, notes: notes ?? null, position: o.position.toString() };
    })(outcome);
  }
}
