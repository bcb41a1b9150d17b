import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import * as t from 'io-ts';
import type { EventStore } from '#event-store/event-store.port';
import { exportRows, serialise } from '#audit/export';
import { reconcile } from '#audit/reconcile';
import { Instant, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { accountStream } from '#runtime/streams';
import { CustomerPathC } from '../customers/customer-command';
import { ParamsFrom, QueryFrom } from '../docs/from-codec';
import { decodeOrThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { EVENT_STORE } from '../ledger/ledger.module';
import { ReadSide } from '../read-models/read-side';

export const ExportQueryC = annotate(strictObject('export query', {}, { asOf: Instant, basis: t.keyof({ recorded: null, occurred: null }) }), {
  properties: {
    asOf: { description: 'ISO 8601 instant with offset; default: now' },
    basis: { default: 'recorded', description: 'recorded: what the ledger said then; occurred: what we now know had happened by then' },
  },
});

/** The auditors' routes: reconciliation of projections against the ledger, and the CSV export. */
@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadSide) private readonly readSide: ReadSide,
  ) {}

  @Get('audit/reconcile')
  @Access('auditor')
  @ApiOperation({ summary: "Replays every customer's ledger and compares balances and visit counts with the read models" })
  @ApiResponse({ status: 200, description: '{checkpoint, customers, events, skipped, mismatches:[{customerId, field, ledger, projection}]}' })
  async reconcile() {
    return reconcile(this.store, this.readSide.database);
  }

  @Get('customers/:customerId/history.csv')
  @Access('auditor')
  @ApiOperation({ summary: "The customer's ledger as CSV (columns in docs/audit.md), streamed, as of any instant" })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(ExportQueryC)
  async historyCsv(@Param() params: unknown, @Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const { asOf, basis } = decodeOrThrow(ExportQueryC, query);
    // Refuse before the first byte: once streaming, an error can no longer become a problem answer.
    if ((await this.store.readStream(accountStream(customerId), { maxCount: 1 })).events.length === 0) {
      throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    }
    const rows = exportRows(this.store, { customerId, ...(asOf !== undefined && { asOf }), ...(basis !== undefined && { basis }) });
    await reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="ledger-${customerId}.csv"`)
      .send(Readable.from(serialise(rows, 'csv')));
  }
}
