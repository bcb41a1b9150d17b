import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import * as t from 'io-ts';
import type { EventStore } from '#event-store/event-store.port';
import { balanceExport, serialiseBalances } from '#audit/balances-export';
import { Instant, strictObject } from '#ledger-domain/shared/codecs';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { QueryFrom } from '../docs/from-codec';
import { Access } from '../http/access';
import { decodeOrThrow } from '../http/decode';
import { EVENT_STORE } from '../ledger/ledger.module';
import { ReadSide } from '../read-models/read-side';

export const BalanceExportQueryC = annotate(strictObject('balance export query', {}, { format: t.keyof({ csv: null, ndjson: null }), asOf: Instant }), {
  properties: {
    format: { default: 'csv' },
    asOf: { description: 'ISO 8601 instant with offset: the balances as the ledger recorded them then; default: now' },
  },
});

/** The header naming the log position every row of an export is as of. */
export const LEDGER_POSITION_HEADER = 'ledger-position';

/** Exports for reporting and finance. */
@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadSide) private readonly readSide: ReadSide,
  ) {}

  @Get('balances')
  @Access('reporter', 'auditor')
  @ApiOperation({
    summary:
      'One row per customer (available, pending, owed, lifetime totals, tier, next expiry), streamed as CSV or NDJSON, consistent as of one log position (header Ledger-Position, and a column), as of any instant',
  })
  @QueryFrom(BalanceExportQueryC)
  @ApiResponse({ status: 200, description: 'text/csv (columns in docs/import.md) or application/x-ndjson' })
  async balances(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const { format = 'csv', asOf } = decodeOrThrow(BalanceExportQueryC, query);
    const { position, rows } = await balanceExport(this.store, this.readSide.database.db, { ...(asOf !== undefined && { asOf }) });
    await reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .header(LEDGER_POSITION_HEADER, position.toString())
      .header('content-disposition', `attachment; filename="balances-${position}.${format}"`)
      .send(Readable.from(serialiseBalances(rows, format)));
  }
}
