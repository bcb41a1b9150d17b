import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type * as E from 'fp-ts/Either';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as t from 'io-ts';
import type { CustomerEvent } from '../../../../libs/ledger-domain/src/customer/customer';
import { recordVisit, SourceC, VisitKindC } from '../../../../libs/ledger-domain/src/customer/record-visit';
import { BoundedString, Identifier, Instant, strictObject } from '../../../../libs/ledger-domain/src/shared/codecs';
import { IDEMPOTENCY_HEADER, type Accepted } from '../http/accepted';
import type { CommandContext } from '../ledger/command-context';
import { CommandRunner, type CommandError } from '../ledger/command-runner';
import { entityId } from '../ledger/ids';
import { CLOCK, CustomerStreams, type Clock } from '../ledger/ledger.module';
import { accountStream } from '../../../../libs/runtime/src/streams';
import { runCustomerCommand, toAccepted } from '../customers/customer-command';

export const RecordVisitBodyC = strictObject(
  'visit',
  { locationId: Identifier(), occurredAt: Instant },
  { kind: VisitKindC, source: SourceC, notes: BoundedString(0, 1000) },
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
    const outcome = await this.runner.run(this.customers, accountStream(customerId), context, (state) => recordVisit(command, state));
    return toAccepted((o: { events: readonly CustomerEvent[]; position: bigint }) => {
      const visit = o.events.find((e) => e.type === 'VisitCreated');
      if (visit?.type !== 'VisitCreated') throw new Error('a recorded visit has no VisitCreated event');
      const { notes, paymentId: _paymentId, ...fields } = visit.data;
      return { ...fields, notes: notes ?? null, position: o.position.toString() };
    })(outcome);
  }
}

@ApiTags('visits')
@Controller('customers/:customerId/visits')
export class VisitsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a visit (VisitCreated). Backdating is allowed; more than 5 minutes ahead is refused.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['locationId', 'occurredAt'],
      properties: {
        locationId: { type: 'string', example: 'store-042' },
        occurredAt: { type: 'string', format: 'date-time', example: '2026-11-23T10:15:00+01:00', description: 'ISO 8601 with offset' },
        kind: { type: 'string', enum: ['browse', 'service', 'event', 'pickup', 'purchase'], default: 'browse' },
        source: { type: 'string', enum: ['manual', 'scan', 'online'], default: 'manual' },
        notes: { type: 'string', maxLength: 1000 },
      },
    },
  })
  @ApiResponse({ status: 201, description: '{visitId, …, position}' })
  async record(@Req() request: FastifyRequest, @Param() params: unknown, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return runCustomerCommand({ request, reply, params, body }, RecordVisitBodyC, this.commandBus, this.clock(), (customerId, decoded, context) => new RecordVisitCommand(customerId, decoded, context));
  }
}
