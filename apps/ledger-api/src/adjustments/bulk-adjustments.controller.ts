import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { BoundedString, CheckedArray, Email, Phone, strictObject, Uuid } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { customerIdOf } from '#runtime/streams';
import { BodyFrom } from '../docs/from-codec';
import { IDEMPOTENCY_HEADER } from '../http/accepted';
import { commandContextFor } from '../http/command-context.factory';
import { decodeOrThrow } from '../http/decode';
import { toProblem } from '../http/problem';
import type { CommandContext } from '../ledger/command-context';
import { deterministicUuid } from '../ledger/ids';
import { CLOCK, type Clock } from '../ledger/ledger.module';
import { Reservations } from '../ledger/reservations';
import { AdjustPointsCommand, NonZeroPoints, type AdjustmentView } from './adjust-points.handler';

/** Rows per `POST /adjustments/bulk` (the JSON body limit, 64 KiB, holds about this many); more: `ledger adjust --file`. */
export const MAX_BULK_ROWS = 500;

export const BulkAdjustmentRowC = annotate(
  strictObject(
    'bulk adjustment row',
    { points: NonZeroPoints, reason: BoundedString(1, 500) },
    { customerId: Uuid, email: Email, phone: Phone, reference: BoundedString(1, 200), expires: t.boolean },
  ),
  { description: 'exactly one of customerId, email and phone names the customer' },
);
export type BulkAdjustmentRow = t.TypeOf<typeof BulkAdjustmentRowC>;

export const BulkAdjustmentsBodyC = strictObject(
  'bulk adjustments',
  { rows: CheckedArray(BulkAdjustmentRowC, `at most ${MAX_BULK_ROWS} rows`, MAX_BULK_ROWS) },
  {},
);

export type BulkRowOutcome =
  | ({ readonly row: number; readonly status: 'applied'; readonly customerId: string; readonly replayed: boolean } & AdjustmentView)
  | { readonly row: number; readonly status: 'refused'; readonly type: string; readonly title: string; readonly detail: string };

export interface BulkAdjustmentsView {
  readonly batchId: string;
  readonly applied: number;
  readonly refused: number;
  readonly rows: readonly BulkRowOutcome[];
}

/**
 * A list of ordinary adjustments: each row is the `AdjustPoints` command of
 * `POST /customers/{id}/adjustments` (same rules, same events, same policies), one after the
 * other. The batch id is every event's correlation id; each row's command id derives from the
 * batch id and the row's place, so the same batch sent again (same Idempotency-Key, or the same
 * file with the same --batch) applies nothing twice.
 */
export async function adjustInBulk(
  deps: { readonly bus: CommandBus; readonly reservations: Reservations },
  rows: readonly BulkAdjustmentRow[],
  batch: { readonly batchId: string; readonly actor: string; readonly now: Date },
): Promise<BulkAdjustmentsView> {
  const outcomes: BulkRowOutcome[] = [];
  for (const [index, row] of rows.entries()) {
    const refused = (type: string, title: string, detail: string): void => void outcomes.push({ row: index, status: 'refused', type, title, detail });
    const named = [row.customerId, row.email, row.phone].filter((v) => v !== undefined).length;
    if (named !== 1) {
      refused('invalid-input', 'Invalid input', 'Each row names its customer by exactly one of customerId, email and phone.');
      continue;
    }
    const customerId = row.customerId ?? (await holderOf(deps.reservations, row.email !== undefined ? 'email' : 'phone', (row.email ?? row.phone)!));
    if (customerId === undefined) {
      refused('customer-not-found', 'Customer not found', `No customer with this ${row.email !== undefined ? 'e-mail address' : 'phone number'}.`);
      continue;
    }
    const commandId = deterministicUuid('bulk-adjustment', batch.batchId, String(index));
    const context: CommandContext = { commandId, correlationId: batch.batchId, actor: batch.actor, now: batch.now };
    const { points, reason, reference, expires } = row;
    const outcome = await deps.bus.execute(
      new AdjustPointsCommand(
        customerId,
        { points, reason, ...(reference !== undefined && { reference }), ...(expires !== undefined && { expires }) },
        context,
      ),
    );
    if (E.isLeft(outcome)) {
      const problem = toProblem(outcome.left);
      refused(problem.type.slice(problem.type.lastIndexOf('/') + 1), problem.title, problem.detail);
    } else outcomes.push({ row: index, status: 'applied', customerId, replayed: outcome.right.replayed, ...outcome.right.view });
  }
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  return { batchId: batch.batchId, applied, refused: outcomes.length - applied, rows: outcomes };
}

async function holderOf(reservations: Reservations, scope: 'email' | 'phone', value: string): Promise<string | undefined> {
  const holder = await reservations.holder(scope, value);
  return holder === undefined ? undefined : customerIdOf(holder.ownerStream);
}

@ApiTags('adjustments')
@Controller('adjustments/bulk')
export class BulkAdjustmentsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(Reservations) private readonly reservations: Reservations,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: `Up to ${MAX_BULK_ROWS} ordinary adjustments at once (admin): each row applied or refused with its reason; the batch id is every event's correlation id`,
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @BodyFrom(BulkAdjustmentsBodyC)
  @ApiResponse({
    status: 200,
    description:
      '{batchId, applied, refused, rows: [{row, status: applied, customerId, adjustmentId, balance, …} | {row, status: refused, type, title, detail}]}',
  })
  async adjust(@Req() request: FastifyRequest, @Body() body: unknown): Promise<BulkAdjustmentsView> {
    const { rows } = decodeOrThrow(BulkAdjustmentsBodyC, body);
    // The request's command id (from its Idempotency-Key, or fresh) is the batch id: a retried batch is the same batch.
    const context = commandContextFor(request, rows, this.clock());
    return adjustInBulk({ bus: this.commandBus, reservations: this.reservations }, rows, {
      batchId: context.commandId,
      actor: context.actor,
      now: context.now,
    });
  }
}
